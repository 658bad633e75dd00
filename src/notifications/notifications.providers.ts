import type { Provider, Type } from '@nestjs/common';
import { ConversationMuteController } from './conversation-mute.controller';
import { ConversationMuteService } from './conversation-mute.service';
import { PushDevicesController } from './push-devices.controller';
import { PushDevicesService } from './push-devices.service';
import { PushEndpointPolicy } from './push-endpoint-policy';
import { PushOutboxRepository } from './push-outbox.repository';
import { PushOutboxWorker } from './push-outbox.worker';
import { PushSenderRegistry } from './push-sender-registry';
import { VapidKeyController } from './vapid-key.controller';

/**
 * Push notifications, part of ChatModule: the message statement writes the
 * outbox, so the feature lives beside the chat rather than in its own module.
 */
export const notificationsControllers: Type[] = [
  PushDevicesController,
  ConversationMuteController,
  VapidKeyController,
];

export const notificationsProviders: Provider[] = [
  PushEndpointPolicy,
  PushDevicesService,
  ConversationMuteService,
  PushOutboxRepository,
  PushSenderRegistry,
  PushOutboxWorker,
];
