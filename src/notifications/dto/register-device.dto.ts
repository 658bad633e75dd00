import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { PushPlatform } from '../senders/push-sender.port';
import type { RegisterDeviceWire } from '../../chat/wire/rest-wire';

export const PUSH_PLATFORMS: readonly PushPlatform[] = ['webpush', 'fcm', 'apns'];

export class WebPushKeysDto {
  @ApiProperty({ description: 'base64url P-256 public key (65 bytes)' })
  @IsString()
  @MaxLength(200)
  p256dh!: string;

  @ApiProperty({ description: 'base64url auth secret (16 bytes)' })
  @IsString()
  @MaxLength(100)
  auth!: string;
}

/** A browser's PushSubscription, as `subscription.toJSON()` gives it. */
export class WebPushSubscriptionDto {
  @ApiProperty({ example: 'https://fcm.googleapis.com/fcm/send/abc…' })
  @IsString()
  @MaxLength(2048)
  endpoint!: string;

  @ApiProperty({ type: WebPushKeysDto })
  @IsObject()
  @ValidateNested()
  @Type(() => WebPushKeysDto)
  keys!: WebPushKeysDto;
}

export class RegisterDeviceDto implements RegisterDeviceWire {
  @ApiProperty({ enum: PUSH_PLATFORMS })
  @IsIn(PUSH_PLATFORMS, { message: `platform must be one of: ${PUSH_PLATFORMS.join(', ')}` })
  platform!: PushPlatform;

  @ApiPropertyOptional({ description: 'FCM registration token or APNs device token (hex); not for webpush' })
  @ValidateIf((dto: RegisterDeviceDto) => dto.platform !== 'webpush' || dto.token !== undefined)
  // Length and shape are checked per platform by PushDevicesService.
  @IsString({ message: 'token is required for fcm and apns' })
  token?: string;

  @ApiPropertyOptional({ type: WebPushSubscriptionDto, description: 'webpush only' })
  @ValidateIf((dto: RegisterDeviceDto) => dto.platform === 'webpush' || dto.subscription !== undefined)
  @IsObject({ message: 'subscription {endpoint, keys: {p256dh, auth}} is required for webpush' })
  @ValidateNested()
  @Type(() => WebPushSubscriptionDto)
  subscription?: WebPushSubscriptionDto;

  @ApiPropertyOptional({ description: 'APNs topic (bundle id) or app identifier' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  app_id?: string;

  @ApiPropertyOptional({ example: 'es-PE' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/, {
    message: 'locale must be a language tag like es-PE',
  })
  locale?: string;
}
