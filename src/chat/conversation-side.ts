import type { Conversation } from './entities/conversation.entity';

/** Which party of a conversation a user is. */
export type ConversationSide = 'client' | 'owner';

export function sideOf(conversation: Conversation, userId: string): ConversationSide | null {
  if (conversation.clientUserId === userId) return 'client';
  if (conversation.ownerUserId === userId) return 'owner';
  return null;
}

export function otherPartyOf(conversation: Conversation, side: ConversationSide): string {
  return side === 'client' ? conversation.ownerUserId : conversation.clientUserId;
}

export function isArchivedFor(conversation: Conversation, side: ConversationSide): boolean {
  return side === 'client' ? conversation.archivedByClient : conversation.archivedByOwner;
}

export function lastReadSeqOf(conversation: Conversation, side: ConversationSide): number {
  return side === 'client' ? conversation.clientLastReadSeq : conversation.ownerLastReadSeq;
}
