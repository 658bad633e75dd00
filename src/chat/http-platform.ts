import type { IncomingHttpHeaders } from 'node:http';

/**
 * The part of a request that Express and Fastify share, which is all ChatModule reads:
 * hosts run either platform (the standalone server runs Fastify, examples/host-app Express).
 */
export interface ChatHttpRequest {
  headers: IncomingHttpHeaders;
  body?: unknown;
  query?: unknown;
}

/** A reply whose status a `passthrough` handler sets: `status(code)` on both platforms. */
export interface ChatHttpReply {
  status(code: number): unknown;
}

/**
 * The id the request logger wrote for this request, so that an error's correlation id finds
 * its log lines: `request.id` on both platforms (pino-http sets it on Express's request;
 * Fastify assigns it, and pino-http keeps it).
 */
export function loggedRequestId(request: unknown): string | undefined {
  const { id } = request as { id?: unknown };
  return typeof id === 'string' ? id : undefined;
}
