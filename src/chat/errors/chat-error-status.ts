import { HttpStatus } from '@nestjs/common';
import { ChatErrorCode } from './chat-error-code';

/** The HTTP status of each error code; exhaustive, so a new code cannot be forgotten. */
export function httpStatusOf(code: ChatErrorCode): HttpStatus {
  switch (code) {
    case ChatErrorCode.Unauthorized:
      return HttpStatus.UNAUTHORIZED;
    case ChatErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ChatErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ChatErrorCode.ValidationFailed:
    case ChatErrorCode.InvalidJson:
    case ChatErrorCode.UnknownType:
      return HttpStatus.BAD_REQUEST;
    case ChatErrorCode.Conflict:
      return HttpStatus.CONFLICT;
    case ChatErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ChatErrorCode.Internal:
      return HttpStatus.INTERNAL_SERVER_ERROR;
  }
}
