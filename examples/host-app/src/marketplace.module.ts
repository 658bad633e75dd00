import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ListingDirectory, UserDirectory } from 'parley';
import { Product } from './catalog/product.entity';
import { ProductsController } from './catalog/products.controller';
import { MemberUserDirectory } from './chat-ports/member-user-directory';
import { ProductListingDirectory } from './chat-ports/product-listing-directory';
import { HOST_APP_CONFIG, type HostAppConfig } from './host-app.config';
import { HostTokenIssuer } from './members/host-token-issuer';
import { Member } from './members/member.entity';
import { MembersController } from './members/members.controller';
import { TickerGateway } from './ticker/ticker.gateway';

/** The host's own features, plus the two Parley ports they implement. */
@Module({})
export class MarketplaceModule {
  static register(config: HostAppConfig): DynamicModule {
    return {
      module: MarketplaceModule,
      imports: [TypeOrmModule.forFeature([Member, Product])],
      controllers: [MembersController, ProductsController],
      providers: [
        { provide: HOST_APP_CONFIG, useValue: config },
        HostTokenIssuer,
        TickerGateway,
        { provide: ListingDirectory, useClass: ProductListingDirectory },
        { provide: UserDirectory, useClass: MemberUserDirectory },
      ],
      exports: [HOST_APP_CONFIG, ListingDirectory, UserDirectory],
    };
  }
}
