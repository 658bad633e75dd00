import { Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { CallerId } from './chat-auth.guard';
import { ChatBody, ChatQuery } from './chat-request.decorators';
import { ChatRestController } from './chat-rest-controller.decorator';
import { ConversationsService } from './conversations.service';
import { ArchiveConversationDto } from './dto/archive-conversation.dto';
import { CreateConversationDto } from './dto/create-conversation.dto';
import {
  ConversationDetailResponse,
  ConversationListItemResponse,
  ConversationResponse,
} from './dto/conversation.response';
import { ListConversationsQuery } from './dto/list-conversations.query';
import { ReadResultResponse, UnreadCountResponse } from './dto/read-result.response';
import { UnreadCountQuery } from './dto/unread-count.query';
import { ReadReceiptsService } from './read-receipts.service';
import { UuidParam } from './uuid-param.decorator';
import type { ChatHttpReply } from './http-platform';

@ChatRestController()
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly readReceipts: ReadReceiptsService,
  ) {}

  @Post('conversations')
  @ApiResponse({ status: 201, type: ConversationResponse, description: 'Created' })
  @ApiResponse({ status: 200, type: ConversationResponse, description: 'Already existed' })
  async createOrGet(
    @CallerId() callerId: string,
    @ChatBody() body: CreateConversationDto,
    @Res({ passthrough: true }) response: ChatHttpReply,
  ): Promise<ConversationResponse> {
    const { conversation, created } = await this.conversations.createOrGet(callerId, body.listing_id);
    response.status(created ? 201 : 200);
    return conversation;
  }

  @Get('conversations')
  @ApiOkResponse({ type: [ConversationListItemResponse] })
  list(
    @CallerId() callerId: string,
    @ChatQuery() query: ListConversationsQuery,
  ): Promise<ConversationListItemResponse[]> {
    return this.conversations.list(callerId, {
      skip: query.skip,
      limit: query.limit,
      includeArchived: query.archived,
    });
  }

  @Get('conversations/:id')
  @ApiOkResponse({ type: ConversationDetailResponse })
  get(@CallerId() callerId: string, @UuidParam('id') id: string): Promise<ConversationDetailResponse> {
    return this.conversations.getDetail(callerId, id);
  }

  @Patch('conversations/:id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadResultResponse })
  markRead(@CallerId() callerId: string, @UuidParam('id') id: string): Promise<ReadResultResponse> {
    return this.readReceipts.markConversationRead(callerId, id);
  }

  @Patch('conversations/:id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationResponse })
  archive(
    @CallerId() callerId: string,
    @UuidParam('id') id: string,
    @ChatQuery() query: ArchiveConversationDto,
    @ChatBody() body: ArchiveConversationDto,
  ): Promise<ConversationResponse> {
    return this.conversations.setArchived(callerId, id, query.archived ?? body.archived ?? true);
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountResponse })
  unreadCount(
    @CallerId() callerId: string,
    @ChatQuery() query: UnreadCountQuery,
  ): Promise<UnreadCountResponse> {
    return this.conversations.unreadCounts(callerId, query.conversation_id);
  }
}
