import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ToInteger } from './query-transforms';

export class ListMessagesQuery {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 100 })
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @ApiPropertyOptional({
    description: 'Messages older than this message id or ISO-8601 timestamp (newest first)',
  })
  @IsOptional()
  @IsString()
  before?: string;

  @ApiPropertyOptional({
    description: 'Messages newer than this message id or ISO-8601 timestamp (oldest first)',
  })
  @IsOptional()
  @IsString()
  after?: string;

  @ApiPropertyOptional({ description: 'Messages with seq greater than this (oldest first)' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  after_seq?: number;

  @ApiPropertyOptional({ description: 'Messages with seq less than this (newest first)' })
  @IsOptional()
  @ToInteger()
  @IsInt()
  @Min(0)
  before_seq?: number;
}
