import type { Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { EmployeeRole } from '../profiles.js';

/** An organization's authorization of one employee's certificate pair, as the CA needs it. */
export interface EmployeeAuthorization {
  id: string;
  bin: string;
  iin: string;
  /** The organization's name, for the certificate's O. */
  organization: string;
  roles: EmployeeRole[];
  expiresAt: Date;
}

/**
 * The port through which the CA asks the organizations feature about authorizations: the CA
 * knows no employers, it asks "is (BIN, IIN) authorized now?" and reports the pair it issued.
 */
export interface EmployeeAuthorizations {
  /** Whether the organization is enrolled here (its employees then need an authorization). */
  isEnrolled(bin: string): Promise<boolean>;
  /**
   * The open, unexpired authorization for (BIN, IIN) of a current employment, or null. Inside a
   * transaction the row is locked, so two applications racing on one authorization issue one pair.
   */
  openFor(bin: string, iin: string, trx?: Transaction<DB>): Promise<EmployeeAuthorization | null>;
  /** Marks the authorization used by the pair, in the issuing transaction. */
  use(trx: Transaction<DB>, authorization: EmployeeAuthorization, issued: { applicationId: string; pairId: string }): Promise<void>;
  /** Whether (BIN, IIN) is employed now (an employee pair is renewed only then). */
  employedNow(bin: string, iin: string, trx?: Transaction<DB>): Promise<boolean>;
  /** The enrolled organization's name (the O of its employees' certificates), or null when not enrolled. */
  organizationName(bin: string, trx?: Transaction<DB>): Promise<string | null>;
  /**
   * A head's pair was issued on a proof of headship, in `trx`: an enrolled organization records
   * the person as its first head (a new head taking over); nothing before enrolment.
   */
  recordHead(trx: Transaction<DB>, head: ProvenHead): Promise<void>;
}

/** The person a head's pair was issued to. */
export interface ProvenHead {
  bin: string;
  iin: string;
  surname: string;
  givenName: string;
  patronymic: string | null;
}

/** Without the organizations feature: nothing is enrolled, nobody is authorized. */
export const noEmployeeAuthorizations: EmployeeAuthorizations = {
  isEnrolled: async () => false,
  openFor: async () => null,
  use: async () => {
    throw new Error('no employee authorizations here');
  },
  employedNow: async () => false,
  organizationName: async () => null,
  recordHead: async () => undefined,
};
