import type { FastifyRequest } from 'fastify';

/**
 * For routes whose body fields are all optional: a request with no body at all is read as `{}`,
 * so `curl -X POST` without `-d '{}'` is not refused for a missing object.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
}
