import { ChatException } from '../errors/chat.exception';
import { coerceIsTyping } from './client-frames';

/** class-validator's @IsBoolean message for a TypingClientFrame without is_typing. */
const IS_TYPING_MISSING = 'is_typing must be a boolean value';

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * Reads `{type: "typing", is_typing}` without class-transformer and class-validator:
 * typing is the most frequent frame, and those two cost more than the rest of its
 * handling. The outcome is TypingClientFrame's, which the spec checks input by input:
 * a present is_typing (any value) is coerced by coerceIsTyping, so only a missing one
 * fails; extra fields are ignored, as the DTO's whitelist strips them.
 */
export function readIsTyping(frame: Readonly<Record<string, unknown>>): boolean {
  if (!hasOwn(frame, 'is_typing')) throw ChatException.validation(IS_TYPING_MISSING);
  return coerceIsTyping(frame.is_typing);
}
