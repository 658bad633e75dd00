import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsString, IsUUID, Max, Min, ValidateIf } from 'class-validator';

/** seq is a PostgreSQL integer. */
const MAX_SEQ = 2_147_483_647;
import { SendMessageDto } from '../dto/send-message.dto';
import type { ClientFrameType } from './chat-protocol';

/** A client frame after parsing: an object with a known `type`, every other field unchecked. */
export type ParsedClientFrame = Record<string, unknown> & { type: ClientFrameType };

/** `{type: "message", content, message_type?, media_url?, client_message_id?}`: the REST body's rules. */
export class MessageClientFrame extends SendMessageDto {}

/**
 * How a present is_typing reads: clients send all sorts. Shared with the hand-written
 * check in typing-frame.ts, which must answer exactly as this DTO does.
 */
export function coerceIsTyping(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** `{type: "typing", is_typing}`; is_typing is coerced to a boolean as the spec's clients send all sorts. */
export class TypingClientFrame {
  @Transform(({ value }: { value: unknown }) => coerceIsTyping(value))
  @IsBoolean()
  is_typing!: boolean;
}

/** `{type: "read", message_id}` or `{type: "read", seq}`. */
export class ReadClientFrame {
  @ValidateIf((frame: ReadClientFrame) => frame.seq === undefined)
  @IsUUID('all', { message: 'message_id must be a UUID (or send seq)' })
  message_id?: string;

  @ValidateIf((frame: ReadClientFrame) => frame.message_id === undefined)
  @IsInt({ message: 'seq must be a whole number (or send message_id)' })
  @Min(1)
  @Max(MAX_SEQ)
  seq?: number;
}

/** `{type: "sync", after_seq}`: replay everything after that seq, then continue live. */
export class SyncClientFrame {
  @IsInt({ message: 'after_seq must be a whole number' })
  @Min(0)
  @Max(MAX_SEQ)
  after_seq!: number;
}

/** `{type: "auth", token}`: a fresh token for the same user extends the socket's life. */
export class AuthClientFrame {
  @IsString()
  @IsNotEmpty({ message: 'token is required' })
  token!: string;
}
