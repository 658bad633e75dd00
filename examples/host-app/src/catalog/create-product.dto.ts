import { IsInt, IsString, IsUUID, Length, Matches, Min } from 'class-validator';

export class CreateProductDto {
  @IsUUID()
  seller_id!: string;

  @IsString()
  @Length(1, 200)
  name!: string;

  @IsInt()
  @Min(0)
  price_cents!: number;

  @Matches(/^[A-Z]{3}$/)
  currency!: string;
}
