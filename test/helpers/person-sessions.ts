import type { FastifyInstance } from 'fastify';
import type { KeyObject } from 'node:crypto';
import { CertificateIssuer, type IssuedPair } from '../../src/features/ca/index.js';
import { signerFromPrivateKey } from '../../src/client/pkcs12.js';
import { signCms } from '../../src/client/sign.js';
import { canonicalJson } from '../../src/features/trust/index.js';
import { SESSION_COOKIE } from '../../src/features/signin/index.js';
import type { PersonSubject } from '../../src/features/ca/index.js';
import { buildPerson, buildSubjectKey } from './pki-factories.js';

/** A person holding an AUTH/SIGN pair issued by the app's own CA, and their private keys. */
export interface CertifiedPerson {
  person: PersonSubject;
  iin: string;
  issued: IssuedPair;
  authKey: KeyObject;
  signKey: KeyObject;
}

export async function certifyPerson(app: FastifyInstance, overrides: Partial<PersonSubject> = {}): Promise<CertifiedPerson> {
  const person = buildPerson(overrides);
  const authKey = buildSubjectKey();
  const signKey = buildSubjectKey();
  const issued = await new CertificateIssuer(app.database.db, app.pki!, app.config.publicUrl).issuePair({
    holder: person.bin ? 'employee' : 'individual',
    person,
    authKey: authKey.spki,
    signKey: signKey.spki,
    proofing: 'remote',
  });
  return { person, iin: person.iin, issued, authKey: authKey.privateKey, signKey: signKey.privateKey };
}

/** CMS over `content` with the person's AUTH or SIGN key, as a client would make it. */
export function signAs(app: FastifyInstance, who: CertifiedPerson, purpose: 'auth' | 'sign', content: Buffer | string, options: { detached?: boolean } = {}): Promise<Buffer> {
  return signCms({
    content: Buffer.from(content),
    signer: signerFromPrivateKey(purpose === 'auth' ? who.authKey : who.signKey),
    certificate: who.issued[purpose].der,
    chain: [app.pki!.issuing.der],
    detached: options.detached,
  });
}

/** Signs in through the routes; returns the Cookie header value for later requests. */
export async function signIn(app: FastifyInstance, who: CertifiedPerson): Promise<string> {
  const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
  const cms = await signAs(app, who, 'auth', nonce);
  const response = await app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: cms.toString('base64') } });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  const cookie = String(response.headers['set-cookie']).split(';')[0];
  if (!cookie.startsWith(`${SESSION_COOKIE}=`)) throw new Error('no session cookie');
  return cookie;
}

/** A signed request document (canonical JSON) with the person's SIGN key, base64 for the JSON body. */
export async function signedRequest(app: FastifyInstance, who: CertifiedPerson, request: Record<string, unknown>, options: { purpose?: 'auth' | 'sign'; iin?: string } = {}): Promise<string> {
  const body = { iin: options.iin ?? who.iin, nonce: `n-${Math.random().toString(36).slice(2)}-${Date.now()}`, issuedAt: new Date().toISOString(), ...request };
  return (await signAs(app, who, options.purpose ?? 'sign', canonicalJson(body))).toString('base64');
}
