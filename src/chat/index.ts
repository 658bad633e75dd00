/**
 * Parley's public API for host applications: the module, the ports a host
 * implements, the entities and migrations its DataSource must load, and the
 * WebSocket adapter.
 */
export { ChatModule } from './chat.module';
export type { ChatModuleOptions } from './chat.module-definition';
export { ChatModuleConfigurationError } from './chat-module-configuration.error';
export {
  JwtBearerVerifier,
  type ChatJwtOptions,
  type ChatJwtAlgorithm,
} from './identity/jwt-bearer-verifier';
export { CHAT_ENTITIES, CHAT_MIGRATIONS } from './chat-entities';
export { IdentityVerifier, type VerifiedIdentity } from './ports/identity-verifier.port';
export { ListingDirectory, type ChatListing } from './ports/listing-directory.port';
export { UserDirectory, type ChatUserProfile } from './ports/user-directory.port';
export { ChatWsAdapter, CHAT_WS_PATH, type ChatWsAdapterOptions } from './ws/chat-ws.adapter';
export { ChatCloseCode } from './ws/chat-protocol';
export type * from './ws/chat-protocol';
export { ChatErrorCode } from './errors/chat-error-code';
export { MessagesService } from './messages.service';
export { ChatEventBus } from './events/chat-event-bus';
export type { ChatEvent } from './events/chat-event';
export type {
  PushSender,
  PushTarget,
  PushNotificationContent,
  PushResult,
  PushPlatform,
} from '../notifications/senders/push-sender.port';
export type { PushOptions, PushPreview } from '../notifications/push-options';
