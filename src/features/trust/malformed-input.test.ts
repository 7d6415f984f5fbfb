import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestHierarchy, issuePerson } from '../../../test/helpers/cms-fixtures.js';
import { AppError } from '../../errors/app-error.js';
import { HTTP_STATUS_OF_KIND } from '../../errors/http-errors.js';
import { TimeStampAuthority } from '../ca/index.js';
import { buildTimeStampRequest, parseTimeStampResponse } from '../../pkix/time-stamp-protocol.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { RevocationChecker } from './revocation-status.js';
import { signCms } from '../../client/sign.js';
import { SignatureVerifier } from './signature-verifier.js';
import { TrustStore } from './trust-anchors.js';

/** A small deterministic generator, so a failure names the mutation that caused it. */
function* mutations(input: Buffer, count: number, seed: number): Generator<{ label: string; bytes: Buffer }> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(input);
    const position = next() % bytes.length;
    const kind = next() % 4;
    if (kind === 0) bytes[position] ^= 1 << next() % 8;
    else if (kind === 1) bytes[position] = next() % 256;
    else if (kind === 2) yield { label: `cut at ${position}`, bytes: bytes.subarray(0, position) };
    else yield { label: `insert at ${position}`, bytes: Buffer.concat([bytes.subarray(0, position), Buffer.from([next() % 256]), bytes.subarray(position)]) };
    if (kind < 2) yield { label: `byte ${position} changed`, bytes };
  }
}

/**
 * Whatever the bytes, verification either reports or refuses with a coded 400: a damaged
 * signature must never become a 500. Same for the TSA: every request gets a TimeStampResp.
 */
describe('malformed input never escapes as an unexpected error', () => {
  let verifier: SignatureVerifier;
  let tsa: TimeStampAuthority;
  let cms: Buffer;

  beforeAll(async () => {
    const hierarchy = await buildTestHierarchy();
    const person = await issuePerson(hierarchy.issuing);
    tsa = new TimeStampAuthority(hierarchy.tsa);
    verifier = new SignatureVerifier(new TrustStore().addAnchor(CertificateInfo.parse(hierarchy.root.der)), new RevocationChecker([]));
    cms = await signCms({
      content: Buffer.from('a document worth damaging'),
      signer: person.sign.signer,
      certificate: person.sign.der,
      chain: [hierarchy.issuing.der],
      timeStamp: async (signature) => {
        const answer = await tsa.respond(buildTimeStampRequest({ hashedMessage: createHash('sha256').update(signature).digest(), certReq: true }));
        return parseTimeStampResponse(answer.response).token!;
      },
    });
  });

  it('verifying 600 damaged copies of a time-stamped CMS yields reports or AppError 400s only', async () => {
    const outcomes = { report: 0, refused: 0, valid: 0 };
    for (const { label, bytes } of mutations(cms, 600, 20261124)) {
      try {
        const report = await verifier.verify(bytes, { detachedContent: Buffer.from('a document worth damaging') });
        outcomes.report++;
        if (report.result === 'valid') outcomes.valid++;
      } catch (err) {
        if (!(err instanceof AppError) || HTTP_STATUS_OF_KIND[err.kind] !== 400) throw new Error(`${label}: ${(err as Error).stack}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.report).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('answers 3,000 damaged time-stamp requests with a TimeStampResp each', async () => {
    const request = buildTimeStampRequest({ hashedMessage: createHash('sha256').update('x').digest(), nonce: Buffer.from('0102030405060708', 'hex'), certReq: true });
    let rejected = 0;
    for (const { label, bytes } of mutations(request, 3000, 7)) {
      const answer = await tsa.respond(bytes).catch((err: Error) => {
        throw new Error(`${label}: ${err.stack}`);
      });
      expect(parseTimeStampResponse(answer.response).status).toBe(answer.granted ? 0 : 2);
      if (!answer.granted) rejected++;
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
