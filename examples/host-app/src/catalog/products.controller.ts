import { Body, Controller, Post } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CreateProductDto } from './create-product.dto';
import { Product } from './product.entity';

/** The host's catalogue. A real host would take the seller from its own session; the example keeps it short. */
@Controller('products')
export class ProductsController {
  constructor(@InjectRepository(Product) private readonly products: Repository<Product>) {}

  @Post()
  create(@Body() body: CreateProductDto): Promise<Product> {
    return this.products.save(
      this.products.create({
        sellerId: body.seller_id,
        name: body.name,
        priceCents: body.price_cents,
        currency: body.currency,
      }),
    );
  }
}
