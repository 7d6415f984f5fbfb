import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';

/**
 * The only SQL of revocation: certificates' revocation columns, the revocation events
 * and the signed CRLs. Writers take the caller's Kysely (often a transaction); readers of
 * status take the replica side.
 */

export interface CertificateRevocationRow {
  issuer: string;
  serial: string;
  pair_id: string | null;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

export async function lockCertificates(db: Kysely<DB>, issuer: string, serials: string[]): Promise<CertificateRevocationRow[]> {
  if (serials.length === 0) return [];
  return db
    .selectFrom('certificates')
    .select(['issuer', 'serial', 'pair_id', 'revoked_at', 'revocation_reason'])
    .where('issuer', '=', issuer)
    .where('serial', 'in', serials)
    .orderBy('serial')
    .forUpdate()
    .execute();
}

/** The other certificates issued together with these (AUTH and SIGN pairs). */
export async function lockPairMembers(db: Kysely<DB>, issuer: string, pairIds: string[], except: string[]): Promise<CertificateRevocationRow[]> {
  if (pairIds.length === 0) return [];
  let query = db
    .selectFrom('certificates')
    .select(['issuer', 'serial', 'pair_id', 'revoked_at', 'revocation_reason'])
    .where('issuer', '=', issuer)
    .where('pair_id', 'in', pairIds);
  if (except.length > 0) query = query.where('serial', 'not in', except);
  return query.orderBy('serial').forUpdate().execute();
}

export interface RevocationWrite {
  issuer: string;
  serial: string;
  reason: string;
  revokedAt: Date;
  invalidityDate: Date | null;
}

export async function markRevoked(db: Kysely<DB>, write: RevocationWrite): Promise<void> {
  await db
    .updateTable('certificates')
    .set({ revoked_at: write.revokedAt, revocation_reason: write.reason, invalidity_date: write.invalidityDate })
    .where('issuer', '=', write.issuer)
    .where('serial', '=', write.serial)
    .execute();
}

export async function clearRevocation(db: Kysely<DB>, issuer: string, serial: string): Promise<void> {
  await db
    .updateTable('certificates')
    .set({ revoked_at: null, revocation_reason: null, invalidity_date: null })
    .where('issuer', '=', issuer)
    .where('serial', '=', serial)
    .execute();
}

export interface RevocationEvent {
  issuer: string;
  serial: string;
  action: 'revoke' | 'release-hold';
  reason: string | null;
  revoked_at: Date | null;
  invalidity_date: Date | null;
  actor: string;
}

export async function insertEvents(db: Kysely<DB>, events: RevocationEvent[]): Promise<void> {
  if (events.length > 0) await db.insertInto('certificate_revocation_events').values(events).execute();
}

export const REVOCATION_CHANNEL = 'qorgau_revocations';
/** NOTIFY payloads must stay under 8000 bytes: 200 serials of 42 hex digits fit. */
const SERIALS_PER_NOTIFICATION = 150;

/**
 * Tells every instance which serials changed ("<issuer> <serial>,<serial>,..."), so status
 * caches re-read exactly those; delivered only when the transaction commits.
 */
export async function notifyRevocation(db: Kysely<DB>, issuer: string, serials: string[]): Promise<void> {
  for (let i = 0; i < serials.length; i += SERIALS_PER_NOTIFICATION) {
    const payload = `${issuer} ${serials.slice(i, i + SERIALS_PER_NOTIFICATION).join(',')}`;
    await sql`select pg_notify(${REVOCATION_CHANNEL}, ${payload})`.execute(db);
  }
}

export function parseRevocationNotice(payload: string): { issuer: string; serials: string[] } | null {
  const [issuer, list] = payload.split(' ', 2);
  if (!issuer || !list) return null;
  return { issuer, serials: list.split(',').filter((s) => /^[0-9a-f]{2,42}$/.test(s)) };
}

// ---- CRL -----------------------------------------------------------------

/** The highest id and the number of an issuer's committed revocation events (see CrlMeta.eventCount). */
export async function eventMarker(db: Kysely<DB>, issuer: string): Promise<{ lastEventId: number; eventCount: number }> {
  const row = await db
    .selectFrom('certificate_revocation_events')
    .select([sql<string>`coalesce(max(id), 0)::text`.as('id'), sql<string>`count(*)::text`.as('n')])
    .where('issuer', '=', issuer)
    .executeTakeFirstOrThrow();
  return { lastEventId: Number(row.id), eventCount: Number(row.n) };
}

export interface CrlMeta {
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  lastEventId: number;
  /**
   * How many events its snapshot saw. This, not lastEventId, says whether a CRL is current:
   * a transaction holding a lower id can commit after a higher id was seen.
   */
  eventCount: number;
}

export async function latestCrlMeta(db: Kysely<DB>, issuer: string): Promise<CrlMeta | undefined> {
  const row = await db
    .selectFrom('crls')
    .select([
      sql<string>`crl_number::text`.as('crl_number'),
      'this_update',
      'next_update',
      'entries',
      sql<string>`last_event_id::text`.as('last_event_id'),
      sql<string>`event_count::text`.as('event_count'),
    ])
    .where('issuer', '=', issuer)
    .orderBy('crl_number', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    crlNumber: Number(row.crl_number),
    thisUpdate: new Date(row.this_update),
    nextUpdate: new Date(row.next_update),
    entries: row.entries,
    lastEventId: Number(row.last_event_id),
    eventCount: Number(row.event_count),
  };
}

export async function crlDer(db: Kysely<DB>, issuer: string, crlNumber: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('crls').select('der').where('issuer', '=', issuer).where('crl_number', '=', crlNumber).executeTakeFirst();
  return row?.der;
}

export interface RevokedEntryRow {
  serial: string;
  revoked_ms: number;
  revocation_reason: string | null;
  invalidity_ms: number | null;
}

/**
 * One page of an issuer's unexpired revoked certificates after `afterSerial`, in byte
 * order of the serial (certificates_crl_order_idx). Times come as epoch milliseconds so
 * no Date object is made per row.
 */
export async function revokedPage(db: Kysely<DB>, issuer: string, afterSerial: string, limit: number, at: Date): Promise<RevokedEntryRow[]> {
  const result = await db.executeQuery<RevokedEntryRow>(
    CompiledQuery.raw(
      `select serial, (extract(epoch from revoked_at) * 1000)::float8 as revoked_ms, revocation_reason,
              (extract(epoch from invalidity_date) * 1000)::float8 as invalidity_ms
         from certificates
        where issuer = $1 and revoked_at is not null and (serial collate "C") > $2 and not_after > $3
        order by (serial collate "C")
        limit $4`,
      [issuer, afterSerial, at.toISOString(), limit],
    ),
  );
  return result.rows;
}

export async function insertCrl(
  db: Kysely<DB>,
  crl: { issuer: string; crlNumber: number; thisUpdate: Date; nextUpdate: Date; entries: number; lastEventId: number; eventCount: number; der: Buffer },
): Promise<boolean> {
  const result = await db
    .insertInto('crls')
    .values({
      issuer: crl.issuer,
      crl_number: crl.crlNumber,
      this_update: crl.thisUpdate,
      next_update: crl.nextUpdate,
      entries: crl.entries,
      last_event_id: crl.lastEventId,
      event_count: crl.eventCount,
      der: crl.der,
    })
    .onConflict((oc) => oc.columns(['issuer', 'crl_number']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Old CRLs are kept a little while for audit, not forever: a large one is tens of megabytes. */
export async function pruneCrls(db: Kysely<DB>, issuer: string, keepFrom: number): Promise<void> {
  await db.deleteFrom('crls').where('issuer', '=', issuer).where('crl_number', '<', keepFrom).execute();
}

// ---- OCSP ----------------------------------------------------------------

export interface CertificateStatusRow {
  serial: string;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

/** Status of several serials of one issuer in one round trip (the OCSP responder batches requests). */
export async function statusOfSerials(db: Kysely<DB>, issuer: string, serials: string[]): Promise<CertificateStatusRow[]> {
  const result = await db.executeQuery<CertificateStatusRow>(
    CompiledQuery.raw('select serial, revoked_at, revocation_reason from certificates where issuer = $1 and serial = any($2::text[])', [issuer, serials]),
  );
  return result.rows;
}

/** One page of an issuer's good certificates in serial order (the status cache's load; primary key index). */
export async function goodSerialsPage(db: Kysely<DB>, issuer: string, afterSerial: string, limit: number): Promise<string[]> {
  const result = await db.executeQuery<{ serial: string }>(
    CompiledQuery.raw('select serial from certificates where issuer = $1 and serial > $2 and revoked_at is null order by serial limit $3', [issuer, afterSerial, limit]),
  );
  return result.rows.map((r) => r.serial);
}

/** One page of an issuer's revoked certificates, expired ones included (partial index certificates_crl_order_idx). */
export async function revokedStatusPage(db: Kysely<DB>, issuer: string, afterSerial: string, limit: number): Promise<CertificateStatusRow[]> {
  const result = await db.executeQuery<CertificateStatusRow>(
    CompiledQuery.raw(
      `select serial, revoked_at, revocation_reason from certificates
        where issuer = $1 and revoked_at is not null and (serial collate "C") > $2
        order by (serial collate "C") limit $3`,
      [issuer, afterSerial, limit],
    ),
  );
  return result.rows;
}

// ---- pre-signed OCSP answers ------------------------------------------------

export interface PresignedRow {
  serial: string;
  revoked_at: Date | null;
  revocation_reason: string | null;
  this_update: Date;
  next_update: Date;
  tbs_response_data: Buffer;
  signature: Buffer;
}

const PRESIGNED_COLUMNS = 'serial, revoked_at, revocation_reason, this_update, next_update, tbs_response_data, signature';

/** The stored answers of several serials in one round trip (the responder groups its misses). */
export async function presignedOf(db: Kysely<DB>, issuer: string, serials: string[]): Promise<PresignedRow[]> {
  const result = await db.executeQuery<PresignedRow>(
    CompiledQuery.raw(`select ${PRESIGNED_COLUMNS} from ocsp_responses where issuer = $1 and serial = any($2::text[])`, [issuer, serials]),
  );
  return result.rows;
}

/**
 * Stores an answer unless a current one is there already: one that states the same status and
 * is not due for refresh (next_update after `refreshFrom`). Answers the row now stored, so two
 * instances signing at once both serve the one that won.
 */
export async function storePresigned(db: Kysely<DB>, issuer: string, row: PresignedRow, refreshFrom: Date): Promise<PresignedRow> {
  const result = await db.executeQuery<PresignedRow>(
    CompiledQuery.raw(
      `insert into ocsp_responses as r (issuer, serial, revoked_at, revocation_reason, this_update, next_update, tbs_response_data, signature)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (issuer, serial) do update set
         revoked_at = excluded.revoked_at, revocation_reason = excluded.revocation_reason, this_update = excluded.this_update,
         next_update = excluded.next_update, tbs_response_data = excluded.tbs_response_data, signature = excluded.signature
       where r.revoked_at is distinct from excluded.revoked_at or r.revocation_reason is distinct from excluded.revocation_reason
          or r.next_update <= $9
       returning ${PRESIGNED_COLUMNS}`,
      [issuer, row.serial, row.revoked_at, row.revocation_reason, row.this_update, row.next_update, row.tbs_response_data, row.signature, refreshFrom],
    ),
  );
  if (result.rows[0]) return result.rows[0];
  const [current] = await presignedOf(db, issuer, [row.serial]);
  return current ?? row;
}

/** A revocation or release drops the stored answers of its serials in its own transaction. */
export async function deletePresigned(db: Kysely<DB>, issuer: string, serials: string[]): Promise<void> {
  if (serials.length > 0) await db.deleteFrom('ocsp_responses').where('issuer', '=', issuer).where('serial', 'in', serials).execute();
}

export interface DueForSigning {
  serial: string;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

/**
 * One page, in serial order after `afterSerial`, of an issuer's unexpired certificates whose
 * stored answer is missing, states another status, or is due for refresh. Walks the primary key,
 * so a pass over millions of certificates reads each once.
 */
export async function dueForSigningPage(db: Kysely<DB>, issuer: string, afterSerial: string, refreshFrom: Date, limit: number): Promise<{ due: DueForSigning[]; last: string | null }> {
  const result = await db.executeQuery<DueForSigning & { due: boolean }>(
    CompiledQuery.raw(
      `select c.serial, c.revoked_at, c.revocation_reason,
              (r.serial is null or r.next_update <= $3 or r.revoked_at is distinct from c.revoked_at
               or r.revocation_reason is distinct from c.revocation_reason) as due
         from (select serial, revoked_at, revocation_reason from certificates
                where issuer = $1 and serial > $2 and not_after > now() order by serial limit $4) c
         left join ocsp_responses r on r.issuer = $1 and r.serial = c.serial
        order by c.serial`,
      [issuer, afterSerial, refreshFrom, limit],
    ),
  );
  return { due: result.rows.filter((r) => r.due).map(({ serial, revoked_at, revocation_reason }) => ({ serial, revoked_at, revocation_reason })), last: result.rows.at(-1)?.serial ?? null };
}

/** Stored answers due for refresh (next_update before `refreshFrom`) of unexpired certificates, soonest first, with the status now. */
export async function dueForRefresh(db: Kysely<DB>, issuer: string, refreshFrom: Date, limit: number): Promise<DueForSigning[]> {
  const result = await db.executeQuery<DueForSigning>(
    CompiledQuery.raw(
      `select c.serial, c.revoked_at, c.revocation_reason
         from ocsp_responses r join certificates c on c.issuer = r.issuer and c.serial = r.serial
        where r.issuer = $1 and r.next_update <= $2 and c.not_after > now()
        order by r.next_update limit $3`,
      [issuer, refreshFrom, limit],
    ),
  );
  return result.rows;
}

/** A signing pass's page of answers in one statement (hex and ISO text arrays read the same on PostgreSQL and PGlite). */
export async function storePresignedMany(db: Kysely<DB>, issuer: string, rows: PresignedRow[], refreshFrom: Date): Promise<void> {
  if (rows.length === 0) return;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  await db.executeQuery(
    CompiledQuery.raw(
      `insert into ocsp_responses as r (issuer, serial, revoked_at, revocation_reason, this_update, next_update, tbs_response_data, signature)
       select $1, a.serial, a.revoked_at, a.reason, a.this_update, a.next_update, decode(a.tbs, 'hex'), decode(a.sig, 'hex')
         from unnest($2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[])
              as a(serial, revoked_at, reason, this_update, next_update, tbs, sig)
        order by a.serial
       on conflict (issuer, serial) do update set
         revoked_at = excluded.revoked_at, revocation_reason = excluded.revocation_reason, this_update = excluded.this_update,
         next_update = excluded.next_update, tbs_response_data = excluded.tbs_response_data, signature = excluded.signature
       where r.revoked_at is distinct from excluded.revoked_at or r.revocation_reason is distinct from excluded.revocation_reason
          or r.next_update <= $9`,
      [
        issuer,
        rows.map((r) => r.serial),
        rows.map((r) => iso(r.revoked_at)),
        rows.map((r) => r.revocation_reason),
        rows.map((r) => iso(r.this_update)),
        rows.map((r) => iso(r.next_update)),
        rows.map((r) => r.tbs_response_data.toString('hex')),
        rows.map((r) => r.signature.toString('hex')),
        refreshFrom,
      ],
    ),
  );
}
