import type { ChatEvent, ChatEventListener } from './chat-event';

export interface ChatEventBusStats {
  /** Conversations this instance receives events of (it has sockets on them). */
  followed_conversations: number;
  /** Events received from other instances since start-up. */
  remote_events_received: number;
}

/**
 * Port: where committed chat facts are published for real-time delivery.
 * In-memory for one instance; the Redis implementation fans out across instances.
 * Either way a publisher's own listeners hear its events at once, exactly once.
 */
export abstract class ChatEventBus {
  abstract publish(event: ChatEvent): void;
  /** Returns the unsubscribe function. */
  abstract subscribe(listener: ChatEventListener): () => void;
  /**
   * A socket of this conversation opened here: receive its events from other
   * instances too. Resolves once they will arrive (or at once while they cannot),
   * so reading the database afterwards misses nothing. Counted per call.
   */
  abstract follow(conversationId: string): Promise<void>;
  /** That socket closed; the last unfollow stops the conversation's events. */
  abstract unfollow(conversationId: string): void;
  abstract stats(): ChatEventBusStats;
}
