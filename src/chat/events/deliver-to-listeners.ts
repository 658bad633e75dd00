import type { Logger } from '@nestjs/common';
import type { ChatEvent, ChatEventListener } from './chat-event';

/** Hands an event to every listener; one failing listener must not stop the others, nor fail a committed request. */
export function deliverToListeners(
  listeners: Iterable<ChatEventListener>,
  event: ChatEvent,
  logger: Logger,
): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      logger.error({ err: error, event: event.type }, 'Chat event listener failed');
    }
  }
}
