import { bigIntegerOf, bitsOf, booleanOf, canonicalIntegerHex, children, DerError, oidOf, readOne, readTlv, timeOf, type Tlv } from '../../../der/reader.js';
import { parseGeneralNames, type GeneralName } from './general-names.js';
import { nameKey, nameText, parseName, type Rdn } from './names.js';
import { EXT, parseDistributionPointName, parseExtensions, type AlgorithmIdentifier, type DistributionPoint, type Extension } from './path-certificate.js';
import { derBlocks } from '../../../pkix/certificate.js';

/** CRL extensions this validator processes; a critical one outside this list makes the CRL unusable (RFC 5280 5.2). */
const KNOWN_CRL_EXTENSIONS = new Set<string>([EXT.authorityKeyIdentifier, EXT.issuerAltName, EXT.cRLNumber, EXT.deltaCRLIndicator, EXT.issuingDistributionPoint, EXT.freshestCRL, EXT.authorityInfoAccess]);
/** CRL entry extensions processed; a critical one outside this list makes the whole CRL unusable (RFC 5280 5.3). */
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([EXT.reasonCode, EXT.invalidityDate, EXT.certificateIssuer]);

/** CRLReason codes (RFC 5280 5.3.1). */
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export interface RevokedEntry {
  revocationDate: Date;
  reason?: number;
}

/*
 * IssuingDistributionPoint ::= SEQUENCE {
 *   distributionPoint          [0] DistributionPointName OPTIONAL,
 *   onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
 *   onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
 *   onlySomeReasons            [3] ReasonFlags OPTIONAL,
 *   indirectCRL                [4] BOOLEAN DEFAULT FALSE,
 *   onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
 */
export interface IssuingDistributionPoint {
  distributionPoint?: Pick<DistributionPoint, 'fullName' | 'relativeName'>;
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  onlySomeReasons?: Set<number>;
  indirectCRL: boolean;
  onlyContainsAttributeCerts: boolean;
  der: Buffer;
}

function parseIdp(value: Buffer): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { onlyContainsUserCerts: false, onlyContainsCACerts: false, indirectCRL: false, onlyContainsAttributeCerts: false, der: value };
  for (const part of children(readOne(value, 0x30))) {
    const flag = () => booleanOf({ ...part, tag: 0x01 });
    switch (part.tag) {
      case 0xa0:
        idp.distributionPoint = parseDistributionPointName(part);
        break;
      case 0x81:
        idp.onlyContainsUserCerts = flag();
        break;
      case 0x82:
        idp.onlyContainsCACerts = flag();
        break;
      case 0x83:
        idp.onlySomeReasons = bitsOf(part);
        break;
      case 0x84:
        idp.indirectCRL = flag();
        break;
      case 0x85:
        idp.onlyContainsAttributeCerts = flag();
        break;
      default:
        throw new DerError('bad IssuingDistributionPoint');
    }
  }
  return idp;
}

/**
 * A CRL read for RFC 5280 6.3 processing. Entries are keyed by the certificate issuer's name
 * (which differs from the CRL issuer only on indirect CRLs) and the serial as its canonical
 * INTEGER hex: 00FF (255) and FF (-1) are different certificates.
 */
export class PathCrl {
  readonly issuerDer: Buffer;
  readonly issuer: Rdn[];
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly tbs: Buffer;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Buffer;
  readonly extensions: Extension[];
  readonly entries = new Map<string, RevokedEntry>();
  readonly crlNumber?: bigint;
  readonly deltaBase?: bigint;
  readonly idp?: IssuingDistributionPoint;
  readonly authorityKeyIdentifier?: Buffer;
  /** Why the CRL must not be used at all (an unprocessable critical extension). */
  readonly unusable?: string;

  constructor(readonly der: Buffer) {
    const list = readOne(der, 0x30);
    const [tbs, algorithm, signature] = children(list);
    if (!tbs || algorithm?.tag !== 0x30 || signature?.tag !== 0x03) throw new DerError('not a CertificateList');
    this.tbs = Buffer.from(tbs.der);
    const [oid, parameters] = children(algorithm);
    this.signatureAlgorithm = { oid: oidOf(oid), ...(parameters ? { parameters: Buffer.from(parameters.der) } : {}) };
    this.signature = Buffer.from(signature.value.subarray(1));
    const fields = children(tbs);
    let at = fields[0]?.tag === 0x02 ? 1 : 0;
    at++; // signature AlgorithmIdentifier
    const issuer = fields[at++];
    if (issuer?.tag !== 0x30) throw new DerError('bad CRL issuer');
    this.issuerDer = Buffer.from(issuer.der);
    this.issuer = parseName(this.issuerDer);
    this.thisUpdate = timeOf(fields[at++]);
    if (fields[at] && (fields[at].tag === 0x17 || fields[at].tag === 0x18)) this.nextUpdate = timeOf(fields[at++]);
    let revoked: Tlv | undefined;
    if (fields[at]?.tag === 0x30) revoked = fields[at++];
    this.extensions = fields[at]?.tag === 0xa0 ? parseExtensions(readOne(Buffer.from(fields[at].value), 0x30)) : [];
    let unusable: string | undefined;
    for (const ext of this.extensions) {
      if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(ext.oid)) unusable ??= `the CRL has a critical extension ${ext.oid} that cannot be processed`;
      if (ext.oid === EXT.cRLNumber) this.crlNumber = bigIntegerOf(readOne(ext.value, 0x02).value);
      if (ext.oid === EXT.deltaCRLIndicator) this.deltaBase = bigIntegerOf(readOne(ext.value, 0x02).value);
      if (ext.oid === EXT.issuingDistributionPoint) this.idp = parseIdp(ext.value);
      if (ext.oid === EXT.authorityKeyIdentifier) {
        const keyId = children(readOne(ext.value, 0x30)).find((p) => p.tag === 0x80);
        if (keyId) this.authorityKeyIdentifier = Buffer.from(keyId.value);
      }
    }
    if (revoked) {
      // On an indirect CRL, certificateIssuer names the issuer of this entry and those after it (RFC 5280 5.3.3).
      let entryIssuer = nameKey(this.issuer);
      for (let offset = 0; offset < revoked.value.length; ) {
        const entry = readTlv(revoked.value, offset);
        offset = entry.end;
        const [serial, date, extensions] = children(entry);
        if (serial?.tag !== 0x02 || !date) throw new DerError('bad revokedCertificates entry');
        let reason: number | undefined;
        if (extensions?.tag === 0x30) {
          for (const ext of parseExtensions(extensions)) {
            if (ext.critical && !KNOWN_ENTRY_EXTENSIONS.has(ext.oid)) unusable ??= `a CRL entry has a critical extension ${ext.oid} that cannot be processed`;
            if (ext.oid === EXT.reasonCode) reason = readOne(ext.value, 0x0a).value[0];
            if (ext.oid === EXT.certificateIssuer) {
              const directory = parseGeneralNames(readOne(ext.value, 0x30)).find((n): n is Extract<GeneralName, { kind: 'directory' }> => n.kind === 'directory');
              if (!directory) throw new DerError('certificateIssuer without a directoryName');
              entryIssuer = nameKey(directory.name);
            }
          }
        }
        this.entries.set(`${entryIssuer}|${canonicalIntegerHex(Buffer.from(serial.value))}`, { revocationDate: timeOf(date), ...(reason !== undefined ? { reason } : {}) });
      }
    }
    if (unusable) this.unusable = unusable;
  }

  get isDelta(): boolean {
    return this.deltaBase !== undefined;
  }

  get issuerText(): string {
    return nameText(this.issuer);
  }

  entryFor(certificateIssuer: Rdn[], serialHex: string): RevokedEntry | undefined {
    return this.entries.get(`${nameKey(certificateIssuer)}|${canonicalIntegerHex(serialHex)}`);
  }

  /** Reads every CRL of a file: DER, or PEM with one or more blocks. */
  static fromFile(content: Buffer): PathCrl[] {
    return derBlocks(content).map((der) => new PathCrl(der));
  }
}
