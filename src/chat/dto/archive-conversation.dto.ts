import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { ToBoolean } from './query-transforms';

/** `archived` may come in the query string or the JSON body; absent means archive. */
export class ArchiveConversationDto {
  @ApiPropertyOptional({ type: Boolean, default: true })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  archived?: boolean;
}
