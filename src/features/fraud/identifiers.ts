import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { parse as parseDomain } from 'tldts';

/** The kinds of a fraudster's identifier as they are linked and looked up. */
export const INDICATOR_KINDS = ['phone', 'card', 'iban', 'domain', 'handle', 'wallet'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

/** What a reporter may name: a URL becomes a domain (the full URL is kept with the report). */
export const IDENTIFIER_INPUT_TYPES = ['phone', 'card', 'iban', 'url', 'domain', 'handle', 'wallet'] as const;
export type IdentifierInputType = (typeof IDENTIFIER_INPUT_TYPES)[number];

export interface NormalizedIdentifier {
  kind: IndicatorKind;
  /** The form reports are linked on: E.164, electronic IBAN, registrable domain, lower-case handle, the card's keyed hash (hex). */
  value: string;
  /** What may be shown to an investigator: for a card only BIN and last 4. */
  display: string;
  /** As the reporter wrote it (a card: masked; a URL: the full URL). */
  asReported: string;
  /** Country of a phone number (KZ, RU, ...), or of an IBAN. */
  country?: string;
  cardBin?: string;
  cardLast4?: string;
}

export type Normalization = { ok: true; identifier: NormalizedIdentifier } | { ok: false; code: string; message: string };

export interface NormalizeOptions {
  /** The keyed hash of a card number (HMAC with the pseudonymization key): a card is never stored whole. */
  cardHash(pan: string): string;
  defaultPhoneRegion?: 'KZ';
}

const refuse = (code: string, message: string): Normalization => ({ ok: false, code, message });
const accept = (identifier: NormalizedIdentifier): Normalization => ({ ok: true, identifier });

const MAX_INPUT = 2048;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Phone numbers to E.164. "8 701 ..." is a Kazakh local number; +7 6xx/7xx is Kazakhstan, the rest of +7 Russia. */
export function normalizePhone(raw: string, region: 'KZ' = 'KZ'): Normalization {
  const text = raw.trim();
  if (!/^[+\d\s().-]{5,32}$/.test(text)) return refuse('FRAUD_PHONE_INVALID', `"${clip(raw)}" is not a phone number: use digits, spaces, +, - or brackets, e.g. +7 701 123 45 67`);
  const phone = parsePhoneNumberFromString(text, region);
  if (!phone || !phone.isValid()) return refuse('FRAUD_PHONE_INVALID', `"${clip(raw)}" is not a valid phone number: check the digits (Kazakh numbers: +7 7xx xxx xx xx or 8 7xx xxx xx xx)`);
  return accept({ kind: 'phone', value: phone.number, display: phone.number, asReported: text, country: phone.country });
}

/** The Luhn check (ISO/IEC 7812-1 annex B) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A payment card: 12 to 19 digits passing Luhn; kept only as BIN, last 4 and a keyed hash (DESIGN.md). */
export function normalizeCard(raw: string, cardHash: (pan: string) => string): Normalization {
  const text = raw.trim();
  if (!/^[\d\s-]{12,40}$/.test(text)) return refuse('FRAUD_CARD_INVALID', 'A card number has 12 to 19 digits (spaces and dashes allowed)');
  const pan = text.replace(/[\s-]/g, '');
  if (pan.length < 12 || pan.length > 19) return refuse('FRAUD_CARD_INVALID', 'A card number has 12 to 19 digits (spaces and dashes allowed)');
  if (!luhnValid(pan)) return refuse('FRAUD_CARD_CHECK_FAILED', 'The card number fails its check digit (Luhn): a digit is wrong or missing');
  const bin = pan.slice(0, 6);
  const last4 = pan.slice(-4);
  const display = `${bin}${'*'.repeat(pan.length - 10)}${last4}`;
  return accept({ kind: 'card', value: cardHash(pan), display, asReported: display, cardBin: bin, cardLast4: last4 });
}

/** An IBAN, validated with its check digits (ISO 13616; a Kazakh one has 20 characters). */
export function normalizeIban(raw: string): Normalization {
  const text = raw.trim();
  if (text.length > 64 || CONTROL.test(text)) return refuse('FRAUD_IBAN_INVALID', 'An IBAN is at most 34 letters and digits');
  const iban = electronicFormatIBAN(text.replace(/^IBAN[:\s]*/i, ''));
  if (!iban || !isValidIBAN(iban)) return refuse('FRAUD_IBAN_INVALID', `"${clip(raw)}" is not a valid IBAN: its check digits or length are wrong (a Kazakh IBAN is KZ + 18 characters)`);
  return accept({ kind: 'iban', value: iban, display: iban, asReported: text, country: iban.slice(0, 2) });
}

// Markup never belongs in an address (browsers percent-encode < > " and `); script schemes anywhere in it are refused too.
const SCRIPT = /[<>"`]|\b(?:javascript|vbscript|livescript|data)\s*:/i;
const MESSENGER_HOSTS: Record<string, 'telegram' | 'whatsapp'> = {
  't.me': 'telegram',
  'telegram.me': 'telegram',
  'telegram.dog': 'telegram',
  'wa.me': 'whatsapp',
  'api.whatsapp.com': 'whatsapp',
};

/**
 * A web address, reduced to its registrable domain (tldts, the public suffix list) for
 * linking; the full URL is kept as reported. t.me and wa.me links are unpacked into the
 * handle or phone number they point to. Anything but http(s), and any markup, is refused.
 */
export function normalizeUrl(raw: string): Normalization {
  const text = raw.trim();
  if (!text || text.length > MAX_INPUT) return refuse('FRAUD_URL_INVALID', `A URL is 1 to ${MAX_INPUT} characters`);
  if (CONTROL.test(text) || SCRIPT.test(decodeSafely(text))) return refuse('FRAUD_URL_SCRIPT', 'The URL holds script or markup: send the address only, e.g. https://example.kz/page');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  if (scheme && !/^https?$/i.test(scheme[1]) && !/^[^:/]+:\d+(\/|$)/.test(text)) {
    return refuse('FRAUD_URL_SCHEME', `Only http and https addresses are accepted, not "${clip(scheme[1], 20)}:"`);
  }
  let url: URL;
  try {
    url = new URL(scheme && /^https?$/i.test(scheme[1]) ? text : `http://${text.replace(/^\/\//, '')}`);
  } catch {
    return refuse('FRAUD_URL_INVALID', `"${clip(raw)}" is not a web address`);
  }
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  const messenger = MESSENGER_HOSTS[host];
  if (messenger) return unpackMessengerLink(messenger, url, text);
  const parsed = parseDomain(host);
  if (parsed.isIp) return accept({ kind: 'domain', value: host, display: host, asReported: text });
  if (!parsed.domain || !parsed.isIcann) return refuse('FRAUD_URL_INVALID', `"${clip(host)}" has no registrable domain (a public suffix like .kz or .com is missing)`);
  return accept({ kind: 'domain', value: parsed.domain, display: parsed.domain, asReported: text });
}

function unpackMessengerLink(messenger: 'telegram' | 'whatsapp', url: URL, asReported: string): Normalization {
  const first = url.pathname.split('/').filter(Boolean)[0] ?? '';
  if (messenger === 'whatsapp') {
    const digits = url.hostname === 'api.whatsapp.com' ? (url.searchParams.get('phone') ?? '') : first;
    const phone = normalizePhone(digits.startsWith('+') ? digits : `+${digits}`);
    if (!phone.ok) return refuse('FRAUD_PHONE_INVALID', `The WhatsApp link "${clip(asReported)}" does not name a valid phone number`);
    return accept({ ...phone.identifier, asReported });
  }
  const handle = normalizeHandle(first);
  if (!handle.ok) return refuse('FRAUD_HANDLE_INVALID', `The Telegram link "${clip(asReported)}" does not name a user or channel`);
  return accept({ ...handle.identifier, asReported });
}

/** A messenger or social-network handle, lower-cased without "@"; a t.me or wa.me link is unpacked. */
export function normalizeHandle(raw: string): Normalization {
  const text = raw.trim();
  if (/^(https?:\/\/)?(www\.)?(t\.me|telegram\.me|telegram\.dog|wa\.me|api\.whatsapp\.com)\//i.test(text)) return normalizeUrl(text);
  const name = text.replace(/^@/, '').toLowerCase();
  if (!/^[a-z0-9_.]{3,64}$/.test(name)) return refuse('FRAUD_HANDLE_INVALID', `"${clip(raw)}" is not a handle: 3 to 64 letters, digits, "_" or ".", with or without "@"`);
  return accept({ kind: 'handle', value: name, display: `@${name}`, asReported: text });
}

/**
 * A crypto wallet address. Hex (Ethereum-style) and bech32 addresses are case-insensitive and
 * are lower-cased; base58 ones (Bitcoin legacy, TRON) are case-sensitive and kept as written.
 */
export function normalizeWallet(raw: string): Normalization {
  const text = raw.trim();
  if (/^0x[0-9a-f]{40}$/i.test(text)) return accept({ kind: 'wallet', value: text.toLowerCase(), display: text.toLowerCase(), asReported: text });
  if (/^(bc|tb|ltc)1[02-9ac-hj-np-z]{11,87}$/i.test(text) && (text === text.toLowerCase() || text === text.toUpperCase())) {
    return accept({ kind: 'wallet', value: text.toLowerCase(), display: text.toLowerCase(), asReported: text });
  }
  if (/^[1-9A-HJ-NP-Za-km-z]{25,44}$/.test(text)) return accept({ kind: 'wallet', value: text, display: text, asReported: text });
  return refuse('FRAUD_WALLET_INVALID', `"${clip(raw)}" is not a wallet address (0x + 40 hex digits, a bech32 address, or a base58 address)`);
}

/** Normalizes one identifier as a reporter or a look-up names it. */
export function normalizeIdentifier(type: IdentifierInputType, raw: string, options: NormalizeOptions): Normalization {
  if (typeof raw !== 'string' || raw.length > MAX_INPUT) return refuse('FRAUD_IDENTIFIER_INVALID', `An identifier is at most ${MAX_INPUT} characters`);
  switch (type) {
    case 'phone':
      return normalizePhone(raw, options.defaultPhoneRegion);
    case 'card':
      return normalizeCard(raw, options.cardHash);
    case 'iban':
      return normalizeIban(raw);
    case 'url':
    case 'domain':
      return normalizeUrl(raw);
    case 'handle':
      return normalizeHandle(raw);
    case 'wallet':
      return normalizeWallet(raw);
    default:
      return refuse('FRAUD_IDENTIFIER_INVALID', `Unknown identifier type "${clip(String(type), 20)}"`);
  }
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function clip(text: string, max = 60): string {
  const safe = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
