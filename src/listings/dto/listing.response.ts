import { ApiProperty } from '@nestjs/swagger';
import type { Listing } from '../listing.entity';

export class ListingResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) owner_user_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true, description: 'decimal as a string', example: '1500.50' })
  price!: string | null;
  @ApiProperty({ example: 'PEN' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static of(listing: Listing): ListingResponse {
    return {
      id: listing.id,
      owner_user_id: listing.ownerUserId,
      title: listing.title,
      price: listing.price,
      currency: listing.currency,
      created_at: listing.createdAt.toISOString(),
    };
  }
}
