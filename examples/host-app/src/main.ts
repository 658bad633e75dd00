import { generateKeyPairSync } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { configureHostApp } from './configure-host-app';
import { HostAppModule } from './host-app.module';
import type { HostAppConfig } from './host-app.config';

/** A throwaway key pair unless the environment gives one: fine for trying the example, not for production. */
function signingKeys(): HostAppConfig['signingKeys'] {
  const { HOST_JWT_PRIVATE_KEY: privateKey, HOST_JWT_PUBLIC_KEY: publicKey } = process.env;
  if (privateKey && publicKey) return { privateKey, publicKey };
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

async function bootstrap(): Promise<void> {
  const config: HostAppConfig = {
    databaseUrl: process.env.HOST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/parley_host_example',
    signingKeys: signingKeys(),
    issuer: 'https://marketplace.example',
  };
  const webSockets = process.env.HOST_WEBSOCKETS === 'socket.io' ? 'socket.io' : 'ws';
  const app = configureHostApp(await NestFactory.create(HostAppModule.register(config)), { webSockets });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  console.log(`Host app on http://localhost:${port}: its API under /api/v2, Parley under /v1/chat`);
}

void bootstrap();
