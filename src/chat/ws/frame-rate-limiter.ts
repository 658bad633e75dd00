import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { CHAT_MODULE_OPTIONS, type ChatModuleOptions } from '../chat.module-definition';

export type RateLimitedAction = 'message' | 'typing';

export const DEFAULT_RATE_LIMITS = { messages: 30, typing: 20, windowMs: 10_000 };

/**
 * Per-user limits on WebSocket messages and typing frames, counted by
 * @nestjs/throttler's storage (whose Redis implementations make them cluster-wide).
 */
@Injectable()
export class FrameRateLimiter implements OnApplicationShutdown {
  private readonly storage = new ThrottlerStorageService();
  private readonly limits: Record<RateLimitedAction, number>;
  private readonly windowMs: number;

  constructor(@Inject(CHAT_MODULE_OPTIONS) options: ChatModuleOptions) {
    this.limits = {
      message: options.rateLimits?.messages ?? DEFAULT_RATE_LIMITS.messages,
      typing: options.rateLimits?.typing ?? DEFAULT_RATE_LIMITS.typing,
    };
    this.windowMs = options.rateLimits?.windowMs ?? DEFAULT_RATE_LIMITS.windowMs;
  }

  /** Counts one action; false when the user is over the limit for the current window. */
  async allow(userId: string, action: RateLimitedAction): Promise<boolean> {
    const record = await this.storage.increment(
      `${action}:${userId}`,
      this.windowMs,
      this.limits[action],
      0,
      `chat-${action}`,
    );
    return record.totalHits <= this.limits[action];
  }

  onApplicationShutdown(): void {
    this.storage.onApplicationShutdown();
  }
}
