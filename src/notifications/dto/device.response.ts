import { ApiProperty } from '@nestjs/swagger';
import type { PushPlatform } from '../senders/push-sender.port';
import type { DeviceWire } from '../../chat/wire/rest-wire';

/** A registered device. Tokens and keys are never echoed back. */
export class DeviceResponse implements DeviceWire {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['webpush', 'fcm', 'apns'] }) platform!: PushPlatform;
  @ApiProperty({ type: String, nullable: true, description: 'webpush: the push service host' })
  endpoint_host!: string | null;
  @ApiProperty({ type: String, nullable: true }) app_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) locale!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}
