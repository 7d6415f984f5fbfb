import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { ContactChannel } from './notifications.tables.js';
import { enqueueNotification } from './outbox.js';

export interface ContactView {
  id: string;
  channel: ContactChannel;
  address: string;
  createdAt: string;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const MAX_CONTACTS = 5;

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

/** Where a person wants their notices: e-mail addresses and webhook URLs, by pseudonym. */
export class ContactService {
  constructor(
    private readonly db: Kysely<DB>,
    /** The channels this deployment can deliver through (e-mail needs an SMTP server). */
    private readonly channels: readonly ContactChannel[] = ['email', 'webhook'],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(personHash: Buffer): Promise<ContactView[]> {
    const rows = await this.db
      .selectFrom('notification_contacts')
      .select(['id', 'channel', 'address', 'created_at'])
      .where('person_hash', '=', personHash)
      .where('removed_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, channel: r.channel, address: r.address, createdAt: new Date(r.created_at).toISOString() }));
  }

  async add(personHash: Buffer, channel: ContactChannel, address: string): Promise<ContactView> {
    if (!this.channels.includes(channel)) {
      throw AppError.conflict('CONTACT_CHANNEL_UNAVAILABLE', `This server does not send notices by ${channel}; use ${this.channels.join(' or ') || 'none'}`);
    }
    const normalized = normalizeAddress(channel, address);
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('notification_contacts')
        .select(['id', 'channel', 'address', 'created_at'])
        .where('person_hash', '=', personHash)
        .where('removed_at', 'is', null)
        .forUpdate()
        .execute();
      const same = existing.find((c) => c.channel === channel && c.address === normalized);
      if (same) return { id: same.id, channel: same.channel, address: same.address, createdAt: new Date(same.created_at).toISOString() };
      if (existing.length >= MAX_CONTACTS) throw AppError.conflict('CONTACT_LIMIT', `At most ${MAX_CONTACTS} contacts; remove one first`);
      const id = randomUUID();
      const now = this.clock();
      await trx.insertInto('notification_contacts').values({ id, person_hash: personHash, channel, address: normalized, created_at: now }).execute();
      await enqueueNotification(trx, { personHash, event: 'contact.added', payload: { channel }, at: now });
      return { id, channel, address: normalized, createdAt: now.toISOString() };
    });
  }

  async remove(personHash: Buffer, id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
    const result = await this.db
      .updateTable('notification_contacts')
      .set({ removed_at: this.clock() })
      .where('id', '=', id)
      .where('person_hash', '=', personHash)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw AppError.notFound('CONTACT_NOT_FOUND', 'No such contact');
  }
}
