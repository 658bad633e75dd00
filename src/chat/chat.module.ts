import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PresenceModule } from '../presence/presence.module';
import { ChatAccess } from './chat-access';
import { ChatAuthGuard } from './chat-auth.guard';
import { CHAT_ENTITIES } from './chat-entities';
import { ChatConfigurableModule } from './chat.module-definition';
import { ConversationRepository } from './conversation.repository';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { ChatEventBus } from './events/chat-event-bus';
import { InMemoryChatEventBus } from './events/in-memory-chat-event-bus';
import { HealthController } from './health.controller';
import { MessageRepository } from './message.repository';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { ReadReceiptsService } from './read-receipts.service';
import { ChatEventFanout } from './ws/chat-event-fanout';
import { ChatConnectionRegistry } from './ws/chat-connection-registry';
import { ChatFrameHandler } from './ws/chat-frame-handler';
import { ChatHandshakeService } from './ws/chat-handshake.service';
import { ChatGateway } from './ws/chat.gateway';
import { ConnectionPresence } from './ws/connection-presence';
import { FrameRateLimiter } from './ws/frame-rate-limiter';

/**
 * Parley's chat: REST under /v1/chat and the WebSocket at /v1/ws/chat/{id}.
 * The host supplies IdentityVerifier, ListingDirectory and UserDirectory
 * through the modules it passes in `imports`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CHAT_ENTITIES), PresenceModule, TerminusModule],
  controllers: [ConversationsController, MessagesController, HealthController],
  providers: [
    ConversationRepository,
    MessageRepository,
    ChatAccess,
    ChatAuthGuard,
    ConversationsService,
    MessagesService,
    ReadReceiptsService,
    ChatConnectionRegistry,
    ChatHandshakeService,
    ChatFrameHandler,
    ChatEventFanout,
    ConnectionPresence,
    FrameRateLimiter,
    ChatGateway,
    { provide: ChatEventBus, useClass: InMemoryChatEventBus },
  ],
  exports: [MessagesService, ReadReceiptsService, ConversationsService, ChatEventBus],
})
export class ChatModule extends ChatConfigurableModule {}
