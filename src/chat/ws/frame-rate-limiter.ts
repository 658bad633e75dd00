import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ChatSettings } from '../chat-settings';

export type RateLimitedAction = 'message' | 'typing';

/** The counter store: in process for one instance, Redis for a cluster (chosen in cluster.providers). */
export const FRAME_RATE_LIMIT_STORAGE = Symbol('FRAME_RATE_LIMIT_STORAGE');

/**
 * Per-user limits on WebSocket messages and typing frames, counted by
 * @nestjs/throttler storage: in Redis when several instances run, so a user
 * cannot multiply the limit by opening sockets on several of them. A user over
 * the limit is refused until a whole window has passed.
 */
@Injectable()
export class FrameRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(FrameRateLimiter.name);
  /** Counts while the shared store is unreachable: limits then hold per instance. */
  private readonly fallback = new ThrottlerStorageService();
  private readonly limits: Record<RateLimitedAction, number>;
  private readonly windowMs: number;
  /** Keeps several deployments sharing one Redis apart. */
  private readonly keyPrefix: string;
  private storeDown = false;

  constructor(
    settings: ChatSettings,
    @Inject(FRAME_RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
  ) {
    this.limits = { message: settings.rateLimits.messages, typing: settings.rateLimits.typing };
    this.windowMs = settings.rateLimits.windowMs;
    this.keyPrefix = settings.redis?.keyPrefix ?? '';
  }

  /** Counts one action; false when the user is over the limit. */
  async allow(userId: string, action: RateLimitedAction): Promise<boolean> {
    const key = `${this.keyPrefix}rate:${action}:${userId}`;
    const args = [key, this.windowMs, this.limits[action], this.windowMs, `chat-${action}`] as const;
    try {
      const record = await this.storage.increment(...args);
      this.storeDown = false;
      return !record.isBlocked;
    } catch (error) {
      if (!this.storeDown)
        this.logger.warn({ err: error }, 'Rate-limit store unreachable: counting per instance');
      this.storeDown = true;
      return !(await this.fallback.increment(...args)).isBlocked;
    }
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
    if (this.storage instanceof ThrottlerStorageService) this.storage.onApplicationShutdown();
  }
}
