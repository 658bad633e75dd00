import { Injectable, Logger } from '@nestjs/common';
import { PresenceService } from '../../presence/presence.service';
import { ChatSettings } from '../chat-settings';
import { PresenceTracker, type PresenceTransition } from '../cluster/presence-tracker';
import { ConversationRepository } from '../conversation.repository';
import { ChatEventBus } from '../events/chat-event-bus';
import { ChatConnectionRegistry } from './chat-connection-registry';

/** Sweeps for users gone offline (grace periods ended, dead instances) at least this often. */
const MAX_SWEEP_INTERVAL_MS = 1_000;

/**
 * Turns sockets opening and closing into presence. This instance reports its
 * users to the PresenceTracker (in process, or Redis for the whole cluster),
 * which decides when a user becomes online or offline; each transition is
 * recorded in `chat.user_presence` (newest version wins) and announced to the
 * user's conversations. Work for one user runs one step at a time, and each
 * step reports the registry's current truth, so a close racing an open can
 * never leave a connected user reported gone.
 */
@Injectable()
export class ConnectionPresence {
  private readonly logger = new Logger(ConnectionPresence.name);
  private readonly chains = new Map<string, Promise<void>>();
  /** Users this instance reported to the tracker as having a socket here. */
  private readonly reported = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweeping = false;
  private stopped = false;

  constructor(
    private readonly registry: ChatConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly conversations: ConversationRepository,
    private readonly events: ChatEventBus,
    private readonly tracker: PresenceTracker,
    private readonly settings: ChatSettings,
  ) {}

  /** Start-up: clear online flags nobody stands behind, then heartbeat and sweep. */
  async start(): Promise<void> {
    await this.clearStaleFlags();
    const heartbeatMs = Math.floor(this.settings.presence.ttlMs / 3);
    this.every(heartbeatMs, () => this.heartbeat());
    this.every(Math.min(heartbeatMs, MAX_SWEEP_INTERVAL_MS), () => this.sweep());
  }

  /** Call after a user's first socket opened or last socket closed on this instance. */
  userSocketsChanged(userId: string): void {
    if (!this.stopped) this.enqueue(userId, () => this.report(userId));
  }

  /**
   * Shutdown, after every socket closed: hand this instance's users over to the
   * others (offline after the grace period unless they reconnect), or record them
   * offline now when no instance is left.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    // Heart-beating goes on until this instance has left: gone silent while its last
    // reports were written, it would look dead to the others, whose sweep takes a dead
    // instance's users offline at once instead of after the grace period, and a user
    // reconnecting elsewhere would flap offline and online.
    await Promise.all(this.chains.values());
    // Before leave() is issued: a heartbeat sent after it would bring the instance back.
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    try {
      const transitions = await this.tracker.leave([...this.reported]);
      await Promise.all(transitions.map((transition) => this.record(transition)));
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not hand presence over at shutdown');
    }
  }

  private async report(userId: string): Promise<void> {
    const connected = this.registry.isUserConnected(userId);
    if (connected === this.reported.has(userId)) return;
    if (connected) {
      this.reported.add(userId);
      const transition = await this.tracker.connected(userId);
      if (transition) await this.record(transition);
    } else {
      this.reported.delete(userId);
      await this.tracker.disconnected(userId);
      this.sweepAfterGrace();
    }
  }

  /** Writes a transition, and announces it unless a newer one was already written. */
  private async record(transition: PresenceTransition): Promise<void> {
    const { userId, isOnline, version } = transition;
    const [row, conversationIds] = await Promise.all([
      this.presence.record(userId, isOnline, version),
      this.conversations.idsForUser(userId),
    ]);
    if (!row) return;
    this.events.publish({
      type: 'presence.changed',
      userId,
      isOnline,
      lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
      version,
      conversationIds,
    });
  }

  private async heartbeat(): Promise<void> {
    // The tracker call is issued synchronously with this snapshot, so it cannot
    // overtake a report issued earlier for a user.
    const transitions = await this.tracker.refresh([...this.registry.userIds()]);
    this.recordAll(transitions);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      this.recordAll(await this.tracker.sweep());
    } finally {
      this.sweeping = false;
    }
  }

  private recordAll(transitions: PresenceTransition[]): void {
    for (const transition of transitions) {
      this.enqueue(transition.userId, () => this.record(transition));
    }
  }

  private sweepAfterGrace(): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run(() => this.sweep());
    }, this.settings.presence.offlineGraceMs + 1);
    timer.unref();
    this.timers.add(timer);
  }

  private async clearStaleFlags(): Promise<void> {
    try {
      const flagged = await this.presence.onlineFlagged();
      const stale = await this.tracker.notOnline(flagged);
      if (stale.length > 0) await this.presence.clearStale(stale, await this.tracker.nextVersion());
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not clear stale online flags at start-up');
    }
  }

  private enqueue(userId: string, step: () => Promise<void>): void {
    const previous = this.chains.get(userId) ?? Promise.resolve();
    const next = previous
      .then(step)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not record presence'))
      .finally(() => {
        if (this.chains.get(userId) === next) this.chains.delete(userId);
      });
    this.chains.set(userId, next);
  }

  private every(intervalMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => this.run(task), intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  private run(task: () => Promise<void>): void {
    // Redis unreachable: already logged once by RedisLink; the next beat tries again.
    task().catch((error: unknown) => this.logger.debug({ err: error }, 'Presence upkeep failed'));
  }
}
