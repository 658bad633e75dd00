import { ConfigurableModuleBuilder, type ModuleMetadata } from '@nestjs/common';

/** What a host app configures on ChatModule. Every field has a default. */
export interface ChatModuleOptions {
  /** How often the server pings each socket; one missed pong ends it. Default 30000. */
  wsHeartbeatMs?: number;
  /** Browser origins allowed to open sockets; empty or absent: any origin. */
  allowedOrigins?: string[];
  /** Per-user limits on WebSocket frames within `windowMs`. Defaults: 30 messages, 20 typing, 10 s. */
  rateLimits?: { messages?: number; typing?: number; windowMs?: number };
}

export interface ChatModuleExtras {
  /** Modules that export the port implementations (IdentityVerifier, ListingDirectory, UserDirectory). */
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
