import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import type { ChatModuleOptions } from './chat/chat.module-definition';
import { validateEnvironment, type EnvironmentVariables } from './config/environment.schema';
import { DatabaseModule } from './database/database.module';
import { ListingsModule } from './listings/listings.module';
import { LoggingModule } from './logging/logging.module';

/**
 * The standalone Parley server: ChatModule hosted like any app would host it,
 * with AuthModule and ListingsModule as its port implementations.
 */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      validate: validateEnvironment,
      // Tests configure through process.env alone; a developer's .env must not leak in.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
    }),
    LoggingModule,
    DatabaseModule,
    AuthModule,
    ListingsModule,
    ChatModule.forRootAsync({
      imports: [AuthModule, ListingsModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => ({
        wsHeartbeatMs: config.get('WS_HEARTBEAT_MS', { infer: true }),
        allowedOrigins: parseOrigins(config.get('CORS_ORIGINS', { infer: true })),
        rateLimits: {
          messages: config.get('WS_MESSAGE_RATE_LIMIT', { infer: true }),
          typing: config.get('WS_TYPING_RATE_LIMIT', { infer: true }),
          windowMs: config.get('WS_RATE_WINDOW_MS', { infer: true }),
        },
        redis: redisOptions(config),
        instanceId: config.get('INSTANCE_ID', { infer: true }),
        presence: {
          ttlMs: config.get('PRESENCE_TTL_MS', { infer: true }),
          offlineGraceMs: config.get('PRESENCE_OFFLINE_GRACE_MS', { infer: true }),
        },
      }),
    }),
  ],
})
export class AppModule {}

function redisOptions(config: ConfigService<EnvironmentVariables, true>): ChatModuleOptions['redis'] {
  const url = config.get('REDIS_URL', { infer: true });
  return url ? { url, keyPrefix: config.get('REDIS_KEY_PREFIX', { infer: true }) } : undefined;
}

export function parseOrigins(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
