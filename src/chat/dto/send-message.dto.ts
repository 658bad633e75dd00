import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MinLength } from 'class-validator';
import { MESSAGE_TYPES, type MessageType } from '../entities/message.entity';
import { Trim } from './query-transforms';
import { MaxChars, NoNulCharacter } from './text-constraints';
import type { SendMessageWire } from '../wire/rest-wire';

export const MAX_MESSAGE_LENGTH = 5000;

/** Body of `POST .../messages` and of the `message` WebSocket frame: one set of rules for both. */
export class SendMessageDto implements SendMessageWire {
  @ApiProperty({ minLength: 1, maxLength: MAX_MESSAGE_LENGTH, description: 'Trimmed; never empty' })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxChars(MAX_MESSAGE_LENGTH, { message: `content must be at most ${MAX_MESSAGE_LENGTH} characters` })
  @NoNulCharacter()
  content!: string;

  @ApiPropertyOptional({ enum: MESSAGE_TYPES.filter((type) => type !== 'system'), default: 'text' })
  @IsOptional()
  @IsIn(MESSAGE_TYPES, { message: `message_type must be one of: text, image, document` })
  message_type?: MessageType;

  @ApiPropertyOptional({ description: 'http(s) URL of an image or document' })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'media_url must be an http(s) URL' },
  )
  @NoNulCharacter()
  media_url?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Client-chosen id: a retried send returns the original message',
  })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'client_message_id must be 1 to 64 characters' })
  @MaxChars(64, { message: 'client_message_id must be 1 to 64 characters' })
  @NoNulCharacter()
  client_message_id?: string;
}
