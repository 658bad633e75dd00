// Defined with the wire format, which the client SDK compiles too.
export { ChatErrorCode } from '../wire/chat-error-code';
