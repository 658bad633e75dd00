import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { type EnvironmentVariables, validateEnvironment } from './config/environment.schema';
import { createHttpAdapter } from './http-adapter';

// V8 allocates straight into the old generation the objects of a code site whose
// objects mostly survived a young-generation collection (allocation-site
// pretenuring). Under message load dozens of sites are pretenured, since a
// message's objects live across its database round trip; after that a typing
// frame cost this server about a third more CPU, its short-lived garbage now
// filling the old generation. Without pretenuring a message costs the same
// (bench/JOURNAL.md, sessions of 2026-12-07, evening and night). Set before the
// application exists, so that no site is decided yet.
setFlagsFromString('--no-allocation-site-pretenuring');

/** A bad or missing variable stops the process with one line naming it, before anything starts. */
function checkEnvironment(): void {
  try {
    // Same precedence as ConfigModule: real environment variables win over .env.
    if (existsSync('.env')) process.loadEnvFile('.env');
    validateEnvironment(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  checkEnvironment();
  // Loaded only now: ConfigModule validates the environment while app.module is evaluated.
  const { AppModule } = await import('./app.module.js');
  const { configureApp } = await import('./configure-app.js');
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(), {
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app);
  const port = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService).get('PORT', { infer: true });
  // Every interface, IPv4 and IPv6, as Node listens by default; Fastify alone would take only localhost.
  await app.listen(port, '::');
  console.log(`Parley listening on http://localhost:${port} (Swagger UI at /docs)`);
}

bootstrap().catch((error: unknown) => {
  // Start-up failures (a bad variable, an unreachable database) end with one clear line.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
