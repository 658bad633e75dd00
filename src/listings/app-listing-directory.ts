import { Injectable } from '@nestjs/common';
import { type ChatListing, ListingDirectory } from '../chat/ports/listing-directory.port';
import type { Listing } from './listing.entity';
import { ListingsService } from './listings.service';

function toChatListing(listing: Listing): ChatListing {
  return {
    id: listing.id,
    ownerUserId: listing.ownerUserId,
    title: listing.title,
    price: listing.price,
    currency: listing.currency,
  };
}

/** This app's ListingDirectory, over `app.listings`. */
@Injectable()
export class AppListingDirectory extends ListingDirectory {
  constructor(private readonly listings: ListingsService) {
    super();
  }

  async findListing(listingId: string): Promise<ChatListing | null> {
    const listing = await this.listings.findById(listingId);
    return listing ? toChatListing(listing) : null;
  }

  async findListings(listingIds: readonly string[]): Promise<Map<string, ChatListing>> {
    const listings = await this.listings.findByIds(listingIds);
    return new Map(listings.map((listing) => [listing.id, toChatListing(listing)]));
  }
}
