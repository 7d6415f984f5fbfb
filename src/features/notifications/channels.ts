import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ContactChannel } from './notifications.tables.js';

/** One notice as the person receives it. */
export interface NotificationMessage {
  /** Stable across redeliveries: receivers drop duplicates by it (delivery is at least once). */
  id: string;
  event: string;
  occurredAt: string;
  /** The language of subject and text (the contact's). */
  language: string;
  subject: string;
  text: string;
  data: Record<string, unknown>;
}

export interface NotificationChannel {
  readonly kind: ContactChannel;
  /** Resolves once the receiver accepted the message; throws otherwise (the worker retries). */
  deliver(address: string, message: NotificationMessage): Promise<void>;
  close?(): Promise<void>;
}

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

/** Loopback, private, link-local (cloud metadata), multicast and reserved addresses, IPv4-mapped ones included. */
export function isPrivateAddress(address: string, family: number): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * HTTP POST of the message as JSON; any 2xx is acceptance. Unless allowed, the address the
 * connection is made to is checked after resolution (no window for DNS rebinding): a person's
 * webhook cannot reach the internal network or the cloud metadata service.
 */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;

  constructor(private readonly options: { timeoutMs?: number; allowPrivate?: boolean; signer?: { sign(body: Buffer): string } } = {}) {}

  deliver(address: string, message: NotificationMessage): Promise<void> {
    const url = new URL(address);
    const body = Buffer.from(
      JSON.stringify({ id: message.id, event: message.event, occurredAt: message.occurredAt, language: message.language, subject: message.subject, text: message.text, data: message.data }),
    );
    const allowPrivate = this.options.allowPrivate ?? false;
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: false }, (err, resolved, family) => {
        if (err) return callback(err, '', 0);
        if (!allowPrivate && isPrivateAddress(String(resolved), family ?? 4)) {
          return callback(new Error(`webhook host ${hostname} resolves to a private address`), '', 0);
        }
        callback(null, String(resolved), family);
      });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // An address literal is connected to without a lookup, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivate && isIP(literal) && isPrivateAddress(literal, isIP(literal))) {
      return Promise.reject(new Error(`webhook host ${url.hostname} is a private address`));
    }
    return new Promise<void>((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'POST',
          lookup,
          timeout: this.options.timeoutMs ?? 10_000,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'idempotency-key': message.id,
            'user-agent': 'Qorgau-Notifications/1',
            ...(this.options.signer ? { 'x-qorgau-signature': this.options.signer.sign(body) } : {}),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status <= 299) resolve();
            else reject(new Error(`webhook answered HTTP ${status}`));
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('webhook timed out')));
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** E-mail over SMTP with nodemailer. */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'email' as const;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async deliver(address: string, message: NotificationMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: address,
      subject: message.subject,
      // The details after the words, for whoever helps the person (support, a relative); none for a code's letter.
      text: Object.keys(message.data).length > 0 ? `${message.text}\n\n${JSON.stringify(message.data, null, 2)}\n` : `${message.text}\n`,
      headers: { 'X-Qorgau-Notification-Id': message.id, 'X-Qorgau-Event': message.event, 'Content-Language': message.language },
      messageId: `<${message.id}@notifications.qorgau.kz>`,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
