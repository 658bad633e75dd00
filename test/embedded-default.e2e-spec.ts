import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ChatFactory } from './factories/chat-factory';

/**
 * `npm start` with no DATABASE_URL: the embedded PostgreSQL under EMBEDDED_DB_DIR,
 * migrated at start-up, keeps its data across a restart.
 */
describe('embedded default database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-embedded-'));

  async function boot(): Promise<NestFastifyApplication> {
    delete process.env.DATABASE_URL;
    Object.assign(process.env, {
      EMBEDDED_DB_DIR: join(dataDir, 'pglite'),
      DB_MIGRATIONS_RUN: 'true',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      JWT_SECRET: 'embedded-test-secret-0123456789-abcdef',
    });
    const { AppModule } = await import('../src/app.module.js');
    const { configureApp } = await import('../src/configure-app.js');
    const { createHttpAdapter } = await import('../src/http-adapter.js');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = configureApp(
      moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bufferLogs: true }),
    );
    await app.listen(0, '127.0.0.1');
    return app;
  }

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should migrate an empty data directory, serve the API and keep the data across a restart', async () => {
    let app = await boot();
    const factory = new ChatFactory(request(app.getHttpServer()));
    const { client, conversation } = await factory.pair();
    const sent = await factory.send(client, conversation.id, 'Is it still available?');
    await app.close();

    app = await boot();
    try {
      const http = request(app.getHttpServer());
      const login = await http
        .post('/v1/auth/login')
        .send({ email: client.email, password: client.password })
        .expect(200);
      const token = (login.body as { access_token: string }).access_token;
      const messages = await http
        .get(`/v1/chat/conversations/${conversation.id}/messages`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(messages.body).toEqual([
        expect.objectContaining({ id: sent.id, seq: 1, content: 'Is it still available?' }),
      ]);
      await http.get('/v1/chat/health').expect(200);
    } finally {
      await app.close();
    }
  }, 120_000);
});
