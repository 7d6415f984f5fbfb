import type { NotificationMessage } from './channels.js';

const TEXTS: Record<string, (data: Record<string, unknown>) => { subject: string; text: string }> = {
  'restriction.placed': (d) => ({ subject: 'Qorgau: your restriction on loans is in force', text: `You placed a restriction on ${list(d.products)} (${list(d.channels)}). It applies from now until you lift it.` }),
  'restriction.created': (d) => ({ subject: 'Qorgau: a protective restriction on loans', text: `Because of a data breach, loans in your name (${list(d.products)}) are restricted until ${d.until ?? 'further notice'}.` }),
  'lift.requested': (d) => ({
    subject: 'Qorgau: you asked to lift a restriction',
    text: `A request to lift your restriction (${d.scope}${d.lenderBin ? ` for the lender ${d.lenderBin}` : ''}) was received. It takes effect at ${d.effectiveAt}. If it was not you, or someone talked you into it, cancel it before then.`,
  }),
  'lift.effective': (d) => ({ subject: 'Qorgau: your lift is now in effect', text: `Your lift (${d.scope}${d.lenderBin ? ` for the lender ${d.lenderBin}` : ''}) is in effect${d.liftedUntil ? ` until ${d.liftedUntil}` : ''}.` }),
  'lift.cancelled': (d) => ({ subject: 'Qorgau: lift cancelled', text: `Your lift (${d.scope}) was cancelled; your restrictions stay in force.` }),
  'check.denied': (d) => ({
    subject: 'Qorgau: a lender was refused a loan in your name',
    text: `${d.lenderName ?? 'A lender'} (BIN ${d.lenderBin ?? 'unknown'}) checked your protection for a ${d.product ?? 'loan'} at ${d.checkedAt ?? 'an unknown time'} and was told to refuse.`,
  }),
  'contact.added': (d) => ({ subject: 'Qorgau: notifications are on', text: `This ${d.channel} will receive notices about your credit protection.` }),
  'signature.alert': (d) => ({
    subject: 'Qorgau: possible misuse of an e-signature',
    text: `Rule "${d.rule}" raised alert ${d.alertId} for certificate ${d.certificateSerial}${d.organizationBin ? ` of the organization BIN ${d.organizationBin}` : ''}. Review it in Qorgau.`,
  }),
  'signature.new-device': (d) => ({
    subject: 'Qorgau: your e-signature was used from a new device',
    text: `Your certificate ${d.certificateSerial} was used (${d.purpose}) from a device not seen before (${d.deviceId}) at ${d.at}. If it was not you, revoke it at once and apply for a new one.`,
  }),
  'fraud.report-status': (d) => ({
    subject: 'Qorgau: news about your fraud report',
    text: `Your fraud report ${d.reportId} is now "${String(d.status).replace(/_/g, ' ')}". See it in Qorgau.`,
  }),
};

function list(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

export function renderMessage(id: string, event: string, createdAt: Date, data: Record<string, unknown>): NotificationMessage {
  const render = TEXTS[event] ?? (() => ({ subject: `Qorgau: ${event}`, text: `Event ${event}.` }));
  return { id, event, occurredAt: createdAt.toISOString(), data, ...render(data) };
}
