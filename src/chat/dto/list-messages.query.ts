import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ToInteger } from './query-transforms';

/** seq is a PostgreSQL integer: a larger bound would fail in the database instead of here. */
const MAX_SEQ = 2_147_483_647;

export class ListMessagesQuery {
  @ApiPropertyOptional({ type: Number, default: 50, minimum: 1, maximum: 100 })
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @ApiPropertyOptional({
    type: String,
    description: 'Messages older than this message id or ISO-8601 timestamp (newest first)',
  })
  @IsOptional()
  @IsString()
  before?: string;

  @ApiPropertyOptional({
    type: String,
    description: 'Messages newer than this message id or ISO-8601 timestamp (oldest first)',
  })
  @IsOptional()
  @IsString()
  after?: string;

  @ApiPropertyOptional({
    type: Number,
    description: 'Messages with seq greater than this (oldest first)',
    maximum: MAX_SEQ,
  })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  after_seq?: number;

  @ApiPropertyOptional({
    type: Number,
    description: 'Messages with seq less than this (newest first)',
    maximum: MAX_SEQ,
  })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  before_seq?: number;
}
