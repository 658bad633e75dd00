import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './utils/create-test-app';

describe('health and docs (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('GET /v1/chat/health', () => {
    it('should report healthy with the database up and websocket stats, without a token', async () => {
      const response = await t.http.get('/v1/chat/health').expect(200);

      expect(response.body).toEqual({
        status: 'healthy',
        service: 'chat',
        instance_id: expect.stringMatching(/^[\w.:-]+$/),
        database: 'up',
        redis: 'disabled',
        websocket_stats: {
          total_connections: 0,
          unique_users_online: 0,
          instance_users_online: 0,
          active_conversations: 0,
          timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
        },
        event_bus: { followed_conversations: 0, remote_events_received: 0 },
        push_outbox: { pending: 0, oldest_pending_age_seconds: null, failed_last_hour: 0 },
      });
    });

    it('should route a path whatever its letter case, as the server did on Express', async () => {
      const response = await t.http.get('/V1/Chat/Health').expect(200);

      expect(response.body).toMatchObject({ status: 'healthy', service: 'chat' });
    });

    it('should answer 404 for the path with a trailing slash', async () => {
      const response = await t.http.get('/v1/chat/health/').expect(404);

      expect(response.body).toMatchObject({
        statusCode: 404,
        message: expect.stringContaining('/v1/chat/health/'),
      });
    });
  });

  describe('GET /docs and /docs-json', () => {
    it('should serve Swagger UI as HTML', async () => {
      const response = await t.http.get('/docs').redirects(1).expect(200);

      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.text).toMatch(/swagger/i);
    });

    it('should serve an OpenAPI document listing every REST path with bearer auth', async () => {
      const response = await t.http.get('/docs-json').expect(200);
      const document = response.body as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
      };

      expect(document.openapi).toMatch(/^3\./);
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(operations).toEqual(
        expect.arrayContaining([
          'POST /v1/auth/register',
          'POST /v1/auth/login',
          'GET /v1/auth/me',
          'POST /v1/listings',
          'GET /v1/listings/{id}',
          'POST /v1/chat/conversations',
          'GET /v1/chat/conversations',
          'GET /v1/chat/conversations/{id}',
          'GET /v1/chat/conversations/{id}/messages',
          'POST /v1/chat/conversations/{id}/messages',
          'PATCH /v1/chat/conversations/{id}/read',
          'PATCH /v1/chat/conversations/{id}/archive',
          'PATCH /v1/chat/messages/{id}/read',
          'DELETE /v1/chat/messages/{id}',
          'DELETE /v1/chat/conversations/{cid}/messages/{mid}',
          'GET /v1/chat/unread-count',
          'GET /v1/chat/health',
        ]),
      );
      expect(Object.values(document.components.securitySchemes)).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'http', scheme: 'bearer' })]),
      );
    });
  });

  // Last on purpose: it closes this app's connection pool, as an unreachable database would.
  describe('GET /v1/chat/health without a database', () => {
    it('should answer 503 unhealthy with the database down', async () => {
      await t.app.get(DataSource).destroy();

      const response = await t.http.get('/v1/chat/health').expect(503);

      expect(response.body).toMatchObject({ status: 'unhealthy', service: 'chat', database: 'down' });
      expect(response.body.websocket_stats).toEqual(expect.objectContaining({ total_connections: 0 }));
    });
  });
});
