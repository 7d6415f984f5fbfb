import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type {} from 'fastify';
import type { DB } from '../../db/types.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { checkIin } from '../../identifiers/iin.js';
import { enqueueNotifications } from '../notifications/index.js';
import type { SignatureUse, VerificationReport } from '../trust/index.js';
import { AlertService, NEW_DEVICE } from './alerts.js';
import { addToHourProfiles, departureRules, twoDevicesRule, unusualHoursRule, type EventBatch, type HourUses } from './misuse-rules.js';
import type { UsagePurpose } from './usage.tables.js';
import { UsageRepository } from './usage.repository.js';

/** One use of a certificate, as the platform saw it or a relying party reports it. */
export interface UsageEventInput {
  occurredAt: Date;
  certificateSerial: string;
  certificateIssuer: string;
  /** The holder's IIN: matched against employment records, stored only as its pseudonym. */
  holderIin?: string;
  organizationBin?: string;
  purpose: UsagePurpose;
  outcome: 'accepted' | 'refused';
  refusal?: string;
  clientIp?: string;
  deviceId?: string;
  /** When the document was signed (the time stamp's time if it has one). */
  signedAt?: Date;
  signedAtSource?: string;
  /** When the certificate was revoked, if the verifier saw it revoked. */
  certificateRevokedAt?: Date;
  /** "platform" or the relying party's token name. */
  source: string;
  /** The reporter's own id of the event: an event whose (source, id) is already stored is not stored or judged again. */
  clientEventId?: string;
}

export interface IngestResult {
  eventIds: string[];
  alertIds: string[];
}

/** The events of a batch at the given positions. */
function subsetOf(batch: EventBatch, keep: number[]): EventBatch {
  const pick = <T>(values: T[]) => keep.map((i) => values[i]);
  return {
    ids: pick(batch.ids), occurredAt: pick(batch.occurredAt), serials: pick(batch.serials), issuers: pick(batch.issuers), persons: pick(batch.persons),
    bins: pick(batch.bins), iins: pick(batch.iins), devices: pick(batch.devices), networks: pick(batch.networks), signedAt: pick(batch.signedAt),
    revokedAt: pick(batch.revokedAt), purposes: pick(batch.purposes),
  };
}

/** Two uses from one office network are one network: IPv4 /24, IPv6 /48. */
export function networkOf(ip: string | undefined): string | null {
  if (!ip) return null;
  const bare = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(bare);
  if (family === 4) return bare.split('.').slice(0, 3).join('.') + '.0/24';
  if (family === 6) {
    const [head, tail = ''] = bare.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = bare.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return groups.slice(0, 3).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/48';
  }
  return null;
}

export interface UsageServiceOptions {
  twoDevicesWindowMinutes: number;
  /**
   * The own CA's issuing certificate (its DN, as events carry it) and a port to its revocation
   * status (the CA's CertificateHoldings.revokedAmong): events of the own CA that did not bring
   * a revocation date get it from there.
   */
  ownIssuer?: { dn: string; revokedAmong: (serials: string[]) => Promise<Map<string, Date>> };
  clock?: () => Date;
}

/**
 * Usage events: stored in batches, set-based, with the misuse rules run on each batch in the
 * same transaction, so an acknowledged event has been judged. The holder is told when their
 * certificate is used from a device it was not used from before.
 */
export class UsageService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly pseudonymizer: Pseudonymizer,
    readonly alerts: AlertService,
    private readonly options: UsageServiceOptions,
  ) {}

  async ingest(events: UsageEventInput[]): Promise<IngestResult> {
    if (events.length === 0) return { eventIds: [], alertIds: [] };
    const now = this.options.clock ? this.options.clock() : new Date();
    const revokedAt = await this.ownRevocations(events);
    let profileUses: HourUses = { keys: [], hours: [] };
    const result = await this.db.transaction().execute(async (trx) => {
      const usage = new UsageRepository(trx);
      let batch: EventBatch = {
        ids: await usage.allocateIds(events.length),
        occurredAt: events.map((e) => e.occurredAt),
        serials: events.map((e) => e.certificateSerial.toLowerCase()),
        issuers: events.map((e) => e.certificateIssuer),
        iins: events.map((e) => (e.holderIin && checkIin(e.holderIin).ok ? e.holderIin : null)),
        persons: [],
        bins: events.map((e) => e.organizationBin ?? null),
        devices: events.map((e) => e.deviceId ?? null),
        networks: events.map((e) => networkOf(e.clientIp)),
        signedAt: events.map((e) => e.signedAt ?? null),
        revokedAt: events.map((e, i) => e.certificateRevokedAt ?? revokedAt[i]),
        purposes: events.map((e) => e.purpose),
      };
      batch.persons = batch.iins.map((iin) => (iin ? this.pseudonymizer.of(iin).toString('hex') : null));
      const stored = await usage.insert(
        events.map((e, i) => ({
          id: batch.ids[i],
          occurredAt: e.occurredAt,
          serial: batch.serials[i],
          issuer: batch.issuers[i],
          person: batch.persons[i],
          bin: batch.bins[i],
          purpose: e.purpose,
          outcome: e.outcome,
          refusal: e.refusal ?? null,
          clientIp: e.clientIp ?? null,
          network: batch.networks[i],
          device: batch.devices[i],
          signedAt: batch.signedAt[i],
          signedAtSource: e.signedAtSource ?? null,
          revokedAt: batch.revokedAt[i],
          source: e.source,
          clientEventId: e.clientEventId ?? null,
        })),
        now,
      );

      // A retried batch: events already stored under the reporter's ids answer with their stored ids and are not judged again.
      const allIds = [...batch.ids];
      if (stored.size < events.length) {
        const keep = batch.ids.map((id, i) => (stored.has(id) ? i : -1)).filter((i) => i >= 0);
        const retried = events.map((e, i) => (stored.has(batch.ids[i]) ? null : e.clientEventId ?? null));
        const idOf = await usage.storedIds(events.map((e, i) => ({ source: e.source, clientEventId: retried[i] })));
        retried.forEach((cid, i) => {
          if (cid !== null) allIds[i] = idOf.get(`${events[i].source}\u0000${cid}`) ?? allIds[i];
        });
        batch = subsetOf(batch, keep);
      }

      const found = [
        ...(await departureRules(trx, batch)),
        ...(await twoDevicesRule(trx, batch, this.options.twoDevicesWindowMinutes)),
      ];
      const hours = await unusualHoursRule(trx, batch);
      found.push(...hours.found);
      profileUses = hours.uses;
      await this.noticeNewDevices(trx, batch, now);
      // Last: an alert row seen by concurrent batches stays locked only until this commit.
      const alertIds = await this.alerts.save(trx, found, now);
      return { eventIds: allIds, alertIds };
    });
    await addToHourProfiles(new UsageRepository(this.db), profileUses);
    return result;
  }

  /** Revocation of the own CA's certificates, from pki's status, for events that did not bring it. */
  private async ownRevocations(events: UsageEventInput[]): Promise<(Date | null)[]> {
    const own = this.options.ownIssuer;
    const result = events.map(() => null as Date | null);
    if (!own) return result;
    const serials = [...new Set(events.filter((e) => e.certificateIssuer === own.dn && !e.certificateRevokedAt).map((e) => e.certificateSerial.toLowerCase()))];
    if (serials.length === 0) return result;
    const revoked = await own.revokedAmong(serials);
    events.forEach((e, i) => {
      if (e.certificateIssuer === own.dn) result[i] = revoked.get(e.certificateSerial.toLowerCase()) ?? null;
    });
    return result;
  }

  /** A device first seen for a certificate that was used before from another one: its holder is told. */
  private async noticeNewDevices(trx: Kysely<DB>, batch: EventBatch, at: Date): Promise<void> {
    const index = batch.ids.map((_, i) => i).filter((i) => batch.devices[i]);
    if (index.length === 0) return;
    const seenBefore = await new UsageRepository(trx).newDevicesOfUsedCertificates(
      index.map((i) => ({ serial: batch.serials[i], issuer: batch.issuers[i], device: batch.devices[i]!, event: batch.ids[i], at: batch.occurredAt[i] })),
    );
    if (seenBefore.length === 0) return;
    const position = new Map(batch.ids.map((id, i) => [id, i]));
    const entries = seenBefore.flatMap((event) => {
      const i = position.get(event)!;
      const person = batch.persons[i];
      return person
        ? [{ personHash: Buffer.from(person, 'hex'), payload: { certificateSerial: batch.serials[i], deviceId: batch.devices[i], at: batch.occurredAt[i].toISOString(), purpose: batch.purposes[i], eventId: batch.ids[i] } }]
        : [];
    });
    await enqueueNotifications(trx, NEW_DEVICE, at, entries);
  }

  /** Where a holder's certificates were used (self-service): newest first. */
  async usesOf(iin: string, limit = 100) {
    const rows = await new UsageRepository(this.db).ofPerson(this.pseudonymizer.of(iin), limit);
    return rows.map((r) => ({
      id: String(r.id),
      occurredAt: new Date(r.occurred_at).toISOString(),
      certificateSerial: r.certificate_serial,
      purpose: r.purpose,
      outcome: r.outcome,
      deviceId: r.device_id,
      clientIp: r.client_ip,
      organizationBin: r.organization_bin,
    }));
  }
}

/** The usage a verification report shows: signer certificate, holder, organization, signing time. */
function usageOfReport(report: VerificationReport): Omit<UsageEventInput, 'occurredAt' | 'purpose' | 'outcome' | 'source'> | undefined {
  const signer = report.signers[0];
  if (!signer?.certificate) return undefined;
  const revoked = signer.checks.find((c) => c.check === 'revocation' && c.code === 'REVOKED');
  return {
    certificateSerial: signer.certificate.serialNumber,
    certificateIssuer: signer.certificate.issuer,
    holderIin: signer.signer?.iin?.valid ? signer.signer.iin.value : undefined,
    organizationBin: signer.signer?.organization?.bin?.valid ? signer.signer.organization.bin.value : undefined,
    signedAt: signer.signedAt.source === 'verification-time' ? undefined : new Date(signer.signedAt.time),
    signedAtSource: signer.signedAt.source,
    // The report says revoked without the date; the use is after the revocation by construction.
    certificateRevokedAt: revoked ? new Date(report.verifiedAt) : undefined,
  };
}



/**
 * Records one use of a certificate the platform saw (trust's `signatureUsed` event, announced
 * only for a signature that verified): the signer from the report, the source from who saw it.
 */
export async function recordSignatureUse(usage: UsageService, use: SignatureUse): Promise<void> {
  const seen = usageOfReport(use.report);
  if (!seen) return;
  const refused = use.refusal !== undefined || use.report.result !== 'valid';
  const source = use.reporter.kind === 'platform' ? 'platform' : `token:${use.reporter.name}`;
  await usage.ingest([
    { ...seen, occurredAt: use.at, purpose: use.purpose, outcome: refused ? 'refused' : 'accepted', refusal: use.refusal, clientIp: use.clientIp, deviceId: use.deviceId, source },
  ]);
}

declare module 'fastify' {
  interface FastifyInstance {
    usage?: UsageService;
  }
}
