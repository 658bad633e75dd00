import { Logger } from '@nestjs/common';
import type {
  PushNotificationContent,
  PushPlatform,
  PushResult,
  PushSender,
  PushTarget,
} from './push-sender.port';

/**
 * The sender of a platform nobody configured: it records that a push would have
 * gone out (never the text, never the token), so the outbox runs and can be
 * watched before any provider is set up.
 */
export class LogPushSender implements PushSender {
  private readonly logger = new Logger(LogPushSender.name);

  constructor(readonly platform: PushPlatform) {}

  send(target: PushTarget, content: PushNotificationContent): Promise<PushResult> {
    this.logger.log(
      {
        platform: this.platform,
        device_id: target.deviceId,
        conversation_id: content.data.conversation_id,
        count: content.data.count,
        badge: content.badge,
      },
      `No ${this.platform} provider configured: push not sent`,
    );
    return Promise.resolve({ outcome: 'sent' });
  }
}
