import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ChatException } from '../chat/errors/chat.exception';
import type { DeviceResponse } from './dto/device.response';
import type { RegisterDeviceDto } from './dto/register-device.dto';
import { PushDevice } from './push-device.entity';
import { PushEndpointPolicy, UnsafeEndpointError } from './push-endpoint-policy';

const FCM_TOKEN = /^[A-Za-z0-9_:-]{32,4096}$/;
const APNS_TOKEN = /^(?:[0-9a-fA-F]{2}){32,100}$/;

interface DeviceFields {
  platform: PushDevice['platform'];
  token: string;
  p256dh: string | null;
  auth: string | null;
}

/** Registers, lists and removes the caller's devices; a token belongs to whoever registered it last. */
@Injectable()
export class PushDevicesService {
  constructor(
    @InjectRepository(PushDevice) private readonly devices: Repository<PushDevice>,
    private readonly endpoints: PushEndpointPolicy,
  ) {}

  /** `created` is false when the caller had already registered this token or endpoint. */
  async register(
    userId: string,
    input: RegisterDeviceDto,
  ): Promise<{ device: DeviceResponse; created: boolean }> {
    const fields = await this.validated(input);
    const rows: Array<Record<string, unknown>> = await this.devices.query(
      `WITH previous AS (SELECT user_id FROM chat.push_devices WHERE platform = $2 AND token = $3)
       INSERT INTO chat.push_devices AS d (user_id, platform, token, p256dh, auth, app_id, locale)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (platform, token) DO UPDATE
         SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
             app_id = EXCLUDED.app_id, locale = EXCLUDED.locale, updated_at = now()
       RETURNING d.*, (SELECT user_id FROM previous) AS previous_user_id`,
      [
        userId,
        fields.platform,
        fields.token,
        fields.p256dh,
        fields.auth,
        input.app_id ?? null,
        input.locale ?? null,
      ],
    );
    const row = rows[0];
    const device = this.devices.create({
      id: row.id as string,
      userId,
      platform: row.platform as PushDevice['platform'],
      token: row.token as string,
      appId: (row.app_id as string | null) ?? null,
      locale: (row.locale as string | null) ?? null,
      createdAt: row.created_at as Date,
      updatedAt: row.updated_at as Date,
    });
    return { device: toDeviceResponse(device), created: row.previous_user_id !== userId };
  }

  async list(userId: string): Promise<DeviceResponse[]> {
    const devices = await this.devices.find({ where: { userId }, order: { createdAt: 'ASC' } });
    return devices.map(toDeviceResponse);
  }

  /** Another user's device is answered like a missing one: 404. */
  async remove(userId: string, deviceId: string): Promise<void> {
    const result = await this.devices.delete({ id: deviceId, userId });
    if (!result.affected) throw ChatException.notFound('Device');
  }

  private async validated(input: RegisterDeviceDto): Promise<DeviceFields> {
    if (input.platform === 'webpush') {
      if (input.token !== undefined) throw ChatException.validation('webpush takes subscription, not token');
      const subscription = input.subscription!;
      requireKeyLength('subscription.keys.p256dh', subscription.keys.p256dh, 65, 0x04);
      requireKeyLength('subscription.keys.auth', subscription.keys.auth, 16);
      try {
        await this.endpoints.check(subscription.endpoint);
      } catch (error) {
        if (error instanceof UnsafeEndpointError)
          throw ChatException.validation(`subscription.endpoint: ${error.message}`);
        throw error;
      }
      return {
        platform: 'webpush',
        token: subscription.endpoint,
        p256dh: subscription.keys.p256dh,
        auth: subscription.keys.auth,
      };
    }
    if (input.subscription !== undefined)
      throw ChatException.validation(`${input.platform} takes token, not subscription`);
    const token = input.token!;
    if (input.platform === 'fcm' && !FCM_TOKEN.test(token)) {
      throw ChatException.validation(
        'token is not an FCM registration token (32+ characters of A-Z a-z 0-9 _ : -)',
      );
    }
    if (input.platform === 'apns' && !APNS_TOKEN.test(token)) {
      throw ChatException.validation('token is not an APNs device token (hex, 32 to 100 bytes)');
    }
    return { platform: input.platform, token, p256dh: null, auth: null };
  }
}

function requireKeyLength(field: string, value: string, bytes: number, firstByte?: number): void {
  const decoded = /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url') : null;
  if (!decoded || decoded.length !== bytes || (firstByte !== undefined && decoded[0] !== firstByte)) {
    throw ChatException.validation(
      `${field} must be base64url of ${bytes} bytes${firstByte === 0x04 ? ' (an uncompressed P-256 point)' : ''}`,
    );
  }
}

export function toDeviceResponse(device: PushDevice): DeviceResponse {
  return {
    id: device.id,
    platform: device.platform,
    endpoint_host: device.platform === 'webpush' ? new URL(device.token).host : null,
    app_id: device.appId,
    locale: device.locale,
    created_at: device.createdAt.toISOString(),
    updated_at: device.updatedAt.toISOString(),
  };
}
