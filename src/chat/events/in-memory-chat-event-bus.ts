import { Injectable, Logger } from '@nestjs/common';
import type { ChatEvent, ChatEventListener } from './chat-event';
import { ChatEventBus } from './chat-event-bus';

@Injectable()
export class InMemoryChatEventBus extends ChatEventBus {
  private readonly logger = new Logger(InMemoryChatEventBus.name);
  private readonly listeners = new Set<ChatEventListener>();

  publish(event: ChatEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One failing listener must not stop delivery to the others, nor fail the
        // request that already committed.
        this.logger.error({ err: error, event: event.type }, 'Chat event listener failed');
      }
    }
  }

  subscribe(listener: ChatEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
