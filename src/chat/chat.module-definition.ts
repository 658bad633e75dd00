import { ConfigurableModuleBuilder, type ModuleMetadata } from '@nestjs/common';
import type { ChatJwtOptions } from './identity/jwt-bearer-verifier';
import type { PushOptions } from '../notifications/push-options';

/** What a host app configures on ChatModule. Every field has a default. */
export interface ChatModuleOptions {
  /**
   * Verify bearer tokens as JWTs the host already issues (HS256 secret, or RS256/ES256
   * public key). Leave out when a module in `imports` exports an IdentityVerifier.
   */
  jwt?: ChatJwtOptions;
  /** How often the server pings each socket; one missed pong ends it. Default 30000. */
  wsHeartbeatMs?: number;
  /** Browser origins allowed to open sockets; empty or absent: any origin. */
  allowedOrigins?: string[];
  /** Per-user limits on WebSocket frames within `windowMs`. Defaults: 30 messages, 20 typing, 10 s. */
  rateLimits?: { messages?: number; typing?: number; windowMs?: number };
  /**
   * Run several instances against one PostgreSQL: events fan out, presence and rate limits
   * are counted through this Redis. Absent: one instance, everything in process.
   */
  redis?: { url: string; keyPrefix?: string };
  /** Names this instance in health and in Redis. Default: `<hostname>-<pid>-<random>`. */
  instanceId?: string;
  /**
   * `ttlMs`: an instance that stops heart-beating for this long has its users shown offline
   * (default 15000). `offlineGraceMs`: a user whose last socket closed is shown offline only
   * if no socket of theirs opens anywhere within this time (default 5000).
   */
  presence?: { ttlMs?: number; offlineGraceMs?: number };
  /** Push notifications for recipients who are not looking; on by default, with a log sender. */
  push?: PushOptions;
  /**
   * Run the hot statements as named prepared statements, planned once per connection
   * (default true). Set false behind a pooler that cannot keep them, such as PgBouncer
   * in transaction mode before 1.21 (or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
}

export interface ChatModuleExtras {
  /**
   * Modules that export the port implementations: ListingDirectory and UserDirectory,
   * and IdentityVerifier unless `jwt` is given.
   */
  imports?: ModuleMetadata['imports'];
}

export const {
  ConfigurableModuleClass: ChatConfigurableModule,
  MODULE_OPTIONS_TOKEN: CHAT_MODULE_OPTIONS,
  OPTIONS_TYPE: CHAT_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CHAT_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ChatModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<ChatModuleExtras>({ imports: [] }, (definition, extras) => ({
    ...definition,
    imports: [...new Set([...(definition.imports ?? []), ...(extras.imports ?? [])])],
  }))
  .build();
