import { children, DerError, readOne, type Tlv } from '../../../der/reader.js';
import { parseName, withinDirectorySubtree, type Rdn } from './names.js';

/*
 * GeneralName ::= CHOICE {
 *   otherName [0] OtherName, rfc822Name [1] IA5String, dNSName [2] IA5String,
 *   x400Address [3] ORAddress, directoryName [4] Name, ediPartyName [5] EDIPartyName,
 *   uniformResourceIdentifier [6] IA5String, iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
 */
export type GeneralName =
  | { kind: 'rfc822' | 'dns' | 'uri'; value: string }
  | { kind: 'directory'; name: Rdn[]; der: Buffer }
  | { kind: 'ip'; bytes: Buffer }
  | { kind: 'other'; tag: number; der: Buffer };

export type ConstrainedKind = 'rfc822' | 'dns' | 'uri' | 'directory' | 'ip';

export function parseGeneralName(tlv: Tlv): GeneralName {
  switch (tlv.tag) {
    case 0x81:
      return { kind: 'rfc822', value: tlv.value.toString('latin1') };
    case 0x82:
      return { kind: 'dns', value: tlv.value.toString('latin1') };
    case 0x86:
      return { kind: 'uri', value: tlv.value.toString('latin1') };
    case 0xa4: {
      const inner = readOne(Buffer.from(tlv.value), 0x30);
      return { kind: 'directory', name: parseName(inner.der), der: Buffer.from(inner.der) };
    }
    case 0x87:
      return { kind: 'ip', bytes: Buffer.from(tlv.value) };
    default:
      if ((tlv.tag & 0xc0) !== 0x80) throw new DerError('a GeneralName is not context-tagged');
      return { kind: 'other', tag: tlv.tag & 0x1f, der: Buffer.from(tlv.der) };
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (also under an IMPLICIT tag). */
export function parseGeneralNames(tlv: Tlv): GeneralName[] {
  return children(tlv).map(parseGeneralName);
}

/*
 * NameConstraints ::= SEQUENCE {
 *   permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 *   excludedSubtrees  [1] GeneralSubtrees OPTIONAL }
 * GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
 */
export interface NameConstraints {
  permitted?: GeneralName[];
  excluded?: GeneralName[];
}

export function parseNameConstraints(value: Buffer): NameConstraints {
  const out: NameConstraints = {};
  for (const part of children(readOne(value, 0x30))) {
    const subtrees = children(part).map((subtree) => {
      const [base, ...rest] = children(subtree);
      // RFC 5280: minimum MUST be zero and maximum absent; anything else is a subtree we cannot honour.
      if (rest.some((r) => r.tag !== 0x80 || r.value.some((b) => b !== 0))) throw new DerError('GeneralSubtree minimum/maximum are not supported');
      return parseGeneralName(base);
    });
    if (part.tag === 0xa0) out.permitted = subtrees;
    else if (part.tag === 0xa1) out.excluded = subtrees;
    else throw new DerError('bad NameConstraints');
  }
  return out;
}

const lower = (s: string) => s.toLowerCase();

/** dNSName "example.com" covers example.com and every name under it; an empty base covers all. */
function dnsWithin(name: string, base: string): boolean {
  const n = lower(name).replace(/\.$/, '');
  const b = lower(base).replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

/** rfc822Name: "user@host" is one mailbox, "host" all mailboxes at that host, ".host" all in its domain. */
function mailboxWithin(mailbox: string, base: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at < 0) return false;
  const host = lower(mailbox.slice(at + 1));
  if (base.includes('@')) {
    const baseAt = base.lastIndexOf('@');
    return mailbox.slice(0, at) === base.slice(0, baseAt) && host === lower(base.slice(baseAt + 1));
  }
  const b = lower(base);
  if (b.startsWith('.')) return host.endsWith(b);
  return host === b;
}

function uriHost(uri: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return match?.[1] || undefined;
}

/** URI constraints name hosts: "host" exactly, ".domain" any host under it. */
function uriWithin(uri: string, base: string): boolean {
  const host = uriHost(uri);
  if (!host) return false;
  const h = lower(host);
  const b = lower(base);
  if (b.startsWith('.')) return h.endsWith(b);
  return h === b;
}

function ipWithin(address: Buffer, base: Buffer): boolean {
  if (base.length !== address.length * 2) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = base[address.length + i];
    if ((address[i] & mask) !== (base[i] & mask)) return false;
  }
  return true;
}

/** Whether `name` lies within `base` (both of the same kind); other kinds are never within. */
export function withinSubtree(name: GeneralName, base: GeneralName): boolean {
  if (name.kind !== base.kind) return false;
  switch (name.kind) {
    case 'dns':
      return dnsWithin(name.value, (base as { value: string }).value);
    case 'rfc822':
      return mailboxWithin(name.value, (base as { value: string }).value);
    case 'uri':
      return uriWithin(name.value, (base as { value: string }).value);
    case 'ip':
      return ipWithin(name.bytes, (base as { bytes: Buffer }).bytes);
    case 'directory':
      return withinDirectorySubtree(name.name, (base as { name: Rdn[] }).name);
    default:
      return false;
  }
}

export const CONSTRAINED_KINDS = new Set<string>(['rfc822', 'dns', 'uri', 'directory', 'ip']);

export function describeGeneralName(name: GeneralName): string {
  switch (name.kind) {
    case 'directory':
      return `directoryName ${name.name.map((rdn) => rdn.map((a) => a.text).join('+')).join(', ')}`;
    case 'ip':
      return `iPAddress ${name.bytes.toString('hex')}`;
    case 'other':
      return `GeneralName [${name.tag}]`;
    default:
      return `${name.kind === 'rfc822' ? 'rfc822Name' : name.kind === 'dns' ? 'dNSName' : 'URI'} ${name.value}`;
  }
}
