import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { ListingDirectory } from '../chat/ports/listing-directory.port';
import { AppListingDirectory } from './app-listing-directory';
import { Listing } from './listing.entity';
import { ListingsController } from './listings.controller';
import { ListingsService } from './listings.service';

/** A minimal listing directory: the standalone app's ListingDirectory. */
@Module({
  imports: [TypeOrmModule.forFeature([Listing]), AuthModule],
  controllers: [ListingsController],
  providers: [ListingsService, { provide: ListingDirectory, useClass: AppListingDirectory }],
  exports: [ListingDirectory],
})
export class ListingsModule {}
