import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { testDatabaseKind, testDatabaseUrl } from './test-database-url';

export interface TestApp {
  app: NestFastifyApplication;
  /** supertest bound to the running server. */
  http: TestAgent;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** e.g. ws://127.0.0.1:41234 */
  wsBaseUrl: string;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';

/**
 * Boots the real AppModule on port 0 against the migrated test database.
 * `env` overrides configuration (e.g. a short WS_HEARTBEAT_MS) for this suite.
 * Boot once per suite file: isolation comes from fresh users per test.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  Object.assign(process.env, {
    DATABASE_URL: testDatabaseUrl(),
    DB_POOL_SIZE: testDatabaseKind() === 'embedded' ? '1' : '5',
    DB_MIGRATIONS_RUN: 'false',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Offline at once when the last socket closes; the suites about the grace period set their own.
    PRESENCE_OFFLINE_GRACE_MS: '0',
    // Suites share one database, and an outbox worker claims any due push: only the push suites run one.
    PUSH_WORKER: 'false',
    ...env,
  });
  // Imported only now: ConfigModule.forRoot() reads process.env when app.module is evaluated.
  const { AppModule } = await import('../../src/app.module.js');
  const { configureApp } = await import('../../src/configure-app.js');
  const { createHttpAdapter } = await import('../../src/http-adapter.js');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), {
    bufferLogs: true,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  return {
    app,
    http: request(server),
    baseUrl: `http://127.0.0.1:${port}`,
    wsBaseUrl: `ws://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
