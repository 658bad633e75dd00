import type { ChatEvent, ChatEventListener } from './chat-event';

/**
 * Port: where committed chat facts are published for real-time delivery.
 * In-memory for one instance; a Redis implementation fans out across instances.
 */
export abstract class ChatEventBus {
  abstract publish(event: ChatEvent): void;
  /** Returns the unsubscribe function. */
  abstract subscribe(listener: ChatEventListener): () => void;
}
