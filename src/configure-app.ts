import { ConfigService } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { parseCommaList } from './app.module';
import { ChatWsAdapter } from './chat/ws/chat-ws.adapter';
import type { EnvironmentVariables } from './config/environment.schema';
import { serveDemo } from './demo-static';

/** Everything main.ts does to the app besides listening, so tests boot the same server. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const config = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  ChatWsAdapter.install(app);
  const origins = parseCommaList(config.get('CORS_ORIGINS', { infer: true }));
  app.enableCors({ origin: origins.length > 0 ? origins : true });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Parley')
      .setDescription(
        'Real-time chat between clients and listing owners. REST under /v1/chat; ' +
          'WebSocket at /v1/ws/chat/{conversation_id}?token=JWT.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: '/v1/auth/login', scopes: {} } } })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  serveDemo(app);
  return app;
}
