import type { FactoryProvider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Type, plainToInstance } from 'class-transformer';
import {
  IsArray,
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
}

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
