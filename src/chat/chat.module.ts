import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { notificationsControllers, notificationsProviders } from '../notifications/notifications.providers';
import { PresenceModule } from '../presence/presence.module';
import { ChatAccess } from './chat-access';
import { ChatAuthGuard } from './chat-auth.guard';
import { CHAT_ENTITIES } from './chat-entities';
import { chatSettingsProvider } from './chat-settings';
import { ChatConfigurableModule } from './chat.module-definition';
import { clusterProviders } from './cluster/cluster.providers';
import { ConversationRepository } from './conversation.repository';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { ChatEventBus } from './events/chat-event-bus';
import { exemptChatRoutesFromGlobalPrefix } from './global-prefix-exemption';
import { HealthController } from './health.controller';
import { activeIdentityVerifierProvider } from './identity/active-identity-verifier';
import { MessageRepository } from './message.repository';
import { preparedStatementsProvider } from './prepared-statements.provider';
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
 * The host supplies ListingDirectory and UserDirectory (and IdentityVerifier,
 * unless it configures `jwt`) through the modules it passes in `imports`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CHAT_ENTITIES), PresenceModule, TerminusModule],
  controllers: [ConversationsController, MessagesController, HealthController, ...notificationsControllers],
  providers: [
    // First, so a configuration mistake is reported before anything depends on it.
    chatSettingsProvider,
    activeIdentityVerifierProvider,
    preparedStatementsProvider,
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
    ...clusterProviders,
    ...notificationsProviders,
  ],
  exports: [MessagesService, ReadReceiptsService, ConversationsService, ChatEventBus],
})
export class ChatModule extends ChatConfigurableModule implements NestModule {
  constructor(private readonly applicationConfig: ApplicationConfig) {
    super();
  }

  // Nest calls this after the host's main.ts set its global prefix and before it registers routes.
  configure(_consumer: MiddlewareConsumer): void {
    exemptChatRoutesFromGlobalPrefix(this.applicationConfig);
  }
}
