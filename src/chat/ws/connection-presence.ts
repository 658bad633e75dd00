import { Injectable, Logger } from '@nestjs/common';
import { PresenceService } from '../../presence/presence.service';
import { ConversationRepository } from '../conversation.repository';
import { ChatEventBus } from '../events/chat-event-bus';
import { ChatConnectionRegistry } from './chat-connection-registry';

/**
 * Turns sockets opening and closing into presence: a user is online while at
 * least one socket of theirs is open. Transitions of one user are applied one
 * at a time and each writes the registry's current truth, so a close racing an
 * open can never leave a connected user marked offline.
 */
@Injectable()
export class ConnectionPresence {
  private readonly logger = new Logger(ConnectionPresence.name);
  private readonly chains = new Map<string, Promise<void>>();
  /** What was last written per user, to skip writes that change nothing. */
  private readonly recorded = new Map<string, boolean>();
  private stopped = false;

  constructor(
    private readonly registry: ChatConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly conversations: ConversationRepository,
    private readonly events: ChatEventBus,
  ) {}

  /** Call after a user's first socket opened or last socket closed on this instance. */
  userSocketsChanged(userId: string): void {
    if (this.stopped) return;
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(() => this.sync(userId))
      .catch((error: unknown) => this.logger.error({ err: error }, 'Could not record presence'))
      .finally(() => {
        if (this.chains.get(userId) === next) this.chains.delete(userId);
      });
    this.chains.set(userId, next);
  }

  /** Shutdown: every user this instance had marked online goes offline, and nothing more is written. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.chains.values());
    const online = [...this.recorded].filter(([, isOnline]) => isOnline).map(([userId]) => userId);
    await Promise.all(online.map((userId) => this.write(userId, false)));
  }

  private async sync(userId: string): Promise<void> {
    const isOnline = this.registry.isUserConnected(userId);
    if (this.recorded.get(userId) === isOnline) return;
    await this.write(userId, isOnline);
  }

  private async write(userId: string, isOnline: boolean): Promise<void> {
    const [row, conversationIds] = await Promise.all([
      this.presence.record(userId, isOnline),
      this.conversations.idsForUser(userId),
    ]);
    if (isOnline) this.recorded.set(userId, true);
    else this.recorded.delete(userId);
    this.events.publish({
      type: 'presence.changed',
      userId,
      isOnline,
      lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
      conversationIds,
    });
  }
}
