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
