import {
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { BearerAuthGuard, CurrentUserId } from '../auth/bearer-auth.guard';
import { WwwAuthenticateFilter } from '../auth/www-authenticate.filter';
import { CreateListingDto } from './dto/create-listing.dto';
import { ListingResponse } from './dto/listing.response';
import { ListingsService } from './listings.service';

@ApiTags('Listings')
@ApiBearerAuth()
@Controller('v1/listings')
@UseGuards(BearerAuthGuard)
@UseFilters(WwwAuthenticateFilter)
@UsePipes(new ValidationPipe({ whitelist: true, transform: true }))
export class ListingsController {
  constructor(private readonly listings: ListingsService) {}

  @Post()
  @ApiCreatedResponse({ type: ListingResponse })
  async create(@CurrentUserId() userId: string, @Body() body: CreateListingDto): Promise<ListingResponse> {
    return ListingResponse.of(await this.listings.create(userId, body));
  }

  @Get(':id')
  @ApiOkResponse({ type: ListingResponse })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ListingResponse> {
    const listing = await this.listings.findById(id);
    if (!listing) throw new NotFoundException('Listing not found');
    return ListingResponse.of(listing);
  }
}
