import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type ChatListing, ListingDirectory } from 'parley';
import { In, type Repository } from 'typeorm';
import { Product } from '../catalog/product.entity';

function toChatListing(product: Product): ChatListing {
  return {
    id: product.id,
    ownerUserId: product.sellerId,
    title: product.name,
    price: (product.priceCents / 100).toFixed(2),
    currency: product.currency,
  };
}

/** Parley's ListingDirectory port over the host's products table. */
@Injectable()
export class ProductListingDirectory extends ListingDirectory {
  constructor(@InjectRepository(Product) private readonly products: Repository<Product>) {
    super();
  }

  async findListing(listingId: string): Promise<ChatListing | null> {
    const product = await this.products.findOneBy({ id: listingId });
    return product ? toChatListing(product) : null;
  }

  async findListings(listingIds: readonly string[]): Promise<Map<string, ChatListing>> {
    if (listingIds.length === 0) return new Map();
    const products = await this.products.findBy({ id: In([...listingIds]) });
    return new Map(products.map((product) => [product.id, toChatListing(product)]));
  }
}
