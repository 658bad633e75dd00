import type { MessageView } from '../message.presenter';

/** Facts the chat feature announces after they are committed to the database. */
export type ChatEvent =
  | { type: 'message.created'; conversationId: string; message: MessageView }
  | { type: 'message.deleted'; conversationId: string; messageId: string; seq: number }
  | {
      type: 'messages.read';
      conversationId: string;
      readerId: string;
      messageId: string;
      lastReadSeq: number;
      readAt: string;
    }
  | {
      type: 'messages.delivered';
      conversationId: string;
      recipientId: string;
      messageIds: string[];
      deliveredAt: string;
    }
  | { type: 'typing'; conversationId: string; userId: string; isTyping: boolean }
  | {
      type: 'presence.changed';
      userId: string;
      isOnline: boolean;
      lastSeenAt: string | null;
      /** Orders transitions recorded by different instances: an older one is never shown after a newer. */
      version: number;
      /** The conversations the user is part of: where the change is announced. */
      conversationIds: string[];
    }
  /**
   * Events of this conversation may have been lost between instances (a Redis outage):
   * sockets catch up from the database by seq.
   */
  | { type: 'stream.resync'; conversationId: string };

export type ChatEventListener = (event: ChatEvent) => void;
