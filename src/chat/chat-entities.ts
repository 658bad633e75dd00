import { CreateChatSchema1764000001000 } from '../../migrations/1764000001000-CreateChatSchema';
import { AddPresenceVersion1766000000000 } from '../../migrations/1766000000000-AddPresenceVersion';
import { CreatePushOutbox1767000000000 } from '../../migrations/1767000000000-CreatePushOutbox';
import { HotConversationUpdates1768000000000 } from '../../migrations/1768000000000-HotConversationUpdates';
import { PushDevice } from '../notifications/push-device.entity';
import { UserPresence } from '../presence/user-presence.entity';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { PushNotification } from './entities/push-notification.entity';

/** The entities ChatModule needs registered on the host's DataSource. */
export const CHAT_ENTITIES = [Conversation, Message, UserPresence, PushNotification, PushDevice];

/** The migrations that create the `chat` schema; run them with the host's TypeORM CLI or DataSource. */
export const CHAT_MIGRATIONS = [
  CreateChatSchema1764000001000,
  AddPresenceVersion1766000000000,
  CreatePushOutbox1767000000000,
  HotConversationUpdates1768000000000,
];
