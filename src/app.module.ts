import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import type { ChatModuleOptions } from './chat/chat.module-definition';
import type { PushOptions } from './notifications/push-options';
import { readApnsKey } from './notifications/senders/apns-push-sender';
import { readFcmServiceAccount } from './notifications/senders/fcm-push-sender';
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
        allowedOrigins: parseCommaList(config.get('CORS_ORIGINS', { infer: true })),
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
        push: pushOptions(config),
        preparedStatements: config.get('DB_PREPARED_STATEMENTS', { infer: true }),
      }),
    }),
  ],
})
export class AppModule {}

function redisOptions(config: ConfigService<EnvironmentVariables, true>): ChatModuleOptions['redis'] {
  const url = config.get('REDIS_URL', { infer: true });
  return url ? { url, keyPrefix: config.get('REDIS_KEY_PREFIX', { infer: true }) } : undefined;
}

function pushOptions(config: ConfigService<EnvironmentVariables, true>): PushOptions {
  const publicKey = config.get('VAPID_PUBLIC_KEY', { infer: true });
  const privateKey = config.get('VAPID_PRIVATE_KEY', { infer: true });
  const hosts = config.get('PUSH_ENDPOINT_HOSTS', { infer: true });
  const fcmFile = config.get('FCM_SERVICE_ACCOUNT_FILE', { infer: true });
  const apnsFile = config.get('APNS_KEY_FILE', { infer: true });
  return {
    delayMs: config.get('PUSH_DELAY_MS', { infer: true }),
    batchMaxMs: config.get('PUSH_BATCH_MAX_MS', { infer: true }),
    pollMs: config.get('PUSH_POLL_MS', { infer: true }),
    preview: config.get('PUSH_PREVIEW', { infer: true }),
    endpointHosts: hosts ? parseCommaList(hosts) : undefined,
    allowLoopbackEndpoints: config.get('PUSH_ALLOW_LOOPBACK_ENDPOINTS', { infer: true }),
    worker: config.get('PUSH_WORKER', { infer: true }),
    webPush:
      publicKey && privateKey
        ? { publicKey, privateKey, subject: config.get('VAPID_SUBJECT', { infer: true }) }
        : undefined,
    fcm: fcmFile
      ? {
          serviceAccount: readFcmServiceAccount(fcmFile),
          baseUrl: config.get('FCM_BASE_URL', { infer: true }),
        }
      : undefined,
    apns: apnsFile
      ? {
          key: readApnsKey(apnsFile),
          keyId: config.getOrThrow('APNS_KEY_ID', { infer: true }),
          teamId: config.getOrThrow('APNS_TEAM_ID', { infer: true }),
          bundleId: config.getOrThrow('APNS_BUNDLE_ID', { infer: true }),
          host: config.get('APNS_HOST', { infer: true }),
        }
      : undefined,
  };
}

/** A comma-separated list, trimmed, without empties. */
export function parseCommaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}
