import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ChatSettings } from '../chat-settings';
import { LocalRateCounter } from './local-rate-counter';

export type RateLimitedAction = 'message' | 'typing';

/**
 * The counter store shared by a cluster's instances (Redis, chosen in cluster.providers);
 * null for one instance, which counts in process.
 */
export const FRAME_RATE_LIMIT_STORAGE = Symbol('FRAME_RATE_LIMIT_STORAGE');

/**
 * Per-user limits on WebSocket messages and typing frames. One instance counts in
 * process, synchronously; a cluster counts in the shared @nestjs/throttler storage
 * (Redis), so a user cannot multiply the limit by opening sockets on several
 * instances. Either way a user over the limit is refused until a whole window has passed.
 */
@Injectable()
export class FrameRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(FrameRateLimiter.name);
  /** The count of one instance, and of a cluster instance while the shared store is unreachable. */
  private readonly local: Record<RateLimitedAction, LocalRateCounter>;
  private readonly limits: Record<RateLimitedAction, number>;
  private readonly windowMs: number;
  /** Keeps several deployments sharing one Redis apart. */
  private readonly keyPrefix: string;
  private storeDown = false;

  constructor(
    settings: ChatSettings,
    @Inject(FRAME_RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage | null,
  ) {
    this.limits = { message: settings.rateLimits.messages, typing: settings.rateLimits.typing };
    this.windowMs = settings.rateLimits.windowMs;
    this.keyPrefix = settings.redis?.keyPrefix ?? '';
    this.local = {
      message: new LocalRateCounter(this.limits.message, this.windowMs),
      typing: new LocalRateCounter(this.limits.typing, this.windowMs),
    };
  }

  /**
   * Counts one action at once when the count is kept in process; null, counting
   * nothing, when it lives in the shared store: then ask allow().
   */
  allowNow(userId: string, action: RateLimitedAction): boolean | null {
    return this.storage ? null : this.local[action].hit(userId);
  }

  /** Counts one action; false when the user is over the limit. */
  async allow(userId: string, action: RateLimitedAction): Promise<boolean> {
    if (!this.storage) return this.local[action].hit(userId);
    const key = `${this.keyPrefix}rate:${action}:${userId}`;
    try {
      const record = await this.storage.increment(
        key,
        this.windowMs,
        this.limits[action],
        this.windowMs,
        `chat-${action}`,
      );
      this.storeDown = false;
      return !record.isBlocked;
    } catch (error) {
      if (!this.storeDown)
        this.logger.warn({ err: error }, 'Rate-limit store unreachable: counting per instance');
      this.storeDown = true;
      return this.local[action].hit(userId);
    }
  }

  onApplicationShutdown(): void {
    this.local.message.dispose();
    this.local.typing.dispose();
    if (this.storage instanceof ThrottlerStorageService) this.storage.onApplicationShutdown();
  }
}
