import { Transform, plainToInstance } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? ['1', 'true', 'yes'].includes(value.toLowerCase()) : value;

/**
 * Every environment variable Parley reads, validated once at start-up.
 * `.env.example` documents each of them.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  EMBEDDED_DB_DIR = './.data/pglite';

  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATIONS_RUN = true;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toBoolean)
  @IsBoolean()
  DB_PREPARED_STATEMENTS = true;

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters (required when NODE_ENV=production)' })
  JWT_SECRET?: string;

  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must look like 3600, 15m, 1h or 7d' })
  JWT_EXPIRES_IN = '1h';

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(50)
  @Max(600_000)
  WS_HEARTBEAT_MS = 30_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  WS_MESSAGE_RATE_LIMIT = 30;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  WS_TYPING_RATE_LIMIT = 20;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(100)
  WS_RATE_WINDOW_MS = 10_000;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString()
  @MinLength(1)
  REDIS_KEY_PREFIX = 'parley:';

  @IsOptional()
  @Matches(/^[\w.:-]{1,100}$/, { message: 'INSTANCE_ID must be 1-100 letters, digits or . _ : -' })
  INSTANCE_ID?: string;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  PRESENCE_TTL_MS = 15_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(600_000)
  PRESENCE_OFFLINE_GRACE_MS = 5_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  PUSH_DELAY_MS = 2_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  PUSH_BATCH_MAX_MS = 30_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(10)
  @Max(60_000)
  PUSH_POLL_MS = 500;

  @IsIn(['full', 'sender', 'none'])
  PUSH_PREVIEW: 'full' | 'sender' | 'none' = 'sender';

  /** Comma-separated; unset: the public browser push services. */
  @IsOptional()
  @IsString()
  PUSH_ENDPOINT_HOSTS?: string;

  @Transform(toBoolean)
  @IsBoolean()
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @Equals(false, { message: 'PUSH_ALLOW_LOOPBACK_ENDPOINTS must not be true in production' })
  PUSH_ALLOW_LOOPBACK_ENDPOINTS = false;

  @Transform(toBoolean)
  @IsBoolean()
  PUSH_WORKER = true;

  @ValidateIf(
    (env: EnvironmentVariables) => env.VAPID_PRIVATE_KEY !== undefined || env.VAPID_PUBLIC_KEY !== undefined,
  )
  @IsString({
    message: 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together (npm run vapid:keys prints a pair)',
  })
  VAPID_PUBLIC_KEY?: string;

  @ValidateIf(
    (env: EnvironmentVariables) => env.VAPID_PUBLIC_KEY !== undefined || env.VAPID_PRIVATE_KEY !== undefined,
  )
  @IsString({
    message: 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together (npm run vapid:keys prints a pair)',
  })
  VAPID_PRIVATE_KEY?: string;

  @Matches(/^(mailto:|https:\/\/)/, { message: 'VAPID_SUBJECT must be a mailto: or https: URL' })
  VAPID_SUBJECT = 'mailto:admin@localhost';

  @IsOptional()
  @IsString()
  FCM_SERVICE_ACCOUNT_FILE?: string;

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'FCM_BASE_URL must be an http(s) URL' })
  FCM_BASE_URL?: string;

  @IsOptional()
  @IsString()
  APNS_KEY_FILE?: string;

  @ValidateIf((env: EnvironmentVariables) => env.APNS_KEY_FILE !== undefined)
  @IsString({ message: 'APNS_KEY_ID is required with APNS_KEY_FILE' })
  APNS_KEY_ID?: string;

  @ValidateIf((env: EnvironmentVariables) => env.APNS_KEY_FILE !== undefined)
  @IsString({ message: 'APNS_TEAM_ID is required with APNS_KEY_FILE' })
  APNS_TEAM_ID?: string;

  @ValidateIf((env: EnvironmentVariables) => env.APNS_KEY_FILE !== undefined)
  @IsString({ message: 'APNS_BUNDLE_ID is required with APNS_KEY_FILE' })
  APNS_BUNDLE_ID?: string;

  @IsOptional()
  @Matches(/^https:\/\/.+/, { message: 'APNS_HOST must be an https URL' })
  APNS_HOST?: string;
}

/** `ConfigModule`'s `validate` hook: returns typed values or throws one line per bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (error) =>
        `Invalid environment variable ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`,
    );
    throw new Error(lines.join('\n'));
  }
  return env;
}
