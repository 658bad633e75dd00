import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { ToBoolean, ToInteger } from './query-transforms';

export class ListConversationsQuery {
  // Bounded so a huge value is a 400 here, not an out-of-range OFFSET in PostgreSQL.
  @ApiPropertyOptional({ type: Number, default: 0, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @ToInteger()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  skip = 0;

  @ApiPropertyOptional({ type: Number, default: 20, minimum: 1, maximum: 100 })
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'true: include conversations archived on your side',
  })
  @ToBoolean()
  @IsBoolean()
  archived = false;
}
