import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ChatSettings } from '../chat/chat-settings';
import { ConversationRepository } from '../chat/conversation.repository';
import { ListingDirectory } from '../chat/ports/listing-directory.port';
import { UserDirectory } from '../chat/ports/user-directory.port';
import { buildPushContent } from './push-content.builder';
import { PushDevice } from './push-device.entity';
import { type ClaimedPush, type PushContext, PushOutboxRepository } from './push-outbox.repository';
import { nextAttemptDelayMs } from './push-retry-policy';
import { PushSenderRegistry } from './push-sender-registry';
import type { PushNotificationContent, PushResult, PushTarget } from './senders/push-sender.port';

/** Rows claimed per round. */
const CLAIM_LIMIT = 20;
/** A claimed row returns to the pool if its worker has not finished by then (it died). */
const LEASE_MS = 60_000;

/**
 * Sends what the outbox says is due. Every instance may run one: claims are
 * exclusive, so a push goes out once however many run. At send time it checks
 * again whether the push is still wanted: read or delivered to an open socket
 * meanwhile, muted, no device left; each skip keeps its reason.
 */
@Injectable()
export class PushOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PushOutboxWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;

  constructor(
    private readonly outbox: PushOutboxRepository,
    @InjectRepository(PushDevice) private readonly devices: Repository<PushDevice>,
    private readonly conversations: ConversationRepository,
    private readonly users: UserDirectory,
    private readonly listings: ListingDirectory,
    private readonly senders: PushSenderRegistry,
    private readonly settings: ChatSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.push.worker) return;
    this.timer = setInterval(() => this.tick(), this.settings.push.pollMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
  }

  /** One round now (also what the timer runs); resolves when the due rows found are done. */
  runOnce(): Promise<void> {
    this.round ??= this.drain().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private tick(): void {
    if (this.round) return;
    this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, 'Push outbox round failed'));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.outbox.claim(CLAIM_LIMIT, LEASE_MS);
      await Promise.all(claimed.map((push) => this.process(push)));
      if (claimed.length < CLAIM_LIMIT || !this.timer) return;
    }
  }

  private async process(push: ClaimedPush): Promise<void> {
    try {
      await this.deliver(push);
    } catch (error) {
      // Our own failure (database, a port): the lease brings the row back for another try.
      this.logger.error({ err: error, push_id: push.id }, 'Could not process a push');
    }
  }

  private async deliver(push: ClaimedPush): Promise<void> {
    const context = await this.outbox.context(push);
    if (!context) return this.outbox.markSkipped(push.id, 'conversation_gone');
    if (context.muted) return this.outbox.markSkipped(push.id, 'muted');
    if (context.pushable === 0 || !context.lastMessage) {
      return this.outbox.markSkipped(push.id, nothingLeftReason(context, push));
    }
    const devices = await this.devices.findBy({ userId: push.userId });
    if (devices.length === 0) return this.outbox.markSkipped(push.id, 'no_device');

    const [senders, listing, unread] = await Promise.all([
      this.users.findUsers([push.senderUserId]),
      this.listings.findListing(context.listingId),
      this.conversations.unreadCounts(push.userId),
    ]);
    const content = buildPushContent({
      conversationId: push.conversationId,
      listingId: context.listingId,
      listingTitle: listing?.title ?? null,
      senderUserId: push.senderUserId,
      senderName: senders.get(push.senderUserId)?.displayName ?? null,
      count: context.pushable,
      lastMessage: context.lastMessage,
      badge: unread.reduce((total, row) => total + row.unreadCount, 0),
      preview: this.settings.push.preview,
    });

    const results = await Promise.all(devices.map((device) => this.sendTo(device, content)));
    const gone = devices.filter((_, index) => results[index].outcome === 'gone');
    if (gone.length > 0) await this.devices.delete(gone.map((device) => device.id));
    const sent = results.filter((result) => result.outcome === 'sent').length;
    if (sent > 0) return this.outbox.markSent(push.id, content, sent);

    const errors = results.map((result) => ('error' in result ? result.error : '')).join('; ');
    const retries = results.filter((result) => result.outcome === 'retry');
    if (retries.length > 0 && push.attempts < this.settings.push.maxAttempts) {
      const retryAfter = Math.max(0, ...retries.map((result) => result.retryAfterMs ?? 0));
      const delay = nextAttemptDelayMs(push.attempts, retryAfter);
      return this.outbox.reschedule(push, new Date(Date.now() + delay), errors);
    }
    return this.outbox.markFailed(
      push.id,
      retries.length > 0 ? `gave up after ${push.attempts} attempts: ${errors}` : errors,
    );
  }

  private async sendTo(device: PushDevice, content: PushNotificationContent): Promise<PushResult> {
    const target: PushTarget = {
      deviceId: device.id,
      platform: device.platform,
      token: device.token,
      keys: device.p256dh && device.auth ? { p256dh: device.p256dh, auth: device.auth } : undefined,
      appId: device.appId,
      locale: device.locale,
    };
    try {
      return await this.senders.for(device.platform).send(target, content);
    } catch (error) {
      return { outcome: 'retry', error: `sender failed: ${(error as Error).message}` };
    }
  }
}

/** Why a batch has nothing left to announce. */
function nothingLeftReason(context: PushContext, push: ClaimedPush): string {
  if (context.recipientReadSeq >= push.lastSeq) return 'read';
  if (context.deleted >= push.messageCount) return 'deleted';
  return 'delivered';
}
