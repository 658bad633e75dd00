import { ChatErrorCode } from './chat-error-code';

/** The one error type of the chat feature; mapped once to HTTP and once to WebSocket frames. */
export class ChatException extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatException';
  }

  static notFound(what: string): ChatException {
    return new ChatException(ChatErrorCode.NotFound, `${what} not found`);
  }

  static validation(message: string): ChatException {
    return new ChatException(ChatErrorCode.ValidationFailed, message);
  }

  static forbidden(message: string): ChatException {
    return new ChatException(ChatErrorCode.Forbidden, message);
  }

  static unauthorized(message = 'Not authenticated'): ChatException {
    return new ChatException(ChatErrorCode.Unauthorized, message);
  }

  static conflict(message: string): ChatException {
    return new ChatException(ChatErrorCode.Conflict, message);
  }
}
