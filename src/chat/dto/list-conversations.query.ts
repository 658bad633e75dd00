import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { ToBoolean, ToInteger } from './query-transforms';

export class ListConversationsQuery {
  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @ToInteger()
  @IsInt()
  @Min(0)
  skip = 0;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @ToInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ default: false, description: 'true: include conversations archived on your side' })
  @ToBoolean()
  @IsBoolean()
  archived = false;
}
