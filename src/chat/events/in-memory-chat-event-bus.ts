import { Injectable, Logger } from '@nestjs/common';
import type { ChatEvent, ChatEventListener } from './chat-event';
import { ChatEventBus, type ChatEventBusStats } from './chat-event-bus';
import { ConversationFollows } from './conversation-follows';
import { deliverToListeners } from './deliver-to-listeners';

/** One instance: every event is already here, so following only counts. */
@Injectable()
export class InMemoryChatEventBus extends ChatEventBus {
  private readonly logger = new Logger(InMemoryChatEventBus.name);
  private readonly listeners = new Set<ChatEventListener>();
  private readonly follows = new ConversationFollows();

  publish(event: ChatEvent): void {
    deliverToListeners(this.listeners, event, this.logger);
  }

  subscribe(listener: ChatEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  follow(conversationId: string): Promise<void> {
    this.follows.add(conversationId);
    return Promise.resolve();
  }

  unfollow(conversationId: string): void {
    this.follows.remove(conversationId);
  }

  stats(): ChatEventBusStats {
    return { followed_conversations: this.follows.size, remote_events_received: 0 };
  }
}
