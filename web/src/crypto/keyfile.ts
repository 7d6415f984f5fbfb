import forge from 'node-forge';

/**
 * Opens a PKCS#12 (.p12) key file in the browser. node-forge decrypts both kinds people hold:
 * Qorgau's (PBES2, PBKDF2 and AES) and the national CA's legacy ones (3DES for the key, 40-bit
 * RC2 for the certificates), which WebCrypto cannot. The key is then imported into WebCrypto as
 * non-extractable, and the decrypted PKCS#8 bytes are dropped: nothing leaves the page.
 */

export type KeyFileProblem = 'BAD_PASSWORD' | 'MALFORMED' | 'NO_KEY' | 'GOST' | 'ALGORITHM';

export class KeyFileError extends Error {
  constructor(readonly problem: KeyFileProblem, detail: string) {
    super(detail);
  }
}

export type KeyAlgorithm = 'ECDSA-P256' | 'RSA';

export interface OpenedKey {
  /** DER of the certificate of the private key. */
  certificate: Uint8Array;
  /** DER of the other certificates in the file (its issuing CA, as a rule). */
  chain: Uint8Array[];
  privateKey: CryptoKey;
  algorithm: KeyAlgorithm;
}

const RSA = '1.2.840.113549.1.1.1';
const EC = '1.2.840.10045.2.1';
const P256 = '1.2.840.10045.3.1.7';
/** Kazakhstan's GOST 34.310-2004 and GOST 2015 keys (1.2.398.3.10...) and the Russian GOST family (1.2.643...). */
export const isGostOid = (oid: string) => oid.startsWith('1.2.398.3.10.') || oid.startsWith('1.2.643.');

/** A BER OCTET STRING sent in chunks (constructed) as one primitive OCTET STRING. */
function flattenOctetStrings(node: forge.asn1.Asn1): forge.asn1.Asn1 {
  if (!Array.isArray(node.value)) return node;
  if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.OCTETSTRING && node.constructed) {
    const joined = (node.value as forge.asn1.Asn1[]).map((child) => flattenOctetStrings(child).value as string).join('');
    return { ...node, constructed: false, composed: false, value: joined } as forge.asn1.Asn1;
  }
  return { ...node, value: (node.value as forge.asn1.Asn1[]).map(flattenOctetStrings) };
}

// Qorgau's own files are written by pkijs, whose EncryptedPrivateKeyInfo carries the encrypted
// key as a chunked (constructed) OCTET STRING, valid BER that forge's decoder only takes as DER.
const decryptPrivateKeyInfo = forge.pki.decryptPrivateKeyInfo;
forge.pki.decryptPrivateKeyInfo = (info, password) => decryptPrivateKeyInfo(flattenOctetStrings(info), password);

// PBES2 (PKCS#5) derives the key from the password's UTF-8 bytes, while forge hands PBKDF2 the
// string's code units; the legacy PKCS#12 PBE and the MAC take the string as it is (BMPString).
const PBES2 = '1.2.840.113549.1.5.13';
const pbe = (forge.pki as unknown as { pbe: { getCipher: (oid: string, params: unknown, password: string) => unknown } }).pbe;
const getCipher = pbe.getCipher;
pbe.getCipher = (oid, params, password) => getCipher(oid, params, oid === PBES2 ? forge.util.encodeUtf8(password) : password);

const toBytes = (binary: string) => Uint8Array.from(binary, (c) => c.charCodeAt(0));
const derOf = (node: forge.asn1.Asn1) => toBytes(forge.asn1.toDer(node).getBytes());

function keyAlgorithmOf(privateKeyInfo: forge.asn1.Asn1): { oid: string; curve?: string } {
  // PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier, privateKey, ... }
  const algorithm = (privateKeyInfo.value as forge.asn1.Asn1[])[1];
  const parts = algorithm?.value as forge.asn1.Asn1[] | undefined;
  if (!parts?.[0]) throw new KeyFileError('MALFORMED', 'The key has no algorithm');
  const oid = forge.asn1.derToOid(parts[0].value as string);
  const parameter = parts[1];
  const curve = parameter && parameter.type === forge.asn1.Type.OID ? forge.asn1.derToOid(parameter.value as string) : undefined;
  return { oid, curve };
}

interface Bag {
  type: string;
  key?: forge.pki.PrivateKey | null;
  cert?: forge.pki.Certificate | null;
  asn1?: forge.asn1.Asn1;
  attributes: Record<string, unknown[]>;
}

export async function openKeyFile(bytes: Uint8Array, password: string): Promise<OpenedKey> {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(forge.util.binary.raw.encode(bytes)));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (/password|MAC could not be verified|decrypt/i.test(message)) throw new KeyFileError('BAD_PASSWORD', message);
    throw new KeyFileError('MALFORMED', message);
  }
  const bags = p12.safeContents.flatMap((contents) => contents.safeBags) as unknown as Bag[];
  const keyBag = bags.find((b) => b.type === forge.pki.oids.pkcs8ShroudedKeyBag || b.type === forge.pki.oids.keyBag);
  if (!keyBag) throw new KeyFileError('NO_KEY', 'The file holds no private key');
  const privateKeyInfo = keyBag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key as forge.pki.rsa.PrivateKey)) : keyBag.asn1;
  if (!privateKeyInfo) throw new KeyFileError('NO_KEY', 'The private key could not be read');
  const { oid, curve } = keyAlgorithmOf(privateKeyInfo);
  if (isGostOid(oid)) throw new KeyFileError('GOST', `GOST key (${oid})`);
  let algorithm: KeyAlgorithm;
  let importParams: RsaHashedImportParams | EcKeyImportParams;
  if (oid === RSA) {
    algorithm = 'RSA';
    importParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else if (oid === EC && curve === P256) {
    algorithm = 'ECDSA-P256';
    importParams = { name: 'ECDSA', namedCurve: 'P-256' };
  } else {
    throw new KeyFileError('ALGORITHM', `key algorithm ${oid}${curve ? ` (${curve})` : ''}`);
  }
  const pkcs8 = derOf(privateKeyInfo);
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, importParams, false, ['sign']);
  } finally {
    pkcs8.fill(0);
  }

  const certificates = bags
    .filter((b) => b.type === forge.pki.oids.certBag)
    .map((b) => ({ der: b.cert ? derOf(forge.pki.certificateToAsn1(b.cert)) : b.asn1 ? derOf(b.asn1) : null, keyId: localKeyIdOf(b) }))
    .flatMap((c) => (c.der ? [{ der: c.der as Uint8Array, keyId: c.keyId }] : []));
  if (certificates.length === 0) throw new KeyFileError('NO_KEY', 'The file holds no certificate');
  const keyId = localKeyIdOf(keyBag);
  const own = certificates.find((c) => keyId !== undefined && c.keyId === keyId) ?? certificates[0];
  return { certificate: own.der, chain: certificates.filter((c) => c !== own).map((c) => c.der), privateKey, algorithm };
}

function localKeyIdOf(bag: Bag): string | undefined {
  const value = bag.attributes?.localKeyId?.[0];
  return typeof value === 'string' ? forge.util.bytesToHex(value) : undefined;
}
