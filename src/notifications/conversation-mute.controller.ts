import { HttpCode, Patch } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { CallerId } from '../chat/chat-auth.guard';
import { ChatBody } from '../chat/chat-request.decorators';
import { ChatRestController } from '../chat/chat-rest-controller.decorator';
import { UuidParam } from '../chat/uuid-param.decorator';
import { ConversationMuteService } from './conversation-mute.service';
import {
  ConversationNotificationsDto,
  ConversationNotificationsResponse,
} from './dto/conversation-notifications.dto';

@ChatRestController()
export class ConversationMuteController {
  constructor(private readonly mute: ConversationMuteService) {}

  @Patch('conversations/:id/notifications')
  @HttpCode(200)
  @ApiOkResponse({ type: ConversationNotificationsResponse })
  set(
    @CallerId() callerId: string,
    @UuidParam('id') id: string,
    @ChatBody() body: ConversationNotificationsDto,
  ): Promise<ConversationNotificationsResponse> {
    return this.mute.set(callerId, id, body.muted, body.muted_until);
  }
}
