import { RequestMethod } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

type ExcludedRoute = NonNullable<ReturnType<ApplicationConfig['getGlobalPrefixOptions']>['exclude']>[number];

/** Everything ChatModule serves over HTTP lives here, whatever the host's global prefix. */
const CHAT_ROUTES: ExcludedRoute = {
  path: 'v1/chat/{*path}',
  requestMethod: RequestMethod.ALL,
  pathRegex: /^\/v1\/chat(?:\/.*)?$/i,
};

/**
 * Adds the chat routes to the exclusions of the host's global prefix, so
 * `app.setGlobalPrefix('api')` leaves `/v1/chat` where clients expect it.
 * Must run after the host set its prefix and before routes are registered:
 * ChatModule calls it from `configure()`, which Nest runs in between.
 */
export function exemptChatRoutesFromGlobalPrefix(config: ApplicationConfig): void {
  if (!config.getGlobalPrefix()) return;
  const options = config.getGlobalPrefixOptions();
  const exclude = options.exclude ?? [];
  if (exclude.includes(CHAT_ROUTES)) return;
  config.setGlobalPrefixOptions({ ...options, exclude: [...exclude, CHAT_ROUTES] });
}
