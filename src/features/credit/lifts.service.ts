import { randomUUID } from 'node:crypto';
import { appendToLog } from '../log/index.js';
import { Value } from '@sinclair/typebox/value';
import type { TSchema, Static } from '@sinclair/typebox';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import { checkBin } from '../../identifiers/bin.js';
import type { ReportObserver, SignedDocuments, VerifiedRequest } from '../trust/index.js';
import { cancelPendingNotifications, enqueueNotification } from '../notifications/index.js';
import { LiftRepository, type LiftRow } from './lifts.repository.js';
import { LiftRequestDocument, PlaceRequestDocument, type LiftView } from './lifts.schema.js';
import type { RestrictionService, RestrictionView } from './restrictions.service.js';

const HOUR = 3_600_000;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentLift(row: LiftRow, at: Date): LiftView {
  const effective = new Date(row.effective_at);
  const until = row.lifted_until === null ? null : new Date(row.lifted_until);
  const status: LiftView['status'] = row.cancelled_at
    ? 'cancelled'
    : effective > at
      ? 'cooling-off'
      : until && until <= at
        ? 'ended'
        : 'in-effect';
  return {
    id: row.id,
    restrictionId: row.restriction_id === null ? null : String(row.restriction_id),
    scope: row.scope,
    lenderBin: row.lender_bin,
    requestedAt: iso(row.requested_at)!,
    effectiveAt: effective.toISOString(),
    liftedUntil: iso(until),
    cancelledAt: iso(row.cancelled_at),
    status,
    documentId: row.document_id,
  };
}

function requestOf<S extends TSchema>(schema: S, verified: VerifiedRequest): Static<S> {
  if (!Value.Check(schema, verified.body)) {
    const first = [...Value.Errors(schema, verified.body)][0];
    throw AppError.unprocessable('DOCUMENT_INVALID_REQUEST', `The signed request is not a valid ${String((verified.body as { action?: unknown }).action)} request: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`);
  }
  return verified.body as Static<S>;
}

export interface PersonRef {
  personHash: Buffer;
}

/**
 * The person's own commands on their protection, each from a request they signed with their
 * SIGN certificate: placing a voluntary restriction (in force at once: placing never waits),
 * lifting (in force after the cooling-off, which protects people talked into it on the
 * phone), and cancelling a lift during its cooling-off. Each writes its evidence and its
 * notices in the same transaction as the change.
 */
export class LiftService {
  readonly repository: LiftRepository;

  constructor(
    private readonly database: Database,
    private readonly restrictions: RestrictionService,
    private readonly documents: SignedDocuments,
    private readonly coolingOffHours: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.repository = new LiftRepository(database.db);
  }

  async place(person: PersonRef, cms: Buffer, observe?: ReportObserver): Promise<{ restriction: RestrictionView; documentId: string }> {
    const verified = await this.documents.verify(cms, { personHash: person.personHash, actions: ['restriction.place'], observe });
    const request = requestOf(PlaceRequestDocument, verified);
    const now = this.clock();
    return this.database.db.transaction().execute(async (trx) => {
      const documentId = await this.documents.store(trx, verified);
      const restriction = await this.restrictions.placeVoluntary(
        person.personHash,
        { products: request.products, channels: request.channels, since: now, reason: `placed by the person (signed request ${documentId})` },
        trx,
      );
      await enqueueNotification(trx, {
        personHash: person.personHash,
        event: 'restriction.placed',
        payload: { restrictionId: restriction.id, products: restriction.products, channels: restriction.channels, since: restriction.since, documentId },
        subjectId: restriction.id,
        at: now,
      });
      return { restriction, documentId };
    });
  }

  async requestLift(person: PersonRef, cms: Buffer, observe?: ReportObserver): Promise<LiftView> {
    const verified = await this.documents.verify(cms, { personHash: person.personHash, actions: ['restriction.lift'], observe });
    const request = requestOf(LiftRequestDocument, verified);
    const now = this.clock();
    const effectiveAt = new Date(now.getTime() + this.coolingOffHours * HOUR);
    let liftedUntil: Date | null = null;
    let lenderBin: string | null = null;
    if (request.scope === 'entire') {
      if (request.until !== undefined || request.lenderBin !== undefined || request.hours !== undefined) {
        throw AppError.unprocessable('LIFT_INVALID', 'An entire lift takes no until, lenderBin or hours');
      }
    } else if (request.scope === 'until') {
      if (request.until === undefined || request.lenderBin !== undefined || request.hours !== undefined) {
        throw AppError.unprocessable('LIFT_INVALID', 'A lift until a date takes "until" and nothing else');
      }
      liftedUntil = new Date(request.until);
      if (Number.isNaN(liftedUntil.getTime())) throw AppError.unprocessable('LIFT_INVALID', '"until" is not a date');
      if (liftedUntil <= effectiveAt) {
        throw AppError.unprocessable('LIFT_UNTIL_TOO_EARLY', `"until" must be after the lift takes effect (${effectiveAt.toISOString()}, after the cooling-off)`);
      }
    } else {
      if (request.lenderBin === undefined || request.hours === undefined || request.until !== undefined) {
        throw AppError.unprocessable('LIFT_INVALID', 'A lift for one lender takes "lenderBin" and "hours"');
      }
      const bin = checkBin(request.lenderBin);
      if (!bin.ok) throw AppError.unprocessable('LIFT_INVALID_BIN', `"${request.lenderBin}" is not a valid BIN (${bin.problem})`);
      lenderBin = request.lenderBin;
      liftedUntil = new Date(effectiveAt.getTime() + request.hours * HOUR);
    }
    if (request.restrictionId !== null && !(await this.restrictions.findOf(person.personHash, request.restrictionId))) {
      throw AppError.notFound('RESTRICTION_NOT_FOUND', `You have no restriction ${request.restrictionId}`);
    }
    if (request.restrictionId === null && (await this.restrictions.activeFor(person.personHash, now)).length === 0) {
      throw AppError.conflict('NOTHING_TO_LIFT', 'You have no restriction in force to lift');
    }

    return this.database.db.transaction().execute(async (trx) => {
      const documentId = await this.documents.store(trx, verified);
      const row: LiftRow = {
        id: randomUUID(),
        person_hash: person.personHash,
        restriction_id: request.restrictionId,
        scope: request.scope,
        lender_bin: lenderBin,
        requested_at: now,
        effective_at: effectiveAt,
        lifted_until: liftedUntil,
        cancelled_at: null,
        document_id: documentId,
      };
      await this.repository.insert(trx, row);
      const view = presentLift(row, now);
      const payload = { liftId: row.id, restrictionId: view.restrictionId, scope: view.scope, lenderBin, effectiveAt: view.effectiveAt, liftedUntil: view.liftedUntil };
      await enqueueNotification(trx, { personHash: person.personHash, event: 'lift.requested', payload, subjectId: row.id, at: now });
      await appendToLog(trx, { kind: 'restriction.lifted', subject: person.personHash, details: payload });
      // The notice that it is now in effect waits in the outbox until then; a cancel withdraws it.
      await enqueueNotification(trx, { personHash: person.personHash, event: 'lift.effective', payload, subjectId: row.id, at: now, availableAt: effectiveAt });
      return view;
    });
  }

  async cancel(person: PersonRef, id: string): Promise<LiftView> {
    const now = this.clock();
    return this.database.db.transaction().execute(async (trx) => {
      const row = await this.repository.findOf(trx, person.personHash, id, { lock: true });
      if (!row) throw AppError.notFound('LIFT_NOT_FOUND', `You have no lift ${id}`);
      if (row.cancelled_at) throw AppError.conflict('LIFT_ALREADY_CANCELLED', 'This lift was already cancelled');
      if (!(await this.repository.cancel(trx, person.personHash, id, now))) {
        throw AppError.conflict('LIFT_ALREADY_EFFECTIVE', 'The cooling-off is over and the lift is in effect; to restore protection, place a new restriction');
      }
      await cancelPendingNotifications(trx, id, 'lift.effective', now);
      await enqueueNotification(trx, { personHash: person.personHash, event: 'lift.cancelled', payload: { liftId: id, scope: row.scope }, subjectId: id, at: now });
      await appendToLog(trx, { kind: 'restriction.lift-cancelled', subject: person.personHash, details: { liftId: id, restrictionId: row.restriction_id, scope: row.scope } });
      return presentLift({ ...row, cancelled_at: now }, now);
    });
  }

  async list(personHash: Buffer): Promise<LiftView[]> {
    const now = this.clock();
    return (await this.repository.ofPerson(personHash)).map((r) => presentLift(r, now));
  }
}
