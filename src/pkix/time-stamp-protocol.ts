import * as asn1js from 'asn1js';
import { id_sha256, id_sha384, id_sha512 } from './oids.js';
import {
  algorithmIdentifier,
  booleanValue,
  explicit,
  generalizedTime,
  namedBits,
  objectIdentifier,
  octetString,
  sequence,
  smallInteger,
  tlv,
  unsignedInteger,
  utf8String,
} from '../der/writer.js';
import { fromBerSafely } from '../der/ber.js';

/** Hashes a TSA accepts in a message imprint, with their lengths. SHA-1 is refused (RFC 3161 allows it; it is broken). */
export const IMPRINT_HASHES: Record<string, { name: 'sha256' | 'sha384' | 'sha512'; length: number }> = {
  [id_sha256]: { name: 'sha256', length: 32 },
  [id_sha384]: { name: 'sha384', length: 48 },
  [id_sha512]: { name: 'sha512', length: 64 },
};

/*
 * PKIFailureInfo ::= BIT STRING {
 *   badAlg (0), badRequest (2), badDataFormat (5), timeNotAvailable (14),
 *   unacceptedPolicy (15), unacceptedExtension (16), addInfoNotAvailable (17),
 *   systemFailure (25) }
 */
export const PKI_FAILURE_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;
export type PkiFailure = keyof typeof PKI_FAILURE_INFO;

/** A request the TSA refuses: answered with a TimeStampResp of status rejection. */
export class TimeStampRejection extends Error {
  constructor(
    readonly failure: PkiFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TimeStampRejection';
  }
}

export interface TimeStampRequest {
  hashAlgorithm: string;
  hashedMessage: Buffer;
  /** The MessageImprint exactly as received; TSTInfo must carry the same value. */
  messageImprintDer: Buffer;
  reqPolicy?: string;
  /** The nonce INTEGER exactly as received, to echo it bit for bit. */
  nonceDer?: Buffer;
  certReq: boolean;
  hasExtensions: boolean;
}

const bad = (message: string) => new TimeStampRejection('badDataFormat', message);

/*
 * TimeStampReq ::= SEQUENCE  {
 *    version                      INTEGER  { v1(1) },
 *    messageImprint               MessageImprint,
 *    reqPolicy             TSAPolicyId              OPTIONAL,
 *    nonce                 INTEGER                  OPTIONAL,
 *    certReq               BOOLEAN                  DEFAULT FALSE,
 *    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
 * MessageImprint ::= SEQUENCE  {
 *    hashAlgorithm                AlgorithmIdentifier,
 *    hashedMessage                OCTET STRING  }
 */
export function parseTimeStampRequest(bytes: Uint8Array): TimeStampRequest {
  if (bytes.length === 0) throw bad('the request is empty');
  const parsed = fromBerSafely(bytes);
  if (parsed.offset === -1 || parsed.result.error) throw bad('the request is not DER');
  if (parsed.offset !== bytes.length) throw bad('the request has bytes after its end');
  const request = parsed.result;
  if (!(request instanceof asn1js.Sequence)) throw bad('the request is not a TimeStampReq');
  const fields = request.valueBlock.value;
  const [version, imprint] = fields;
  if (!(version instanceof asn1js.Integer) || version.valueBlock.valueDec !== 1) throw bad('the TimeStampReq version is not v1');
  if (!(imprint instanceof asn1js.Sequence)) throw bad('the messageImprint is missing');
  const [algorithm, hashed] = imprint.valueBlock.value;
  const algorithmOid = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  if (!(algorithmOid instanceof asn1js.ObjectIdentifier) || !(hashed instanceof asn1js.OctetString) || hashed.idBlock.isConstructed) {
    throw bad('the messageImprint is not a MessageImprint');
  }
  const result: TimeStampRequest = {
    hashAlgorithm: algorithmOid.valueBlock.toString(),
    hashedMessage: Buffer.from(hashed.valueBlock.valueHexView),
    messageImprintDer: Buffer.from(imprint.valueBeforeDecodeView),
    certReq: false,
    hasExtensions: false,
  };
  for (const field of fields.slice(2)) {
    if (field instanceof asn1js.ObjectIdentifier && result.reqPolicy === undefined && result.nonceDer === undefined) result.reqPolicy = field.valueBlock.toString();
    else if (field instanceof asn1js.Integer && result.nonceDer === undefined) result.nonceDer = Buffer.from(field.valueBeforeDecodeView);
    else if (field instanceof asn1js.Boolean) result.certReq = field.valueBlock.value;
    else if (field.idBlock.tagClass === 3 && field.idBlock.tagNumber === 0) result.hasExtensions = true;
    else throw bad('the TimeStampReq has an unexpected field');
  }
  return result;
}

/** A TimeStampReq, as a client (qorgau sign --tsa) sends it. */
export function buildTimeStampRequest(input: { hashAlgorithm?: string; hashedMessage: Uint8Array; nonce?: Uint8Array; certReq?: boolean; reqPolicy?: string }): Buffer {
  return sequence(
    smallInteger(1),
    sequence(algorithmIdentifier(input.hashAlgorithm ?? id_sha256), octetString(input.hashedMessage)),
    ...(input.reqPolicy ? [objectIdentifier(input.reqPolicy)] : []),
    ...(input.nonce ? [unsignedInteger(input.nonce)] : []),
    ...(input.certReq ? [booleanValue(true)] : []),
  );
}

/*
 * TSTInfo ::= SEQUENCE  {
 *    version                      INTEGER  { v1(1) },
 *    policy                       TSAPolicyId,
 *    messageImprint               MessageImprint,
 *    serialNumber                 INTEGER,
 *    genTime                      GeneralizedTime,
 *    accuracy                     Accuracy                 OPTIONAL,
 *    ordering                     BOOLEAN             DEFAULT FALSE,
 *    nonce                        INTEGER                  OPTIONAL,
 *    tsa                          [0] GeneralName          OPTIONAL,
 *    extensions                   [1] IMPLICIT Extensions  OPTIONAL  }
 * Accuracy ::= SEQUENCE {
 *    seconds        INTEGER              OPTIONAL,
 *    millis     [0] INTEGER  (1..999)    OPTIONAL,
 *    micros     [1] INTEGER  (1..999)    OPTIONAL  }
 */
export function buildTstInfo(input: {
  policy: string;
  messageImprintDer: Buffer;
  serialNumber: Uint8Array;
  genTime: Date;
  accuracySeconds?: number;
  nonceDer?: Buffer;
  /** The TSA's subject Name (DER), named as a directoryName. */
  tsaName?: Buffer;
}): Buffer {
  return sequence(
    smallInteger(1),
    objectIdentifier(input.policy),
    input.messageImprintDer,
    unsignedInteger(input.serialNumber),
    generalizedTime(input.genTime, true),
    ...(input.accuracySeconds ? [sequence(smallInteger(input.accuracySeconds))] : []),
    ...(input.nonceDer ? [input.nonceDer] : []),
    // tsa [0] GeneralName: EXPLICIT, as GeneralName is a CHOICE; directoryName is [4] Name.
    ...(input.tsaName ? [explicit(0, tlv(0xa4, input.tsaName))] : []),
  );
}

export interface TstInfo {
  policy: string;
  hashAlgorithm: string;
  hashedMessage: Buffer;
  serialNumber: string;
  genTime: Date;
  nonce?: Buffer;
}

export function parseTstInfo(bytes: Uint8Array): TstInfo {
  const parsed = fromBerSafely(bytes);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new TypeError('TSTInfo is not DER');
  const [version, policy, imprint, serial, genTime, ...rest] = parsed.result.valueBlock.value;
  if (!(version instanceof asn1js.Integer) || !(policy instanceof asn1js.ObjectIdentifier) || !(imprint instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer) || !(genTime instanceof asn1js.GeneralizedTime)) {
    throw new TypeError('TSTInfo does not follow RFC 3161');
  }
  const [algorithm, hashed] = imprint.valueBlock.value as [asn1js.Sequence, asn1js.OctetString];
  const nonce = rest.find((f) => f instanceof asn1js.Integer) as asn1js.Integer | undefined;
  return {
    policy: policy.valueBlock.toString(),
    hashAlgorithm: (algorithm.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString(),
    hashedMessage: Buffer.from(hashed.valueBlock.valueHexView),
    serialNumber: Buffer.from(serial.valueBlock.valueHexView).toString('hex'),
    genTime: genTime.toDate(),
    ...(nonce ? { nonce: Buffer.from(nonce.valueBlock.valueHexView) } : {}),
  };
}

/*
 * TimeStampResp ::= SEQUENCE  {
 *    status                  PKIStatusInfo,
 *    timeStampToken          TimeStampToken     OPTIONAL  }
 * PKIStatusInfo ::= SEQUENCE {
 *    status        PKIStatus,
 *    statusString  PKIFreeText     OPTIONAL,
 *    failInfo      PKIFailureInfo  OPTIONAL  }
 * PKIStatus ::= INTEGER { granted (0), grantedWithMods (1), rejection (2), ... }
 * PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
 */
export function grantedResponse(token: Buffer): Buffer {
  return sequence(sequence(smallInteger(0)), token);
}

export function rejectionResponse(failure: PkiFailure, text: string): Buffer {
  return sequence(sequence(smallInteger(2), sequence(utf8String(text)), namedBits([PKI_FAILURE_INFO[failure]])));
}

/** Reads a TimeStampResp: its status and, when granted, the token (a ContentInfo). */
export function parseTimeStampResponse(bytes: Uint8Array): { status: number; text?: string; failure?: number[]; token?: Buffer } {
  const parsed = fromBerSafely(bytes);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new TypeError('the TSA answer is not a TimeStampResp');
  const [statusInfo, token] = parsed.result.valueBlock.value;
  const [status, ...rest] = (statusInfo as asn1js.Sequence).valueBlock.value;
  if (!(status instanceof asn1js.Integer)) throw new TypeError('the TSA answer has no status');
  const text = rest.find((r) => r instanceof asn1js.Sequence) as asn1js.Sequence | undefined;
  const failInfo = rest.find((r) => r instanceof asn1js.BitString) as asn1js.BitString | undefined;
  const failure: number[] = [];
  if (failInfo) {
    const bits = failInfo.valueBlock.valueHexView;
    for (let i = 0; i < bits.length * 8; i++) if (bits[i >> 3] & (0x80 >> i % 8)) failure.push(i);
  }
  return {
    status: status.valueBlock.valueDec,
    ...(text ? { text: text.valueBlock.value.map((t) => (t as asn1js.Utf8String).valueBlock.value).join(' ') } : {}),
    ...(failInfo ? { failure } : {}),
    ...(token ? { token: Buffer.from(token.valueBeforeDecodeView) } : {}),
  };
}
