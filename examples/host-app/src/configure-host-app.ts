import { type INestApplication, ValidationPipe, VersioningType } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { ChatWsAdapter } from 'parley';

export interface HostAppSettings {
  /** What the host's own gateways speak. Parley's chat socket is raw `ws` either way. */
  webSockets?: 'ws' | 'socket.io';
}

/**
 * The host's own global settings, none of them Parley's concern: a global
 * prefix, URI versioning and a strict global ValidationPipe. Parley still
 * answers at /v1/chat and /v1/ws/chat.
 */
export function configureHostApp(app: INestApplication, settings: HostAppSettings = {}): INestApplication {
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '2' });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  if (settings.webSockets === 'socket.io') {
    // The host's gateways stay on socket.io; only the chat gateway runs on ws.
    ChatWsAdapter.install(app, { hostAdapter: new IoAdapter(app) });
  } else {
    ChatWsAdapter.install(app);
  }
  app.enableShutdownHooks();
  return app;
}
