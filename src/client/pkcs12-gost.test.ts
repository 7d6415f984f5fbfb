import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { explicit, nullValue, objectIdentifier, octetString, sequence, smallInteger } from '../der/writer.js';
import { pkcs12Kdf, readPkcs12 } from './pkcs12.js';

/*
 * A .p12 as the national CA issues for GOST keys: the key in a keyBag, integrity by a SHA-256
 * password MAC. Written here by hand (no open tool makes GOST keys), so the password check and
 * the key algorithm can be told apart.
 */
function gostP12(password: string): Buffer {
  const gostKey = sequence(smallInteger(0), sequence(objectIdentifier('1.2.398.3.10.1.1.1.1')), octetString(randomBytes(32)));
  const keyBag = sequence(objectIdentifier('1.2.840.113549.1.12.10.1.1'), explicit(0, gostKey));
  const data = (content: Buffer) => sequence(objectIdentifier('1.2.840.113549.1.7.1'), explicit(0, octetString(content)));
  const authenticatedSafe = sequence(data(sequence(keyBag)));
  const salt = randomBytes(16);
  const bmp = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const macKey = pkcs12Kdf('sha256', bmp, salt, 2048, 3, 32);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  const macData = sequence(sequence(sequence(objectIdentifier('2.16.840.1.101.3.4.2.1'), nullValue()), octetString(mac)), octetString(salt), smallInteger(2048));
  return sequence(smallInteger(3), data(authenticatedSafe), macData);
}

function codeOf(run: () => unknown): { code?: string; message?: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
  return {};
}

describe('PKCS#12 with a GOST key', () => {
  it('says the algorithm is unsupported when the password is right, and that the password is wrong when it is', () => {
    const file = gostP12('Qwerty12');
    const right = codeOf(() => readPkcs12(file, 'Qwerty12'));
    expect(right.code).toBe('PKCS12_KEY_ALGORITHM_UNSUPPORTED');
    expect(right.message).toContain('GOST');
    expect(right.message).toContain('password is right');
    expect(codeOf(() => readPkcs12(file, 'wrong')).code).toBe('PKCS12_BAD_PASSWORD');
  });
});
