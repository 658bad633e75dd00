import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The host's own listings, priced in cents: ListingDirectory adapts them for Parley. */
@Entity({ schema: 'marketplace', name: 'products' })
export class Product {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'price_cents', type: 'integer' })
  priceCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;
}
