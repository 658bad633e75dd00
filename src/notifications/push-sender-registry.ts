import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ChatSettings } from '../chat/chat-settings';
import { PushEndpointPolicy } from './push-endpoint-policy';
import { ApnsPushSender } from './senders/apns-push-sender';
import { FcmPushSender, parseFcmServiceAccount } from './senders/fcm-push-sender';
import { LogPushSender } from './senders/log-push-sender';
import type { PushPlatform, PushSender } from './senders/push-sender.port';
import { WebPushSender } from './senders/web-push-sender';

/**
 * One sender per platform: the host's own when it passed one, else the
 * provider configured for it, else a log sender that records what would
 * have been sent.
 */
@Injectable()
export class PushSenderRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(PushSenderRegistry.name);
  private readonly senders = new Map<PushPlatform, PushSender>();

  constructor(settings: ChatSettings, endpoints: PushEndpointPolicy) {
    const { push } = settings;
    if (push.webPush) {
      this.senders.set('webpush', new WebPushSender({ vapid: push.webPush, lookup: endpoints.safeLookup }));
    }
    if (push.fcm) {
      this.senders.set(
        'fcm',
        new FcmPushSender({
          serviceAccount: parseFcmServiceAccount(push.fcm.serviceAccount, 'push.fcm.serviceAccount'),
          baseUrl: push.fcm.baseUrl,
        }),
      );
    }
    if (push.apns) this.senders.set('apns', new ApnsPushSender(push.apns));
    for (const sender of push.senders) this.senders.set(sender.platform, sender);
    for (const platform of ['webpush', 'fcm', 'apns'] as const) {
      if (!this.senders.has(platform)) {
        this.logger.log(
          `No ${platform} push provider configured: pushes to ${platform} devices are only logged`,
        );
        this.senders.set(platform, new LogPushSender(platform));
      }
    }
  }

  for(platform: PushPlatform): PushSender {
    return this.senders.get(platform)!;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.senders.values()].map((sender) => sender.close?.() ?? Promise.resolve()));
  }
}
