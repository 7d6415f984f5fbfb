import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
import type { Pseudonymizer } from '../../../privacy/pseudonym.js';
import type { SignatureVerifier, VerificationReport } from '../signature-verifier.js';

/** Sees the verifier's report of a signed request, whatever the outcome (usage evidence). */
export type ReportObserver = (report: VerificationReport) => void;
import { parseSignedData } from '../../../pkix/signed-data-parser.js';
import { canonicalJson } from './canonical-json.js';
import { acceptSigner } from './signer-requirements.js';

/** How far a request's issuedAt may be from the server's clock: a signed request is for now, not for later. */
const FRESHNESS_MS = 10 * 60_000;

/** The fields every signed request carries; the action adds its own. */
export interface SignedRequestBody {
  action: string;
  iin: string;
  nonce: string;
  issuedAt: string;
  [field: string]: unknown;
}

/** A verified request, not yet stored. */
export interface VerifiedRequest {
  personHash: Buffer;
  body: SignedRequestBody;
  content: Buffer;
  cms: Buffer;
  certificateSerial: string;
  certificateSha256: string;
  signedAt: Date;
}

export interface StoredDocument {
  id: string;
  action: string;
  content: string;
  cms: Buffer;
  certificateSerial: string;
  certificateSha256: string;
  signedAt: Date;
  receivedAt: Date;
}

/** A concurrent request with the same nonce loses on the unique index: a replay, not a 500. */
async function insertOnce(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw AppError.conflict('DOCUMENT_REPLAYED', 'This signed request was already received (its nonce is used): sign a new one');
    throw err;
  }
}

const refuse = (code: string, detail: string) => new AppError('unprocessable', code, detail);

/**
 * Requests a person signs with their SIGN certificate (placing or lifting a restriction):
 * verified (signature, chain, validity, revocation, purpose, the session's person, fresh,
 * canonical), then kept as evidence exactly as received. It holds the IIN, so trust/ owns it.
 */
export class SignedDocuments {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly verifier: SignatureVerifier,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async verify(cms: Buffer, expected: { personHash: Buffer; actions: readonly string[]; observe?: ReportObserver }): Promise<VerifiedRequest> {
    const report = await this.verifier.verify(cms);
    expected.observe?.(report);
    if (report.detached) throw refuse('DOCUMENT_DETACHED', 'Send the signed request with its content (an attached CMS)');
    const accepted = acceptSigner(report, { purpose: 'SIGN', prefix: 'DOCUMENT', kind: 'unprocessable' });
    const content = parseSignedData(cms).eContent!;
    let body: unknown;
    try {
      body = JSON.parse(content.toString('utf8'));
    } catch {
      throw refuse('DOCUMENT_MALFORMED', 'The signed content is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw refuse('DOCUMENT_MALFORMED', 'The signed content is not a JSON object');
    if (canonicalJson(body) !== content.toString('utf8')) {
      throw refuse('DOCUMENT_NOT_CANONICAL', 'The signed content is not canonical JSON (keys sorted, no whitespace)');
    }
    const request = body as Partial<SignedRequestBody>;
    for (const field of ['action', 'iin', 'nonce', 'issuedAt'] as const) {
      if (typeof request[field] !== 'string') throw refuse('DOCUMENT_MALFORMED', `The signed request has no "${field}"`);
    }
    if (!expected.actions.includes(request.action!)) {
      throw refuse('DOCUMENT_WRONG_ACTION', `This route takes a signed "${expected.actions.join('" or "')}" request, not "${request.action}"`);
    }
    if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(request.nonce!)) throw refuse('DOCUMENT_MALFORMED', 'The nonce must be 8 to 128 letters, digits or _.:-');
    const personHash = this.pseudonymizer.of(accepted.iin);
    if (!personHash.equals(expected.personHash)) {
      throw new AppError('forbidden', 'DOCUMENT_SIGNER_NOT_SIGNED_IN', 'The request is signed by another person than the one signed in');
    }
    if (request.iin !== accepted.iin) throw refuse('DOCUMENT_IIN_MISMATCH', "The request names another IIN than the signer's certificate");
    const issuedAt = new Date(request.issuedAt!);
    if (Number.isNaN(issuedAt.getTime())) throw refuse('DOCUMENT_MALFORMED', 'issuedAt is not a date');
    if (Math.abs(issuedAt.getTime() - this.clock().getTime()) > FRESHNESS_MS) {
      throw refuse('DOCUMENT_STALE', 'The request was not issued within the last 10 minutes: sign a new one');
    }
    return {
      personHash,
      body: request as SignedRequestBody,
      content,
      cms,
      certificateSerial: accepted.certificate.serialNumber,
      certificateSha256: accepted.certificate.sha256Fingerprint,
      signedAt: accepted.signedAt,
    };
  }

  /** Keeps the request as evidence, in the caller's transaction; a nonce is accepted once. */
  async store(db: Kysely<DB>, request: VerifiedRequest): Promise<string> {
    const seen = await db.selectFrom('signed_documents').select('id').where('person_hash', '=', request.personHash).where('nonce', '=', request.body.nonce).executeTakeFirst();
    if (seen) throw AppError.conflict('DOCUMENT_REPLAYED', 'This signed request was already received (its nonce is used): sign a new one');
    const id = randomUUID();
    await insertOnce(() =>
      db
        .insertInto('signed_documents')
        .values({
          id,
          person_hash: request.personHash,
          action: request.body.action,
          nonce: request.body.nonce,
          content: request.content,
          cms: request.cms,
          certificate_serial: request.certificateSerial,
          certificate_sha256: request.certificateSha256,
          signed_at: request.signedAt,
          received_at: this.clock(),
        })
        .execute(),
    );
    return id;
  }

  /** The person's signed requests, newest first (without their bytes). */
  async listOf(personHash: Buffer, limit = 200): Promise<{ id: string; action: string; signedAt: Date; receivedAt: Date }[]> {
    const rows = await this.db
      .selectFrom('signed_documents')
      .select(['id', 'action', 'signed_at', 'received_at'])
      .where('person_hash', '=', personHash)
      .orderBy('received_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, action: r.action, signedAt: new Date(r.signed_at), receivedAt: new Date(r.received_at) }));
  }

  /** A document of this person; another person's is as absent as one never stored. */
  async find(personHash: Buffer, id: string): Promise<StoredDocument | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
    const row = await this.db.selectFrom('signed_documents').selectAll().where('id', '=', id).where('person_hash', '=', personHash).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      action: row.action,
      content: Buffer.from(row.content).toString('utf8'),
      cms: Buffer.from(row.cms),
      certificateSerial: row.certificate_serial,
      certificateSha256: row.certificate_sha256,
      signedAt: new Date(row.signed_at),
      receivedAt: new Date(row.received_at),
    };
  }
}
