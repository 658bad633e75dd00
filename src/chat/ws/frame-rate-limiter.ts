import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ChatSettings } from '../chat-settings';

export type RateLimitedAction = 'message' | 'typing';

/**
 * Per-user limits on WebSocket messages and typing frames, counted by
 * @nestjs/throttler's storage (whose Redis implementations make them cluster-wide).
 */
@Injectable()
export class FrameRateLimiter implements OnApplicationShutdown {
  private readonly storage = new ThrottlerStorageService();
  private readonly limits: Record<RateLimitedAction, number>;
  private readonly windowMs: number;

  constructor(settings: ChatSettings) {
    this.limits = { message: settings.rateLimits.messages, typing: settings.rateLimits.typing };
    this.windowMs = settings.rateLimits.windowMs;
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
