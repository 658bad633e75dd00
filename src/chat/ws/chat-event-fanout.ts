import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ChatEvent } from '../events/chat-event';
import { ChatEventBus } from '../events/chat-event-bus';
import type { ChatConnection } from './chat-connection';
import { outgoingMessageFrame } from './chat-connection';
import { ChatConnectionRegistry } from './chat-connection-registry';
import { isDroppable, type ServerFrame } from './chat-protocol';
import { IsoClock } from './iso-clock';
import { OutgoingTextFrame } from './outgoing-text-frame';
import { PresenceOrder } from './presence-order';
import { TypingFrameEncoder } from './typing-frame-encoder';

/**
 * Delivers committed chat events to this instance's sockets. Routing is by
 * conversation: a frame of conversation A never reaches a socket opened for B.
 * Each frame is serialised and framed once per event, not once per socket.
 */
@Injectable()
export class ChatEventFanout implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | null = null;
  private readonly presenceOrder = new PresenceOrder();
  private readonly clock = new IsoClock();
  private readonly typingFrames = new TypingFrameEncoder();

  constructor(
    private readonly events: ChatEventBus,
    private readonly registry: ChatConnectionRegistry<ChatConnection>,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((event) => this.deliver(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  deliver(event: ChatEvent): void {
    switch (event.type) {
      case 'message.created': {
        const frame = outgoingMessageFrame(event.message);
        for (const connection of this.registry.inConversation(event.conversationId)) {
          connection.deliverLive(event.message, frame);
        }
        return;
      }
      case 'message.deleted':
        this.broadcast(event.conversationId, {
          type: 'message_deleted',
          conversation_id: event.conversationId,
          message_id: event.messageId,
          seq: event.seq,
          timestamp: this.clock.now(),
        });
        return;
      case 'messages.read':
        this.broadcast(event.conversationId, {
          type: 'read_receipt',
          conversation_id: event.conversationId,
          message_id: event.messageId,
          read_by: event.readerId,
          read_at: event.readAt,
          last_read_seq: event.lastReadSeq,
        });
        return;
      case 'messages.delivered': {
        const toSender = notOf(event.recipientId);
        for (const messageId of event.messageIds) {
          this.broadcast(
            event.conversationId,
            {
              type: 'delivery_receipt',
              conversation_id: event.conversationId,
              message_id: messageId,
              delivered_at: event.deliveredAt,
            },
            toSender,
          );
        }
        return;
      }
      case 'typing': {
        const connections = this.registry.inConversation(event.conversationId);
        if (connections.size === 0) return;
        const frame = this.typingFrames.encode(
          event.conversationId,
          event.userId,
          event.isTyping,
          this.clock.now(),
        );
        sendTo(connections, frame, true, notOf(event.userId));
        return;
      }
      case 'stream.resync':
        for (const connection of this.registry.inConversation(event.conversationId)) connection.catchUp();
        return;
      case 'presence.changed':
        for (const conversationId of event.conversationIds) {
          // Per conversation: from Redis, one transition arrives once per conversation, same version.
          if (!this.presenceOrder.isNewest(`${event.userId}:${conversationId}`, event.version)) continue;
          this.broadcast(
            conversationId,
            {
              type: 'presence',
              conversation_id: conversationId,
              user_id: event.userId,
              is_online: event.isOnline,
              last_seen_at: event.lastSeenAt,
            },
            // Only sockets not yet sent this version or a newer one (their connect snapshot may have been).
            (connection) => connection.userId !== event.userId && connection.acceptsPresence(event.version),
          );
        }
        return;
    }
  }

  /** Sends to the sockets of the conversation that `to` picks (all by default), serialised once. */
  private broadcast(
    conversationId: string,
    frame: ServerFrame,
    to: (connection: ChatConnection) => boolean = () => true,
  ): void {
    const connections = this.registry.inConversation(conversationId);
    if (connections.size === 0) return;
    sendTo(connections, new OutgoingTextFrame(JSON.stringify(frame)), isDroppable(frame), to);
  }
}

function sendTo(
  connections: ReadonlySet<ChatConnection>,
  frame: OutgoingTextFrame,
  droppable: boolean,
  to: (connection: ChatConnection) => boolean,
): void {
  for (const connection of connections) {
    if (to(connection)) connection.sendFrame(frame, droppable);
  }
}

/** Every socket but those of `userId`. */
function notOf(userId: string): (connection: ChatConnection) => boolean {
  return (connection) => connection.userId !== userId;
}
