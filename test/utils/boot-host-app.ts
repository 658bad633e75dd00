import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { configureHostApp, type HostAppSettings } from '../../examples/host-app/src/configure-host-app';
import type { HostAppConfig } from '../../examples/host-app/src/host-app.config';
import { HostAppModule } from '../../examples/host-app/src/host-app.module';
import { createScratchDatabase } from './scratch-database';
import { testDatabaseKind } from './test-database-url';

export const HOST_ISSUER = 'https://marketplace.example';

export function rsaKeys(): HostAppConfig['signingKeys'] {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export interface HostMember {
  id: string;
  nickname: string;
  token: string;
}

export interface BootedHostApp {
  app: INestApplication;
  http: TestAgent;
  baseUrl: string;
  wsBaseUrl: string;
  signingKeys: HostAppConfig['signingKeys'];
  member(nickname: string): Promise<HostMember>;
  product(seller: HostMember, name?: string, priceCents?: number): Promise<{ id: string }>;
  close(): Promise<void>;
}

/** Boots examples/host-app on its own scratch database, on port 0, as its main.ts would. */
export async function bootHostApp(settings: HostAppSettings = {}): Promise<BootedHostApp> {
  const database = await createScratchDatabase();
  const signingKeys = rsaKeys();
  const config: HostAppConfig = {
    databaseUrl: database.url,
    poolSize: testDatabaseKind() === 'embedded' ? 1 : 5,
    signingKeys,
    issuer: HOST_ISSUER,
  };
  let app: INestApplication | undefined;
  try {
    app = configureHostApp(
      await NestFactory.create(HostAppModule.register(config), { logger: false }),
      settings,
    );
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close();
    await database.drop();
    throw error;
  }
  const server = app.getHttpServer() as Server;
  const { port } = server.address() as AddressInfo;
  const http = request(server);
  const booted: BootedHostApp = {
    app,
    http,
    baseUrl: `http://127.0.0.1:${port}`,
    wsBaseUrl: `ws://127.0.0.1:${port}`,
    signingKeys,
    async member(nickname) {
      const response = await http.post('/api/v2/members').send({ nickname }).expect(201);
      return response.body as HostMember;
    },
    async product(seller, name = 'Bike', priceCents = 1250) {
      const response = await http
        .post('/api/v2/products')
        .send({ seller_id: seller.id, name, price_cents: priceCents, currency: 'EUR' })
        .expect(201);
      return response.body as { id: string };
    },
    async close() {
      await booted.app.close();
      await database.drop();
    },
  };
  return booted;
}
