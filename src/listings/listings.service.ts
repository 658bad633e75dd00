import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Listing } from './listing.entity';

@Injectable()
export class ListingsService {
  constructor(@InjectRepository(Listing) private readonly listings: Repository<Listing>) {}

  async create(
    ownerUserId: string,
    input: { title: string; price?: number; currency?: string },
  ): Promise<Listing> {
    const listing = this.listings.create({
      ownerUserId,
      title: input.title,
      price: input.price === undefined ? null : input.price.toFixed(2),
      currency: input.currency ?? 'PEN',
    });
    const saved = await this.listings.save(listing);
    return this.listings.findOneByOrFail({ id: saved.id });
  }

  findById(id: string): Promise<Listing | null> {
    return this.listings.findOneBy({ id });
  }

  findByIds(ids: readonly string[]): Promise<Listing[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.listings.findBy({ id: In([...ids]) });
  }
}
