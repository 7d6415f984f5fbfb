import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { ATTACHMENT_MAX_BYTES } from './schema.js';

/** What the first bytes of a file say it is (declared types are not trusted). */
function sniff(bytes: Buffer): string | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (!bytes.includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) return 'text/plain';
  return null;
}

export interface CheckedAttachment {
  id: string;
  fileName: string;
  mediaType: string;
  sha256: string;
  content: Buffer;
}

/** Decodes and checks attachments before anything is written: size, and a type its bytes confirm. */
export function checkAttachments(attachments: { fileName: string; mediaType: string; content: string }[]): CheckedAttachment[] {
  return attachments.map((a, index) => {
    const text = a.content.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
      throw AppError.badRequest('FRAUD_ATTACHMENT_MALFORMED', `Attachment ${index + 1} ("${a.fileName.slice(0, 60)}") is not base64`, { attachment: index });
    }
    // Measure before decoding: base64 is 4 characters per 3 bytes.
    if (Math.floor((text.length * 3) / 4) - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0) > ATTACHMENT_MAX_BYTES) {
      throw new AppError('too_large', 'FRAUD_ATTACHMENT_TOO_LARGE', `Attachment ${index + 1} is larger than ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MiB: send a smaller picture or a shorter document`, { attachment: index });
    }
    const content = Buffer.from(text, 'base64');
    if (content.length === 0) throw AppError.badRequest('FRAUD_ATTACHMENT_EMPTY', `Attachment ${index + 1} is empty`, { attachment: index });
    const actual = sniff(content);
    if (actual !== a.mediaType) {
      throw new AppError('unsupported_media', 'FRAUD_ATTACHMENT_TYPE', `Attachment ${index + 1} is not a ${a.mediaType} file${actual ? ` (it looks like ${actual})` : ''}: PNG, JPEG, PDF and plain text are accepted`, { attachment: index });
    }
    return { id: randomUUID(), fileName: a.fileName.replace(/[\u0000-\u001f\u007f/\\]/g, '_'), mediaType: actual, sha256: createHash('sha256').update(content).digest('hex'), content };
  });
}
