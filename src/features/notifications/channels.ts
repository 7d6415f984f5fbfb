import nodemailer, { type Transporter } from 'nodemailer';
import type { ContactChannel } from './notifications.tables.js';

/** One notice as the person receives it. */
export interface NotificationMessage {
  /** Stable across redeliveries: receivers drop duplicates by it (delivery is at least once). */
  id: string;
  event: string;
  occurredAt: string;
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

/** HTTP POST of the message as JSON; any 2xx is acceptance. */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook' as const;

  constructor(private readonly options: { timeoutMs?: number; fetch?: typeof fetch } = {}) {}

  async deliver(address: string, message: NotificationMessage): Promise<void> {
    const response = await (this.options.fetch ?? fetch)(address, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': message.id, 'user-agent': 'Qorgau-Notifications/1' },
      body: JSON.stringify({ id: message.id, event: message.event, occurredAt: message.occurredAt, subject: message.subject, text: message.text, data: message.data }),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`webhook answered HTTP ${response.status}`);
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
      text: `${message.text}\n\n${JSON.stringify(message.data, null, 2)}\n`,
      headers: { 'X-Qorgau-Notification-Id': message.id, 'X-Qorgau-Event': message.event },
      messageId: `<${message.id}@notifications.qorgau.kz>`,
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
