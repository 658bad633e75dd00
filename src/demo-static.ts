import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The standalone server's demo chat page: `demo/` at /demo and the SDK's browser build
 * (`client/dist-esm`, made by `npm run build`) at /demo/sdk. Only configureApp() calls this, so
 * host apps that import ChatModule never serve it.
 */
export function serveDemo(app: INestApplication): void {
  // From src/ (ts tests) or dist/src/ (npm start): the repository root is one or two levels up.
  const root = [resolve(__dirname, '..'), resolve(__dirname, '..', '..')].find((dir) =>
    existsSync(join(dir, 'demo', 'index.html')),
  );
  if (!root) return;
  const express = app as NestExpressApplication;
  // The SDK's ES modules import './backoff' without an extension: resolve it to backoff.js.
  express.useStaticAssets(join(root, 'client', 'dist-esm'), {
    prefix: '/demo/sdk/',
    extensions: ['js'],
    fallthrough: false,
  });
  express.useStaticAssets(join(root, 'demo'), { prefix: '/demo/', redirect: true });
}
