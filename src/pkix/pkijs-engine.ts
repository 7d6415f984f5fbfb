import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

/**
 * pkijs looks for a global WebCrypto; on Node it must be given one, or CSR signature
 * checks and PFX encryption fail with "Unable to create WebCrypto object".
 * Importing this module once is enough.
 */
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

export { pkijs };
