import { derBlocks } from '../../../pkix/certificate.js';
import { PathCertificate } from './path-certificate.js';
import { PathCrl } from './path-crl.js';

/** Thrown for input that cannot be read as what it should be; `what` names it for people. */
export class PathInputError extends Error {
  constructor(
    readonly what: string,
    message: string,
  ) {
    super(`${what}: ${message}`);
    this.name = 'PathInputError';
  }
}

/** All certificates of a file or request field: DER, or PEM with one or more blocks. */
export function readCertificateBlocks(content: Buffer, what: string): PathCertificate[] {
  const blocks = (() => {
    try {
      return derBlocks(content);
    } catch (err) {
      throw new PathInputError(what, `not PEM or DER (${(err as Error).message})`);
    }
  })();
  return blocks.map((der, i) => {
    try {
      return new PathCertificate(der);
    } catch (err) {
      throw new PathInputError(blocks.length > 1 ? `${what} (block ${i + 1})` : what, `cannot be read as an X.509 certificate: ${(err as Error).message}`);
    }
  });
}

export function readCrlBlocks(content: Buffer, what: string): PathCrl[] {
  return derBlocks(content).map((der, i) => {
    try {
      return new PathCrl(der);
    } catch (err) {
      throw new PathInputError(i > 0 ? `${what} (block ${i + 1})` : what, `cannot be read as a CRL: ${(err as Error).message}`);
    }
  });
}
