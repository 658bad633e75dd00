import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A request's id: the caller's `X-Request-Id` when it is a sane token (a gateway's logs then
 * find ours), else a new UUID. The HTTP platform assigns it and the request logger reuses it.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
}
