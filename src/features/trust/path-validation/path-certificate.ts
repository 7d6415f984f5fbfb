import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bitsOf, booleanOf, children, DerError, oidOf, readOne, smallIntegerOf, timeOf, type Tlv } from '../../../der/reader.js';
import { sequence } from '../../../der/writer.js';
import { parseGeneralNames, parseNameConstraints, type GeneralName, type NameConstraints } from './general-names.js';
import { nameKey, nameText, parseName, type Rdn } from './names.js';
import { pemToDer } from '../../../pkix/certificate.js';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCRL: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export const anyPolicy = '2.5.29.32.0';

/** RFC 5280 KeyUsage bits. */
export const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8 } as const;

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/*
 * Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 */
export function parseExtensions(tlv: Tlv): Extension[] {
  const seen = new Set<string>();
  return children(tlv).map((ext) => {
    const parts = children(ext);
    const oid = oidOf(parts[0]);
    if (seen.has(oid)) throw new DerError(`extension ${oid} appears twice`);
    seen.add(oid);
    const critical = parts.length === 3 ? booleanOf(parts[1]) : false;
    const value = parts[parts.length - 1];
    if (value.tag !== 0x04) throw new DerError('extnValue is not an OCTET STRING');
    return { oid, critical, value: Buffer.from(value.value) };
  });
}

/*
 * DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames OPTIONAL }
 * DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RelativeDistinguishedName }
 */
export interface DistributionPoint {
  fullName?: GeneralName[];
  /** DER of the RDN (a SET), to be appended to the CRL issuer's name. */
  relativeName?: Buffer;
  reasons?: Set<number>;
  crlIssuer?: GeneralName[];
}

export function parseDistributionPointName(tlv: Tlv): Pick<DistributionPoint, 'fullName' | 'relativeName'> {
  const [choice] = children(tlv);
  if (choice?.tag === 0xa0) return { fullName: parseGeneralNames(choice) };
  if (choice?.tag === 0xa1) return { relativeName: Buffer.concat([Buffer.from([0x31]), choice.der.subarray(1)]) };
  throw new DerError('bad DistributionPointName');
}

function parseDistributionPoints(value: Buffer): DistributionPoint[] {
  return children(readOne(value, 0x30)).map((dp) => {
    const out: DistributionPoint = {};
    for (const part of children(dp)) {
      if (part.tag === 0xa0) Object.assign(out, parseDistributionPointName(part));
      else if (part.tag === 0x81) out.reasons = bitsOf(part);
      else if (part.tag === 0xa2) out.crlIssuer = parseGeneralNames(part);
    }
    return out;
  });
}

export interface PolicyInformation {
  policy: string;
  /** DER of policyQualifiers, carried into the policy tree. */
  qualifiers?: Buffer;
}

/** A signature algorithm and its parameters, as their DER. */
export interface AlgorithmIdentifier {
  oid: string;
  parameters?: Buffer;
}

function algorithmOf(tlv: Tlv): AlgorithmIdentifier {
  const [oid, parameters] = children(tlv);
  return { oid: oidOf(oid), ...(parameters ? { parameters: Buffer.from(parameters.der) } : {}) };
}

/**
 * A certificate read field by field for RFC 5280 path validation. Reading is strict: a
 * certificate whose extensions cannot be read is refused, never half-understood.
 */
export class PathCertificate {
  readonly version: number;
  readonly serialHex: string;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly issuer: Rdn[];
  readonly subject: Rdn[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Buffer;
  readonly spkiAlgorithm: AlgorithmIdentifier;
  readonly tbs: Buffer;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Buffer;
  readonly extensions: Extension[];
  readonly fingerprint: string;
  readonly subjectKey: string;

  constructor(readonly der: Buffer) {
    const certificate = readOne(der, 0x30);
    const [tbs, algorithm, signature] = children(certificate);
    if (!tbs || !algorithm || signature?.tag !== 0x03) throw new DerError('not a Certificate');
    this.tbs = Buffer.from(tbs.der);
    this.signatureAlgorithm = algorithmOf(algorithm);
    this.signature = Buffer.from(signature.value.subarray(1));
    const fields = children(tbs);
    let at = 0;
    this.version = 1;
    if (fields[0]?.tag === 0xa0) this.version = smallIntegerOf(readOne(Buffer.from(fields[at++].value), 0x02).value) + 1;
    const serial = fields[at++];
    if (serial?.tag !== 0x02) throw new DerError('bad serialNumber');
    this.serialHex = serial.value.toString('hex');
    const innerAlgorithm = algorithmOf(fields[at++]);
    if (innerAlgorithm.oid !== this.signatureAlgorithm.oid) throw new DerError('the two signature algorithm fields differ');
    this.issuerDer = Buffer.from(fields[at++].der);
    const validity = children(fields[at++]);
    this.notBefore = timeOf(validity[0]);
    this.notAfter = timeOf(validity[1]);
    this.subjectDer = Buffer.from(fields[at++].der);
    const spki = fields[at++];
    if (spki?.tag !== 0x30) throw new DerError('bad subjectPublicKeyInfo');
    this.spki = Buffer.from(spki.der);
    this.spkiAlgorithm = algorithmOf(children(spki)[0]);
    this.extensions = [];
    for (; at < fields.length; at++) {
      if (fields[at].tag === 0xa3) this.extensions = parseExtensions(readOne(Buffer.from(fields[at].value), 0x30));
    }
    this.issuer = parseName(this.issuerDer);
    this.subject = parseName(this.subjectDer);
    this.fingerprint = createHash('sha256').update(der).digest('hex');
    this.subjectKey = nameKey(this.subject);
    // Read every extension we process now, so a damaged one refuses the certificate here.
    void [this.basicConstraints, this.keyUsage, this.policies, this.policyMappings, this.policyConstraints, this.inhibitAnyPolicy];
    void [this.nameConstraints, this.subjectAltNames, this.crlDistributionPoints, this.authorityKeyIdentifier, this.subjectKeyIdentifier];
  }

  /**
   * The same certificates (anchors, issuing CAs, frequent signers) are validated again and
   * again; reading is strict and not free, and the objects are immutable, so they are kept.
   */
  static cached(der: Buffer): PathCertificate {
    const key = der.toString('base64');
    let certificate = CACHE.get(key);
    if (certificate) CACHE.delete(key);
    else certificate = new PathCertificate(der);
    CACHE.set(key, certificate);
    if (CACHE.size > 2_000) CACHE.delete(CACHE.keys().next().value!);
    return certificate;
  }

  static parse(input: Buffer | string): PathCertificate {
    const text = typeof input === 'string' ? input : input.subarray(0, 64).toString('latin1');
    const der = text.includes('-----BEGIN ') ? pemToDer(typeof input === 'string' ? input : input.toString('latin1')) : Buffer.from(input as Buffer);
    return new PathCertificate(der);
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  get subjectText(): string {
    return nameText(this.subject) || '(empty subject)';
  }
  get issuerText(): string {
    return nameText(this.issuer);
  }

  private memo = new Map<string, unknown>();
  private cached<T>(key: string, read: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, read());
    return this.memo.get(key) as T;
  }

  /** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
  get basicConstraints(): { ca: boolean; pathLength?: number } | undefined {
    return this.cached('bc', () => {
      const ext = this.extension(EXT.basicConstraints);
      if (!ext) return undefined;
      let ca = false;
      let pathLength: number | undefined;
      for (const part of children(readOne(ext.value, 0x30))) {
        if (part.tag === 0x01) ca = booleanOf(part);
        else if (part.tag === 0x02) pathLength = smallIntegerOf(part.value);
        else throw new DerError('bad BasicConstraints');
      }
      return { ca, ...(pathLength !== undefined ? { pathLength } : {}) };
    });
  }

  get keyUsage(): Set<number> | undefined {
    return this.cached('ku', () => {
      const ext = this.extension(EXT.keyUsage);
      return ext ? bitsOf(readOne(ext.value, 0x03)) : undefined;
    });
  }

  /** CertificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier, policyQualifiers OPTIONAL } */
  get policies(): PolicyInformation[] | undefined {
    return this.cached('cp', () => {
      const ext = this.extension(EXT.certificatePolicies);
      if (!ext) return undefined;
      const seen = new Set<string>();
      return children(readOne(ext.value, 0x30)).map((info) => {
        const [oid, qualifiers] = children(info);
        const policy = oidOf(oid);
        if (seen.has(policy)) throw new DerError(`policy ${policy} appears twice`);
        seen.add(policy);
        return { policy, ...(qualifiers ? { qualifiers: Buffer.from(qualifiers.der) } : {}) };
      });
    });
  }

  /** PolicyMappings ::= SEQUENCE OF SEQUENCE { issuerDomainPolicy, subjectDomainPolicy } */
  get policyMappings(): { issuerDomainPolicy: string; subjectDomainPolicy: string }[] | undefined {
    return this.cached('pm', () => {
      const ext = this.extension(EXT.policyMappings);
      if (!ext) return undefined;
      return children(readOne(ext.value, 0x30)).map((m) => {
        const [issuerDomainPolicy, subjectDomainPolicy] = children(m).map(oidOf);
        return { issuerDomainPolicy, subjectDomainPolicy };
      });
    });
  }

  /** PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL } */
  get policyConstraints(): { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } | undefined {
    return this.cached('pc', () => {
      const ext = this.extension(EXT.policyConstraints);
      if (!ext) return undefined;
      const out: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
      for (const part of children(readOne(ext.value, 0x30))) {
        if (part.tag === 0x80) out.requireExplicitPolicy = smallIntegerOf(part.value);
        else if (part.tag === 0x81) out.inhibitPolicyMapping = smallIntegerOf(part.value);
        else throw new DerError('bad PolicyConstraints');
      }
      return out;
    });
  }

  /** InhibitAnyPolicy ::= SkipCerts (INTEGER 0..MAX) */
  get inhibitAnyPolicy(): number | undefined {
    return this.cached('iap', () => {
      const ext = this.extension(EXT.inhibitAnyPolicy);
      return ext ? smallIntegerOf(readOne(ext.value, 0x02).value) : undefined;
    });
  }

  get nameConstraints(): NameConstraints | undefined {
    return this.cached('nc', () => {
      const ext = this.extension(EXT.nameConstraints);
      return ext ? parseNameConstraints(ext.value) : undefined;
    });
  }

  get subjectAltNames(): GeneralName[] {
    return this.cached('san', () => {
      const ext = this.extension(EXT.subjectAltName);
      return ext ? parseGeneralNames(readOne(ext.value, 0x30)) : [];
    });
  }

  get crlDistributionPoints(): DistributionPoint[] {
    return this.cached('dp', () => {
      const ext = this.extension(EXT.cRLDistributionPoints);
      return ext ? parseDistributionPoints(ext.value) : [];
    });
  }

  get freshestCrl(): DistributionPoint[] {
    return this.cached('fresh', () => {
      const ext = this.extension(EXT.freshestCRL);
      return ext ? parseDistributionPoints(ext.value) : [];
    });
  }

  /** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL, authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL } */
  get authorityKeyIdentifier(): Buffer | undefined {
    return this.cached('aki', () => {
      const ext = this.extension(EXT.authorityKeyIdentifier);
      if (!ext) return undefined;
      const keyId = children(readOne(ext.value, 0x30)).find((p) => p.tag === 0x80);
      return keyId ? Buffer.from(keyId.value) : undefined;
    });
  }

  get subjectKeyIdentifier(): Buffer | undefined {
    return this.cached('ski', () => {
      const ext = this.extension(EXT.subjectKeyIdentifier);
      return ext ? Buffer.from(readOne(ext.value, 0x04).value) : undefined;
    });
  }

  /** URLs of the OCSP responders named in authorityInfoAccess (accessMethod id-ad-ocsp). */
  get ocspUrls(): string[] {
    return this.cached('ocsp', () => {
      const ext = this.extension(EXT.authorityInfoAccess);
      if (!ext) return [];
      return children(readOne(ext.value, 0x30))
        .map((ad) => children(ad))
        .filter(([method, location]) => oidOf(method) === '1.3.6.1.5.5.7.48.1' && location.tag === 0x86)
        .map(([, location]) => location.value.toString('latin1'));
    });
  }

  get selfIssued(): boolean {
    return nameKey(this.issuer) === this.subjectKey;
  }

  get isCa(): boolean {
    return this.basicConstraints?.ca ?? false;
  }

  /** The subject's public key as Node loads it; parameters inherited (DSA) are supplied by the caller. */
  publicKey(inheritedParameters?: Buffer): KeyObject | undefined {
    try {
      return createPublicKey({ key: inheritedParameters ? withParameters(this.spki, inheritedParameters) : this.spki, format: 'der', type: 'spki' });
    } catch {
      return undefined;
    }
  }

  /** A DSA key whose parameters are absent takes its issuer's (RFC 5280 6.1.4 (j)). */
  get keyParametersAbsent(): boolean {
    return this.spkiAlgorithm.oid === '1.2.840.10040.4.1' && (!this.spkiAlgorithm.parameters || this.spkiAlgorithm.parameters.equals(Buffer.from([0x05, 0x00])));
  }
}

const CACHE = new Map<string, PathCertificate>();

/** SubjectPublicKeyInfo with the algorithm parameters filled in from the issuer's key. */
function withParameters(spki: Buffer, parameters: Buffer): Buffer {
  const [algorithm, key] = children(readOne(spki, 0x30));
  const [oid] = children(algorithm);
  return sequence(sequence(oid.der, parameters), key.der);
}
