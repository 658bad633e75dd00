import { Delete, Get, HttpCode, Patch, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { CallerId } from './chat-auth.guard';
import { ChatBody, ChatQuery } from './chat-request.decorators';
import { ChatRestController } from './chat-rest-controller.decorator';
import { ListMessagesQuery } from './dto/list-messages.query';
import { MessageResponse } from './dto/message.response';
import { ReadResultResponse } from './dto/read-result.response';
import { SendMessageDto } from './dto/send-message.dto';
import { MessagesService } from './messages.service';
import { ReadReceiptsService } from './read-receipts.service';
import { UuidParam } from './uuid-param.decorator';
import type { ChatHttpReply } from './http-platform';

@ChatRestController()
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly readReceipts: ReadReceiptsService,
  ) {}

  @Get('conversations/:id/messages')
  @ApiOkResponse({ type: [MessageResponse], description: 'Newest first; oldest first with after/after_seq' })
  list(
    @CallerId() callerId: string,
    @UuidParam('id') id: string,
    @ChatQuery() query: ListMessagesQuery,
  ): Promise<MessageResponse[]> {
    return this.messages.list(callerId, id, query);
  }

  @Post('conversations/:id/messages')
  @ApiResponse({ status: 201, type: MessageResponse, description: 'Stored' })
  @ApiResponse({ status: 200, type: MessageResponse, description: 'Retried client_message_id: the original' })
  async send(
    @CallerId() callerId: string,
    @UuidParam('id') id: string,
    @ChatBody() body: SendMessageDto,
    @Res({ passthrough: true }) response: ChatHttpReply,
  ): Promise<MessageResponse> {
    const { message, created } = await this.messages.send(callerId, id, body);
    response.status(created ? 201 : 200);
    return message;
  }

  @Patch('messages/:id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadResultResponse })
  markRead(@CallerId() callerId: string, @UuidParam('id') id: string): Promise<ReadResultResponse> {
    return this.readReceipts.markMessageRead(callerId, id);
  }

  @Delete('messages/:id')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageResponse })
  delete(@CallerId() callerId: string, @UuidParam('id') id: string): Promise<MessageResponse> {
    return this.messages.delete(callerId, id);
  }

  @Delete('conversations/:cid/messages/:mid')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageResponse })
  deleteInConversation(
    @CallerId() callerId: string,
    @UuidParam('cid') conversationId: string,
    @UuidParam('mid') messageId: string,
  ): Promise<MessageResponse> {
    return this.messages.delete(callerId, messageId, conversationId);
  }
}
