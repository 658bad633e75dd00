import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Trim } from '../../chat/dto/query-transforms';
import { MaxChars, NoNulCharacter } from '../../chat/dto/text-constraints';

/** The largest value `numeric(14, 2)` holds. */
const MAX_PRICE = 999_999_999_999.99;

export class CreateListingDto {
  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'title must not be empty' })
  @MaxChars(200)
  @NoNulCharacter()
  title!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_PRICE, example: 1500.5 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_PRICE)
  price?: number;

  @ApiPropertyOptional({ default: 'PEN', example: 'PEN' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be a three-letter ISO 4217 code such as PEN' })
  currency?: string;
}
