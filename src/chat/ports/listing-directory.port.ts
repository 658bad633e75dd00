export interface ChatListing {
  id: string;
  ownerUserId: string;
  title: string;
  /** Decimal as a string (or number) exactly as the host stores it; null when unpriced. */
  price: string | number | null;
  currency: string;
}

/** Port: who owns a listing and how to show it in a conversation list. */
export abstract class ListingDirectory {
  abstract findListing(listingId: string): Promise<ChatListing | null>;
  /** Batch lookup for one page of conversations; unknown ids are simply absent. */
  abstract findListings(listingIds: readonly string[]): Promise<Map<string, ChatListing>>;
}
