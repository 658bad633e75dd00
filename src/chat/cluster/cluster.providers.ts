import type { Provider } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ChatSettings } from '../chat-settings';
import { ChatEventBus } from '../events/chat-event-bus';
import { InMemoryChatEventBus } from '../events/in-memory-chat-event-bus';
import { FRAME_RATE_LIMIT_STORAGE } from '../ws/frame-rate-limiter';
import { InMemoryPresenceTracker } from './in-memory-presence-tracker';
import { PresenceTracker } from './presence-tracker';
import { RedisChatEventBus } from './redis-chat-event-bus';
import { RedisLink } from './redis-link';
import { RedisPresenceTracker } from './redis-presence-tracker';

/**
 * What differs between one instance and a cluster, chosen once from the
 * settings: with `redis`, events, presence and rate limits go through Redis;
 * without, they stay in process. Everything above these three ports is the same.
 */
export const clusterProviders: Provider[] = [
  {
    provide: RedisLink,
    inject: [ChatSettings],
    useFactory: (settings: ChatSettings): RedisLink | null =>
      settings.redis ? new RedisLink(settings.redis.url, settings.instanceId) : null,
  },
  {
    provide: ChatEventBus,
    inject: [ChatSettings, RedisLink],
    useFactory: (settings: ChatSettings, link: RedisLink | null): ChatEventBus =>
      link && settings.redis
        ? new RedisChatEventBus(link, settings.instanceId, `${settings.redis.keyPrefix}conversation:`)
        : new InMemoryChatEventBus(),
  },
  {
    provide: PresenceTracker,
    inject: [ChatSettings, RedisLink],
    useFactory: (settings: ChatSettings, link: RedisLink | null): PresenceTracker =>
      link && settings.redis
        ? new RedisPresenceTracker(link.commands, {
            instanceId: settings.instanceId,
            keyPrefix: settings.redis.keyPrefix,
            ...settings.presence,
          })
        : new InMemoryPresenceTracker(settings.presence.offlineGraceMs),
  },
  {
    provide: FRAME_RATE_LIMIT_STORAGE,
    inject: [ChatSettings, RedisLink],
    // One instance counts in process (FrameRateLimiter's own counter): no store to provide.
    useFactory: (settings: ChatSettings, link: RedisLink | null): ThrottlerStorage | null =>
      link && settings.redis ? new ThrottlerStorageRedisService(link.commands) : null,
  },
];
