import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer } from './pseudonym.js';
import { buildIin } from '../../test/helpers/factories.js';

describe('Pseudonymizer', () => {
  it('equals HMAC-SHA-256 from node:crypto for many keys and IINs', () => {
    for (let k = 0; k < 20; k++) {
      const key = randomBytes(32 + (k % 3) * 40); // 32, 72 (longer than a block) and 112 bytes
      const p = new Pseudonymizer(key);
      for (let i = 0; i < 200; i++) {
        const iin = buildIin();
        const expected = createHmac('sha256', key).update(iin).digest();
        expect(p.of(iin).equals(expected)).toBe(true);
        const hex = Buffer.alloc(70);
        expect(p.writeHex(iin, hex, 3)).toBe(67);
        expect(hex.subarray(3, 67).toString('latin1')).toBe(expected.toString('hex'));
      }
    }
  });

  it('depends on the key', () => {
    const iin = '880515300120';
    expect(new Pseudonymizer(randomBytes(32)).of(iin).equals(new Pseudonymizer(randomBytes(32)).of(iin))).toBe(false);
  });

  it('refuses a short key', () => {
    expect(() => new Pseudonymizer(randomBytes(16))).toThrow(/32 bytes/);
  });
});
