import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import { buildTimeStampRequest, parseTimeStampResponse, parseTstInfo } from '../pkix/time-stamp-protocol.js';
import { parseSignedData } from '../pkix/signed-data-parser.js';

/**
 * Asks an RFC 3161 TSA over HTTP for a token over `data` (for a CMS signature: the signature
 * value), and checks that the answer is for our imprint and nonce before using it.
 */
export async function requestTimeStamp(url: string, data: Uint8Array, fetchImpl: typeof fetch = fetch): Promise<Buffer> {
  const hashedMessage = createHash('sha256').update(data).digest();
  const nonce = randomBytes(8);
  const query = buildTimeStampRequest({ hashedMessage, nonce, certReq: true });
  let response: Response;
  try {
    response = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: new Uint8Array(query) });
  } catch (err) {
    throw new AppError('upstream', 'TSA_UNREACHABLE', `The time-stamp authority at ${url} cannot be reached: ${(err as Error).message}`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  let reply: ReturnType<typeof parseTimeStampResponse>;
  try {
    reply = parseTimeStampResponse(body);
  } catch {
    throw new AppError('upstream', 'TSA_BAD_ANSWER', `The time-stamp authority at ${url} answered HTTP ${response.status} without a TimeStampResp`);
  }
  if (reply.status > 1 || !reply.token) throw new AppError('upstream', 'TSA_REJECTED', `The time-stamp authority refused: ${reply.text ?? `status ${reply.status}`}`);
  const token = parseSignedData(reply.token);
  const info = parseTstInfo(token.eContent ?? Buffer.alloc(0));
  if (!info.hashedMessage.equals(hashedMessage) || !info.nonce || info.nonce.toString('hex').replace(/^0+/, '') !== nonce.toString('hex').replace(/^0+/, '')) {
    throw new AppError('upstream', 'TSA_BAD_ANSWER', 'The time-stamp token is not for this request (imprint or nonce differ)');
  }
  return reply.token;
}
