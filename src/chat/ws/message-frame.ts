import { MAX_MESSAGE_LENGTH, type SendMessageDto } from '../dto/send-message.dto';

const MAX_CLIENT_MESSAGE_ID = 64;
const FAST_KEYS = new Set(['type', 'content', 'client_message_id', 'message_type']);

const isPlainString = (value: unknown, maxUnits: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= maxUnits && !value.includes('\u0000');

/**
 * The everyday message frame, `{type: "message", content, client_message_id?,
 * message_type?: "text"}` with plainly valid values, read without
 * class-transformer and class-validator (a tenth of a message's server CPU).
 * Anything else (an error, an image, an unusual field or value) gives undefined
 * and goes through MessageClientFrame, so every answer to a bad frame keeps its
 * one source. The spec runs frames through both and requires this to accept only
 * what the DTO accepts, as the DTO reads it.
 *
 * Lengths are checked in UTF-16 units: never fewer than the code points the DTO
 * counts, so a value within the units is within the characters too.
 */
export function readPlainTextMessage(frame: Readonly<Record<string, unknown>>): SendMessageDto | undefined {
  for (const key of Object.keys(frame)) if (!FAST_KEYS.has(key)) return undefined;
  const content = typeof frame.content === 'string' ? frame.content.trim() : undefined;
  if (!isPlainString(content, MAX_MESSAGE_LENGTH)) return undefined;
  const message: SendMessageDto = { content };
  if (Object.hasOwn(frame, 'message_type')) {
    if (frame.message_type !== 'text') return undefined;
    message.message_type = 'text';
  }
  if (Object.hasOwn(frame, 'client_message_id')) {
    if (!isPlainString(frame.client_message_id, MAX_CLIENT_MESSAGE_ID)) return undefined;
    message.client_message_id = frame.client_message_id;
  }
  return message;
}
