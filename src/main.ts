import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { AppModule } from './app.module';
import type { EnvironmentVariables } from './config/environment.schema';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true, abortOnError: false });
  configureApp(app);
  const port = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService).get('PORT', { infer: true });
  await app.listen(port);
  console.log(`Parley listening on http://localhost:${port} (Swagger UI at /docs)`);
}

bootstrap().catch((error: unknown) => {
  // Start-up failures (a bad variable, an unreachable database) end with one clear line.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
