import type { PushPreview } from './push-options';
import type { PushNotificationContent } from './senders/push-sender.port';

const MAX_TEXT = 200;
/** A push service may hold a push this long for a device that is off. */
const TTL_SECONDS = 24 * 60 * 60;

export interface PushContentInput {
  conversationId: string;
  listingId: string;
  listingTitle: string | null;
  senderUserId: string;
  senderName: string | null;
  /** Messages the push announces. */
  count: number;
  lastMessage: { id: string; seq: number; content: string | null };
  badge: number;
  preview: PushPreview;
}

/**
 * What a device shows, by the privacy setting: `full` shows the text, `sender`
 * who wrote about which listing but never the text, `none` only that
 * something came. A burst reads "3 new messages from Ana".
 */
export function buildPushContent(input: PushContentInput): PushNotificationContent {
  const name = input.senderName ?? 'Someone';
  const listing = input.listingTitle ?? 'your listing';
  const several = input.count > 1;
  let title: string;
  let body: string;
  switch (input.preview) {
    case 'full':
      title = `${name} · ${listing}`;
      body = several
        ? `${input.count} new messages from ${name}: ${truncate(input.lastMessage.content ?? '')}`
        : truncate(input.lastMessage.content ?? '');
      break;
    case 'sender':
      title = listing;
      body = several ? `${input.count} new messages from ${name}` : `New message from ${name}`;
      break;
    case 'none':
      title = 'New message';
      body = several ? `${input.count} new messages` : 'You have a new message';
      break;
  }
  return {
    title,
    body,
    collapseKey: input.conversationId,
    badge: input.badge,
    ttlSeconds: TTL_SECONDS,
    data: {
      type: 'chat.message',
      conversation_id: input.conversationId,
      message_id: input.lastMessage.id,
      seq: String(input.lastMessage.seq),
      count: String(input.count),
      listing_id: input.listingId,
      ...(input.preview === 'none' ? {} : { sender_user_id: input.senderUserId }),
    },
  };
}

function truncate(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}
