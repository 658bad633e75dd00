/** Every error code Parley puts on the wire, over HTTP (`code`) and WebSocket error frames. */
export enum ChatErrorCode {
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  ValidationFailed = 'validation_failed',
  Conflict = 'conflict',
  RateLimited = 'rate_limited',
  InvalidJson = 'invalid_json',
  UnknownType = 'unknown_type',
  Internal = 'internal',
}
