import type { ServerFrame } from '../wire/chat-frames';

// The frames and close codes are defined with the wire format, which the client SDK compiles too.
export { ChatCloseCode, CLIENT_FRAME_TYPES } from '../wire/chat-frames';
export type * from '../wire/chat-frames';

/** Frames that may be dropped for a slow consumer: they are superseded by the next one. */
export function isDroppable(frame: ServerFrame): boolean {
  return frame.type === 'typing' || frame.type === 'presence';
}
