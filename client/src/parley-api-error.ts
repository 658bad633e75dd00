import type { ChatErrorCode } from '../../src/chat/wire/chat-error-code';

/** An error answer of the REST API: the HTTP status and the server's `code` and `message`. */
export class ParleyApiError extends Error {
  override readonly name = 'ParleyApiError';

  constructor(
    readonly status: number,
    /** One of ChatErrorCode; 'http_error' when the body was not Parley's error JSON. */
    readonly code: ChatErrorCode | 'http_error',
    message: string,
    /** On 500s: quote it when reporting the problem. */
    readonly correlationId?: string,
  ) {
    super(message);
  }
}
