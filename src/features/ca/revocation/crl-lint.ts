import 'reflect-metadata';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate } from '@peculiar/x509';
import type { CertificateParts } from './certificate-parts.js';
import type { CrlContent, CrlSigningCa } from './crl-builder.js';

export interface CrlLintInput {
  ca: CrlSigningCa;
  parts: CertificateParts;
  content: CrlContent;
}

/** Revocation times come from the database clock; allow that much skew against ours. */
const CLOCK_SKEW_MS = 60_000;
const MAX_CRL_NUMBER = 2n ** 159n;

/**
 * Checks a CRL's whole-list facts before the CA key signs it (entry facts are gathered
 * by CrlEntriesWriter as it encodes). Returns the problems; empty means sign.
 */
export async function lintCrl({ ca, parts, content }: CrlLintInput): Promise<string[]> {
  const problems: string[] = [];
  const thisUpdate = content.thisUpdate.getTime();
  const nextUpdate = content.nextUpdate.getTime();
  if (!Number.isFinite(thisUpdate) || !Number.isFinite(nextUpdate)) problems.push('thisUpdate and nextUpdate must be dates');
  else if (nextUpdate <= thisUpdate) problems.push('nextUpdate must be after thisUpdate');
  if (content.entries.latestRevocation > thisUpdate + CLOCK_SKEW_MS) problems.push('an entry is revoked after thisUpdate');
  const crlNumber = BigInt(content.crlNumber);
  if (crlNumber < 0n || crlNumber >= MAX_CRL_NUMBER) problems.push('cRLNumber must be a non-negative integer of at most 20 octets');

  // The issuer named in the CRL must be the holder of the key that signs it.
  const signerKey = await ca.signer.publicKeySpki();
  if (!signerKey.equals(parts.subjectPublicKeyInfo)) problems.push("the signer's key is not the issuer certificate's key");
  const certificate = new X509Certificate(new Uint8Array(ca.der));
  const basic = certificate.getExtension(BasicConstraintsExtension);
  if (!basic?.ca) problems.push('the issuer certificate is not a CA certificate');
  const usage = certificate.getExtension(KeyUsagesExtension);
  if (usage && !(usage.usages & KeyUsageFlags.cRLSign)) problems.push('the issuer certificate does not allow cRLSign');
  return problems;
}
