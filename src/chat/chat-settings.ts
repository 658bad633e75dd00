import type { FactoryProvider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Type, plainToInstance } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { ChatModuleConfigurationError } from './chat-module-configuration.error';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, type PushOptions } from '../notifications/push-options';
import { CHAT_MODULE_OPTIONS, type ChatModuleOptions } from './chat.module-definition';
import { ListingDirectory } from './ports/listing-directory.port';
import { UserDirectory } from './ports/user-directory.port';
import type { ChatJwtOptions } from './identity/jwt-bearer-verifier';
import { describeValidationErrors } from './errors/validation-error-messages';

class RateLimitsSchema {
  @IsOptional() @IsInt() @Min(1) messages?: number;
  @IsOptional() @IsInt() @Min(1) typing?: number;
  @IsOptional() @IsInt() @Min(100) @Max(3_600_000) windowMs?: number;
}

const isStringOrBuffer = (value: unknown): boolean => typeof value === 'string' || Buffer.isBuffer(value);

const isStringOrStrings = (value: unknown): boolean =>
  typeof value === 'string' ||
  (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'));

// Typos here are dangerous (`issuers` would silently turn the issuer check off), so unknown keys are refused.
class JwtOptionsSchema {
  // Not @IsOptional(): null from a config lookup must be an error, not "no secret".
  @ValidateIf((options: JwtOptionsSchema) => options.secret !== undefined) @IsString() secret?: string;
  @ValidateIf((options: JwtOptionsSchema) => options.publicKey !== undefined)
  @ValidateBy({
    name: 'isStringOrBuffer',
    validator: {
      validate: isStringOrBuffer,
      defaultMessage: () => 'publicKey must be a PEM string or Buffer',
    },
  })
  publicKey?: string | Buffer;
  @IsOptional() @IsArray() @IsIn(['HS256', 'RS256', 'ES256'], { each: true }) algorithms?: string[];
  @IsOptional()
  @ValidateBy({
    name: 'isStringOrStrings',
    validator: { validate: isStringOrStrings, defaultMessage: () => 'issuer must be a string or strings' },
  })
  issuer?: string | string[];
  @IsOptional()
  @ValidateBy({
    name: 'isStringOrStrings',
    validator: { validate: isStringOrStrings, defaultMessage: () => 'audience must be a string or strings' },
  })
  audience?: string | string[];
  @IsOptional() @IsString() @MinLength(1) userIdClaim?: string;
  @IsOptional() @IsInt() @Min(0) @Max(300) clockToleranceSeconds?: number;
}

class RedisOptionsSchema {
  @Matches(/^rediss?:\/\/.+/, { message: 'redis.url must be a redis:// or rediss:// URL' }) url!: string;
  @IsOptional() @IsString() @MinLength(1) keyPrefix?: string;
}

class PresenceOptionsSchema {
  @IsOptional() @IsInt() @Min(1_000) @Max(600_000) ttlMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(600_000) offlineGraceMs?: number;
}

class WebPushOptionsSchema {
  @IsString() @MinLength(1) publicKey!: string;
  @IsString() @MinLength(1) privateKey!: string;
  @Matches(/^(mailto:|https:\/\/)/, { message: 'push.webPush.subject must be a mailto: or https: URL' })
  subject!: string;
}

class FcmOptionsSchema {
  @IsObject() serviceAccount!: object;
  @IsOptional() @IsString() baseUrl?: string;
}

class ApnsOptionsSchema {
  @IsString() @MinLength(1) key!: string;
  @IsString() @MinLength(1) keyId!: string;
  @IsString() @MinLength(1) teamId!: string;
  @IsString() @MinLength(1) bundleId!: string;
  @IsOptional() @IsString() host?: string;
}

class PushOptionsSchema {
  @IsOptional() @IsInt() @Min(0) @Max(3_600_000) delayMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(3_600_000) batchMaxMs?: number;
  @IsOptional() @IsInt() @Min(10) @Max(60_000) pollMs?: number;
  @IsOptional() @IsInt() @Min(1) @Max(50) maxAttempts?: number;
  @IsOptional() @IsIn(['full', 'sender', 'none']) preview?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) endpointHosts?: string[];
  @IsOptional() @IsBoolean() allowLoopbackEndpoints?: boolean;
  @IsOptional() @IsBoolean() worker?: boolean;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WebPushOptionsSchema)
  webPush?: WebPushOptionsSchema;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => FcmOptionsSchema) fcm?: FcmOptionsSchema;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ApnsOptionsSchema) apns?: ApnsOptionsSchema;
  @IsOptional() @IsArray() senders?: unknown[];
}

class ChatModuleOptionsSchema {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => JwtOptionsSchema) jwt?: JwtOptionsSchema;
  @IsOptional() @IsInt() @Min(50) @Max(600_000) wsHeartbeatMs?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) allowedOrigins?: string[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) rateLimits?: RateLimitsSchema;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RedisOptionsSchema) redis?: RedisOptionsSchema;
  @IsOptional()
  @IsString()
  @Matches(/^[\w.:-]{1,100}$/, { message: 'instanceId must be 1-100 letters, digits or . _ : -' })
  instanceId?: string;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PresenceOptionsSchema)
  presence?: PresenceOptionsSchema;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PushOptionsSchema) push?: PushOptionsSchema;
  @IsOptional() @IsBoolean() preparedStatements?: boolean;
}

export type PushSettings = Required<Omit<PushOptions, 'webPush' | 'fcm' | 'apns'>> & {
  webPush: NonNullable<PushOptions['webPush']> | null;
  fcm: NonNullable<PushOptions['fcm']> | null;
  apns: NonNullable<PushOptions['apns']> | null;
};

/** ChatModule's options after start-up validation; inject this rather than the raw options. */
export class ChatSettings {
  readonly jwt: ChatJwtOptions | undefined;
  readonly wsHeartbeatMs: number;
  readonly allowedOrigins: readonly string[];
  readonly rateLimits: { messages: number; typing: number; windowMs: number };
  /** null: a single instance with an in-process event bus. */
  readonly redis: { url: string; keyPrefix: string } | null;
  readonly instanceId: string;
  readonly presence: { ttlMs: number; offlineGraceMs: number };
  readonly push: PushSettings;
  readonly preparedStatements: boolean;

  private constructor(options: ChatModuleOptions) {
    this.jwt = options.jwt;
    this.wsHeartbeatMs = options.wsHeartbeatMs ?? 30_000;
    this.allowedOrigins = options.allowedOrigins ?? [];
    this.rateLimits = {
      messages: options.rateLimits?.messages ?? 30,
      typing: options.rateLimits?.typing ?? 20,
      windowMs: options.rateLimits?.windowMs ?? 10_000,
    };
    this.redis = options.redis
      ? { url: options.redis.url, keyPrefix: options.redis.keyPrefix ?? 'parley:' }
      : null;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.presence = {
      ttlMs: options.presence?.ttlMs ?? 15_000,
      offlineGraceMs: options.presence?.offlineGraceMs ?? 5_000,
    };
    const push = options.push ?? {};
    this.push = {
      delayMs: push.delayMs ?? 2_000,
      batchMaxMs: push.batchMaxMs ?? 30_000,
      pollMs: push.pollMs ?? 500,
      maxAttempts: push.maxAttempts ?? 8,
      preview: push.preview ?? 'sender',
      endpointHosts: push.endpointHosts ?? DEFAULT_PUSH_ENDPOINT_HOSTS,
      allowLoopbackEndpoints: push.allowLoopbackEndpoints ?? false,
      worker: push.worker ?? true,
      webPush: push.webPush ?? null,
      fcm: push.fcm ?? null,
      apns: push.apns ?? null,
      senders: push.senders ?? [],
    };
    this.preparedStatements = options.preparedStatements ?? true;
  }

  /** Throws ChatModuleConfigurationError naming every bad option. */
  static from(options: ChatModuleOptions | undefined): ChatSettings {
    const raw = options ?? {};
    const errors = validateSync(plainToInstance(ChatModuleOptionsSchema, raw), {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
    });
    if (errors.length > 0)
      throw new ChatModuleConfigurationError(describeValidationErrors(errors).join('; '));
    return new ChatSettings(raw);
  }
}

function requirePort(port: unknown, name: string): void {
  if (port === undefined || port === null) {
    throw new ChatModuleConfigurationError(
      `no ${name}: pass a module that provides and exports it in ChatModule.forRoot/forRootAsync({ imports })`,
    );
  }
}

/**
 * Validates the options and checks that the host supplied the required ports
 * before anything else in ChatModule is built, so a mistake reads as one line.
 */
export const chatSettingsProvider: FactoryProvider<ChatSettings> = {
  provide: ChatSettings,
  inject: [
    CHAT_MODULE_OPTIONS,
    { token: ListingDirectory, optional: true },
    { token: UserDirectory, optional: true },
  ],
  useFactory: (options: ChatModuleOptions, listings?: ListingDirectory, users?: UserDirectory) => {
    const settings = ChatSettings.from(options);
    requirePort(listings, 'ListingDirectory');
    requirePort(users, 'UserDirectory');
    return settings;
  },
};
