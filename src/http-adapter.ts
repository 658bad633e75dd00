import { FastifyAdapter } from '@nestjs/platform-fastify';
import { requestIdFor } from './logging/request-id';

/**
 * The standalone server's HTTP platform. Fastify rather than Nest's default Express: with the
 * same handlers, guards and request logging, the history page served about 1.6 times as many
 * requests per second (P8, BENCHMARKS.md). ChatModule itself does not care: examples/host-app
 * runs it on Express, and test/host-app.e2e-spec.ts checks that it works there.
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    // Express's json() limit, which the API had until now; a chat message is at most 5000 characters.
    bodyLimit: 100 * 1024,
    // The id the request logger writes and a 500's correlation_id quotes.
    genReqId: requestIdFor,
    // As Express routed, `/V1/...` reaches `/v1/...`. A trailing slash is not ignored, unlike
    // Express: with it @fastify/static no longer finds the demo's index.html at /demo/.
    routerOptions: { caseSensitive: false },
  });
}
