import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { buildPerson, openssl, tempDir, writeTemp } from '../../test/helpers/pki-factories.js';
import { AutomaticProofing } from '../features/ca/index.js';
import { runQorgau } from '../../test/helpers/cli.js';

/** The real command line, as a person runs it. */
const qorgau = (args: string[]) => runQorgau(args);

let app: FastifyInstance;
let server: string;
beforeAll(async () => {
  app = await buildTestApp();
  app.certificateApplications!.proofing = new AutomaticProofing();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  server = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app.close();
});

describe('qorgau keygen against a running server', () => {
  it('refuses a weak password with the reasons and suggestions', async () => {
    const dir = tempDir();
    const person = buildPerson();
    const weak = writeTemp(dir, 'weak', 'qwerty123456\n');
    const result = await qorgau(['keygen', '--iin', person.iin, '--surname', person.surname, '--given-name', person.givenName, '--id-document', '045123456', '--out', path.join(dir, 'k'), '--password-file', weak]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/password is refused: .*too easy to guess/);
    expect(result.stderr).toContain('[PASSWORD_TOO_WEAK]');
  });

  it('generates keys, submits, and after issuance writes .p12 files that open with the password', async () => {
    const dir = tempDir();
    const person = buildPerson();
    const passwordFile = writeTemp(dir, 'password', 'three camels cross the steppe at dawn\n');
    const out = path.join(dir, 'keys');
    const made = await qorgau([
      'keygen', '--iin', person.iin, '--surname', person.surname, '--given-name', person.givenName, '--patronymic', person.patronymic!,
      '--id-document', '045123456', '--out', out, '--password-file', passwordFile, '--submit', server,
    ]);
    expect(made.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(made.stdout).toMatch(/application [0-9a-f-]{36}: issued/);
    expect(existsSync(path.join(out, 'application-id.txt'))).toBe(true);

    const finished = await qorgau(['keygen', 'finish', '--dir', out, '--password-file', passwordFile, '--url', server]);
    expect(finished.stderr).toBe('');
    expect(finished.stdout).toContain('sign.p12');
    const info = await openssl(['pkcs12', '-info', '-nodes', '-in', path.join(out, 'sign.p12'), '-passin', `file:${passwordFile}`]);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(`serialNumber = IIN${person.iin}`);
    expect(readFileSync(path.join(out, 'application-id.txt'), 'utf8')).toMatch(/^[0-9a-f-]{36}\n$/);
  });
});
