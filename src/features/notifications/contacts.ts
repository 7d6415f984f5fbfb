import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { NotificationMessage } from './channels.js';
import { renderMessage, type NoticeLanguage } from './messages.js';
import type { ContactChannel } from './notifications.tables.js';
import { enqueueNotification } from './outbox.js';

export interface ContactView {
  id: string;
  channel: ContactChannel;
  address: string;
  language: NoticeLanguage;
  /** False until the owner of an e-mail address typed the code sent to it: until then it gets no notices. */
  verified: boolean;
  createdAt: string;
}

export interface CodeSent {
  contactId: string;
  sentAt: string;
  expiresAt: string;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const MAX_CONTACTS = 5;

/**
 * The confirmation code's rules. Six digits give a guesser 5 tries in 1,000,000 per code; a
 * code lives 15 minutes; codes are sent at most once a minute per contact, 10 an hour per
 * person and 5 an hour per address (so nobody can flood a stranger's mailbox by adding it
 * again and again, even from several accounts).
 */
export const CODE_RULES = { digits: 6, minutes: 15, attempts: 5, resendSeconds: 60, perPersonPerHour: 10, perAddressPerHour: 5 } as const;

/** Checks an address for its channel; a webhook is http(s) without credentials in the URL. */
export function normalizeAddress(channel: ContactChannel, address: string): string {
  const value = address.trim();
  if (channel === 'email') {
    if (!EMAIL.test(value)) throw AppError.badRequest('CONTACT_INVALID_EMAIL', `"${address}" is not an e-mail address`);
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw AppError.badRequest('CONTACT_INVALID_URL', `"${address}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw AppError.badRequest('CONTACT_INVALID_URL', 'A webhook URL must be http or https');
  if (url.username || url.password) throw AppError.badRequest('CONTACT_INVALID_URL', 'A webhook URL must not carry credentials');
  return url.toString();
}

type ContactRow = { id: string; channel: ContactChannel; address: string; language: NoticeLanguage; created_at: Date | string; verified_at: Date | string | null };

function view(r: ContactRow): ContactView {
  return { id: r.id, channel: r.channel, address: r.address, language: r.language, verified: r.verified_at !== null, createdAt: new Date(r.created_at).toISOString() };
}

const COLUMNS = ['id', 'channel', 'address', 'language', 'created_at', 'verified_at'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ContactServiceOptions {
  /** The channels this deployment can deliver through (e-mail needs an SMTP server). */
  channels?: readonly ContactChannel[];
  clock?: () => Date;
  /** Key of the codes' HMAC: a stolen table of hashes cannot be tried against the 10^6 codes without it. */
  codeKey: Buffer;
  /** Sends the code's letter now (not through the outbox, which would keep the code in clear). */
  sendCode?: (address: string, message: NotificationMessage) => Promise<void>;
}

/** Where a person wants their notices: e-mail addresses and webhook URLs, by pseudonym. */
export class ContactService {
  private readonly channels: readonly ContactChannel[];
  private readonly clock: () => Date;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: ContactServiceOptions,
  ) {
    this.channels = options.channels ?? ['email', 'webhook'];
    this.clock = options.clock ?? (() => new Date());
  }

  async list(personHash: Buffer): Promise<ContactView[]> {
    const rows = await this.db.selectFrom('notification_contacts').select(COLUMNS).where('person_hash', '=', personHash).where('removed_at', 'is', null).orderBy('created_at').execute();
    return rows.map(view);
  }

  /**
   * Adds a contact. A webhook works at once; an e-mail address first gets a code and receives
   * nothing else until the code is confirmed. The code's letter is sent after the contact is
   * stored, so a failing mail server leaves a contact that can ask for a new code.
   */
  async add(
    personHash: Buffer,
    channel: ContactChannel,
    address: string,
    language: NoticeLanguage,
    /** An operator adding an office mailbox (the inspectors') vouches for it: no code. Never for a person's own contact. */
    options: { vouchedFor?: boolean } = {},
  ): Promise<{ contact: ContactView; code: CodeSent | null }> {
    if (!this.channels.includes(channel)) {
      throw AppError.conflict('CONTACT_CHANNEL_UNAVAILABLE', `This server does not send notices by ${channel}; use ${this.channels.join(' or ') || 'none'}`);
    }
    const normalized = normalizeAddress(channel, address);
    const added = await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('notification_contacts').select(COLUMNS).where('person_hash', '=', personHash).where('removed_at', 'is', null).forUpdate().execute();
      const same = existing.find((c) => c.channel === channel && c.address === normalized);
      if (same) return { contact: view(same), isNew: false };
      if (existing.length >= MAX_CONTACTS) throw AppError.conflict('CONTACT_LIMIT', `At most ${MAX_CONTACTS} contacts; remove one first`);
      const now = this.clock();
      const row: ContactRow = { id: randomUUID(), channel, address: normalized, language, created_at: now, verified_at: channel === 'webhook' || options.vouchedFor ? now : null };
      await trx.insertInto('notification_contacts').values({ ...row, person_hash: personHash }).execute();
      if (row.verified_at) await enqueueNotification(trx, { personHash, event: 'contact.added', payload: { channel }, at: now });
      return { contact: view(row), isNew: true };
    });
    if (!added.isNew || added.contact.verified) return { contact: added.contact, code: null };
    return { contact: added.contact, code: await this.sendCode(personHash, added.contact.id) };
  }

  /** Changes the language of a contact's notices. */
  async setLanguage(personHash: Buffer, id: string, language: NoticeLanguage): Promise<ContactView> {
    if (!UUID.test(id)) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    const row = await this.db
      .updateTable('notification_contacts')
      .set({ language })
      .where('id', '=', id)
      .where('person_hash', '=', personHash)
      .where('removed_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    return view(row);
  }

  /** Makes a new code for an unconfirmed e-mail contact and sends it; the codes sent before stop working. */
  async sendCode(personHash: Buffer, id: string): Promise<CodeSent> {
    if (!UUID.test(id)) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    const now = this.clock();
    const code = String(randomInt(0, 10 ** CODE_RULES.digits)).padStart(CODE_RULES.digits, '0');
    const expiresAt = new Date(now.getTime() + CODE_RULES.minutes * 60_000);
    const contact = await this.db.transaction().execute(async (trx) => {
      const contact = await this.lockedContact(trx, personHash, id);
      if (contact.channel !== 'email') throw AppError.conflict('CONTACT_NEEDS_NO_CODE', 'Only e-mail addresses are confirmed with a code');
      if (contact.verified_at !== null) throw AppError.conflict('CONTACT_ALREADY_VERIFIED', 'This address is confirmed already');
      await this.checkSendLimits(trx, personHash, contact, now);
      // Only the newest code counts: the older ones are closed, so a guesser gets one code's tries at a time.
      await trx.updateTable('contact_verification_codes').set({ used_at: now }).where('contact_id', '=', id).where('used_at', 'is', null).execute();
      await trx
        .insertInto('contact_verification_codes')
        .values({ contact_id: id, person_hash: personHash, address: contact.address, code_hash: this.codeHash(id, code), created_at: now, expires_at: expiresAt })
        .execute();
      return contact;
    });
    const message = renderMessage(`qorgau-code-${randomUUID()}`, 'contact.verification', now, { code, minutes: CODE_RULES.minutes }, contact.language);
    try {
      if (!this.options.sendCode) throw new Error('no e-mail channel');
      await this.options.sendCode(contact.address, { ...message, data: {} });
    } catch (err) {
      throw new AppError('unavailable', 'CONTACT_CODE_NOT_SENT', `The code could not be sent to ${contact.address} (${(err as Error).message}); the contact is kept: ask for a new code in a minute`, { contactId: id });
    }
    return { contactId: id, sentAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
  }

  /**
   * Confirms an e-mail contact with the code sent to it. Each try is counted (committed even
   * when wrong); after the allowed tries the code is spent and a new one must be asked for.
   */
  async confirm(personHash: Buffer, id: string, code: string): Promise<ContactView> {
    if (!UUID.test(id)) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    const now = this.clock();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const contact = await this.lockedContact(trx, personHash, id);
      if (contact.verified_at !== null) return { contact: view(contact) };
      const latest = await trx
        .selectFrom('contact_verification_codes')
        .select(['id', 'code_hash', 'expires_at', 'attempts', 'used_at'])
        .where('contact_id', '=', id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      if (!latest || latest.used_at !== null) return { error: AppError.conflict('CONTACT_CODE_NONE', 'There is no code waiting for this address: ask for a new one') };
      if (new Date(latest.expires_at) <= now) return { error: AppError.unprocessable('CONTACT_CODE_EXPIRED', `The code is older than ${CODE_RULES.minutes} minutes: ask for a new one`) };
      if (latest.attempts >= CODE_RULES.attempts) return { error: new AppError('rate_limited', 'CONTACT_CODE_ATTEMPTS_EXHAUSTED', `The code was typed wrong ${CODE_RULES.attempts} times: ask for a new one`) };
      const attempts = latest.attempts + 1;
      const right = /^\d+$/.test(code) && timingSafeEqual(this.codeHash(id, code), Buffer.from(latest.code_hash));
      await trx.updateTable('contact_verification_codes').set({ attempts, used_at: right ? now : null }).where('id', '=', latest.id).execute();
      if (!right) {
        const left = CODE_RULES.attempts - attempts;
        return { error: AppError.unprocessable('CONTACT_CODE_WRONG', left > 0 ? `The code is not right; ${left} tries left` : 'The code is not right, and no tries are left: ask for a new one', { attemptsLeft: left }) };
      }
      await trx.updateTable('notification_contacts').set({ verified_at: now }).where('id', '=', id).execute();
      await enqueueNotification(trx, { personHash, event: 'contact.added', payload: { channel: contact.channel }, at: now });
      return { contact: { ...view(contact), verified: true } };
    });
    // Thrown after the commit, so that a wrong try stays counted.
    if ('error' in outcome && outcome.error) throw outcome.error;
    return outcome.contact!;
  }

  async remove(personHash: Buffer, id: string): Promise<void> {
    if (!UUID.test(id)) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    const result = await this.db
      .updateTable('notification_contacts')
      .set({ removed_at: this.clock() })
      .where('id', '=', id)
      .where('person_hash', '=', personHash)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
  }

  /** The person's own live contact, locked; someone else's is "not found", never "forbidden". */
  private async lockedContact(trx: Kysely<DB>, personHash: Buffer, id: string): Promise<ContactRow> {
    const contact = await trx.selectFrom('notification_contacts').select(COLUMNS).where('id', '=', id).where('person_hash', '=', personHash).where('removed_at', 'is', null).forUpdate().executeTakeFirst();
    if (!contact) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    return contact;
  }

  private async checkSendLimits(trx: Kysely<DB>, personHash: Buffer, contact: ContactRow, now: Date): Promise<void> {
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const { lastForContact, forPerson, forAddress } = await trx
      .selectFrom('contact_verification_codes')
      .select([
        sql<Date | null>`max(created_at) filter (where contact_id = ${contact.id})`.as('lastForContact'),
        sql<string>`count(*) filter (where person_hash = ${personHash})`.as('forPerson'),
        sql<string>`count(*) filter (where address = ${contact.address})`.as('forAddress'),
      ])
      .where('created_at', '>', hourAgo)
      .where((eb) => eb.or([eb('person_hash', '=', personHash), eb('address', '=', contact.address)]))
      .executeTakeFirstOrThrow();
    const limited = (seconds: number, why: string) => new AppError('rate_limited', 'CONTACT_CODE_RATE_LIMITED', `${why}: wait ${seconds} seconds (Retry-After) and ask again`, { retryAfterSeconds: seconds, contactId: contact.id });
    if (lastForContact) {
      const wait = Math.ceil((new Date(lastForContact).getTime() + CODE_RULES.resendSeconds * 1000 - now.getTime()) / 1000);
      if (wait > 0) throw limited(wait, 'A code was sent to this address less than a minute ago');
    }
    if (Number(forPerson) >= CODE_RULES.perPersonPerHour) throw limited(3600, `You asked for ${CODE_RULES.perPersonPerHour} codes this hour`);
    if (Number(forAddress) >= CODE_RULES.perAddressPerHour) throw limited(3600, `${CODE_RULES.perAddressPerHour} codes were sent to this address this hour`);
  }

  /** HMAC over the contact's id and the code: a code is good for its own contact only. */
  private codeHash(contactId: string, code: string): Buffer {
    return createHmac('sha256', this.options.codeKey).update(`${contactId}:${code}`).digest();
  }
}
