import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { EnvironmentVariables } from '../config/environment.schema';
import { requestIdFor } from './request-id';

/** Query parameters that may carry secrets; their values never reach the logs. */
const SECRET_QUERY_PARAMS = /([?&](?:token|access_token)=)[^&]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY_PARAMS, '$1[Redacted]');
}

/** Structured JSON logs with a request id per request; no tokens, no message bodies. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => ({
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          // On Fastify the request already has its id (createHttpAdapter): pino-http keeps it.
          genReqId: requestIdFor,
          redact: [
            'req.headers.authorization',
            'req.headers.cookie',
            'req.headers["sec-websocket-protocol"]',
          ],
          serializers: {
            req: (request: { id: unknown; method: string; url: string }) => ({
              id: request.id,
              method: request.method,
              url: redactUrl(request.url),
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
