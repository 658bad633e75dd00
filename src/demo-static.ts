import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The standalone server's demo chat page: `demo/` at /demo and the SDK's browser build
 * (`client/dist-esm`, made by `npm run build`) at /demo/sdk. Only configureApp() calls this, so
 * host apps that import ChatModule never serve it.
 */
export function serveDemo(app: NestFastifyApplication): void {
  // From src/ (ts tests) or dist/src/ (npm start): the repository root is one or two levels up.
  const root = [resolve(__dirname, '..'), resolve(__dirname, '..', '..')].find((dir) =>
    existsSync(join(dir, 'demo', 'index.html')),
  );
  if (!root) return;
  // decorateReply: false: Swagger UI registers @fastify/static too, and a reply is decorated once.
  app.useStaticAssets({
    root: join(root, 'client', 'dist-esm'),
    prefix: '/demo/sdk/',
    // The SDK's ES modules import './backoff' without an extension: resolve it to backoff.js.
    extensions: ['js'],
    decorateReply: false,
  });
  app.useStaticAssets({ root: join(root, 'demo'), prefix: '/demo', redirect: true, decorateReply: false });
}
