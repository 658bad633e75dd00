import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ChatEvent, ChatEventListener } from '../events/chat-event';
import { ChatEventBus, type ChatEventBusStats } from '../events/chat-event-bus';
import { ConversationFollows } from '../events/conversation-follows';
import { deliverToListeners } from '../events/deliver-to-listeners';
import type { RedisLink } from './redis-link';

/** What travels on a conversation's channel. */
interface Envelope {
  /** The publishing instance: it already delivered the event to its own sockets. */
  origin: string;
  event: ChatEvent;
}

/** A socket waits at most this long for its conversation's subscription before it reads the database. */
const FOLLOW_TIMEOUT_MS = 1_000;
/** SUBSCRIBE arguments per command when re-subscribing everything after an outage. */
const SUBSCRIBE_CHUNK = 1_000;

/**
 * Fans committed events out across instances through Redis pub/sub, one channel
 * per conversation: an instance subscribes to a conversation while it holds a
 * socket of it, so its Redis traffic grows with its own sockets, not with the
 * cluster's. Local listeners hear an event at once; other instances through
 * Redis; nobody twice. Pub/sub may lose events (an outage, a dropped link): the
 * message stream of each socket detects gaps by seq and reads the database, and
 * after an outage every followed conversation is told to catch up.
 */
export class RedisChatEventBus extends ChatEventBus implements OnModuleDestroy {
  private readonly logger = new Logger(RedisChatEventBus.name);
  private readonly listeners = new Set<ChatEventListener>();
  private readonly follows = new ConversationFollows();
  private readonly subscriptions = new Map<string, Promise<void>>();
  /** Conversations whose events could not be published: others are told to catch up once Redis is back. */
  private readonly missed = new Set<string>();
  private remoteEventsReceived = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly link: RedisLink,
    private readonly instanceId: string,
    private readonly channelPrefix: string,
  ) {
    super();
    link.subscriber.on('message', (_channel: string, payload: string) => this.receive(payload));
    this.stopListening = link.onRecovered(() => void this.recover());
  }

  publish(event: ChatEvent): void {
    deliverToListeners(this.listeners, event, this.logger);
    for (const [conversationId, scoped] of perConversation(event)) this.send(conversationId, scoped);
  }

  subscribe(listener: ChatEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  follow(conversationId: string): Promise<void> {
    if (!this.follows.add(conversationId)) return this.subscriptions.get(conversationId) ?? Promise.resolve();
    const subscribed = this.link.subscriber.subscribe(this.channel(conversationId)).then(
      () => undefined,
      (error: unknown) => this.logger.warn({ err: error }, 'Could not subscribe to a conversation'),
    );
    // While Redis is down the SUBSCRIBE waits for it; the socket must not. Recovery catches it up.
    if (this.link.state !== 'up') return Promise.resolve();
    const bounded = Promise.race([subscribed, delay(FOLLOW_TIMEOUT_MS)]);
    this.subscriptions.set(conversationId, bounded);
    void bounded.finally(() => {
      if (this.subscriptions.get(conversationId) === bounded) this.subscriptions.delete(conversationId);
    });
    return bounded;
  }

  unfollow(conversationId: string): void {
    if (!this.follows.remove(conversationId)) return;
    this.link.subscriber.unsubscribe(this.channel(conversationId)).catch(() => undefined);
  }

  stats(): ChatEventBusStats {
    return { followed_conversations: this.follows.size, remote_events_received: this.remoteEventsReceived };
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

  private send(conversationId: string, event: ChatEvent): void {
    const envelope: Envelope = { origin: this.instanceId, event };
    this.link.commands.publish(this.channel(conversationId), JSON.stringify(envelope)).catch(() => {
      this.missed.add(conversationId);
    });
  }

  private receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      this.logger.warn('Ignored a malformed event from Redis');
      return;
    }
    if (envelope.origin === this.instanceId) return;
    // Published before our UNSUBSCRIBE took effect: nobody here wants it.
    if (!this.follows.has(conversationOf(envelope.event))) return;
    this.remoteEventsReceived += 1;
    deliverToListeners(this.listeners, envelope.event, this.logger);
  }

  /** Redis is back: make sure every followed channel is subscribed, then catch every stream up. */
  private async recover(): Promise<void> {
    const followed = this.follows.ids();
    for (let start = 0; start < followed.length; start += SUBSCRIBE_CHUNK) {
      const channels = followed.slice(start, start + SUBSCRIBE_CHUNK).map((id) => this.channel(id));
      await this.link.subscriber.subscribe(...channels).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Could not re-subscribe after the Redis outage');
      });
    }
    for (const conversationId of followed) {
      deliverToListeners(this.listeners, { type: 'stream.resync', conversationId }, this.logger);
    }
    const missed = [...this.missed];
    this.missed.clear();
    for (const conversationId of missed) this.send(conversationId, { type: 'stream.resync', conversationId });
  }

  private channel(conversationId: string): string {
    return `${this.channelPrefix}${conversationId}`;
  }
}

/** The event as each of its conversations' channels carries it. */
function perConversation(event: ChatEvent): Array<[string, ChatEvent]> {
  if (event.type !== 'presence.changed') return [[event.conversationId, event]];
  return event.conversationIds.map((conversationId) => [
    conversationId,
    { ...event, conversationIds: [conversationId] },
  ]);
}

function conversationOf(event: ChatEvent): string {
  return event.type === 'presence.changed' ? (event.conversationIds[0] ?? '') : event.conversationId;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
