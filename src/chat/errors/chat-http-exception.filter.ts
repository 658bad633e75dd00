import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { loggedRequestId } from '../http-platform';
import { ChatErrorCode } from './chat-error-code';
import { httpStatusOf } from './chat-error-status';
import { ChatException } from './chat.exception';

/** JSON body of every chat error response. */
export interface ChatErrorBody {
  statusCode: number;
  code: ChatErrorCode;
  message: string;
  /** Only on 500s: quote it when reporting the problem; the server log has the details. */
  correlation_id?: string;
}

function codeOfStatus(status: number): ChatErrorCode {
  if (status === 401) return ChatErrorCode.Unauthorized;
  if (status === 403) return ChatErrorCode.Forbidden;
  if (status === 404) return ChatErrorCode.NotFound;
  if (status === 409) return ChatErrorCode.Conflict;
  if (status === 429) return ChatErrorCode.RateLimited;
  if (status >= 500) return ChatErrorCode.Internal;
  return ChatErrorCode.ValidationFailed;
}

/** The URL without its query string, which may carry a token. */
function routePath(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * Maps every error thrown on the chat REST routes to one JSON shape. Applied to
 * ChatModule's own controllers only: the host app's globals stay untouched.
 */
@Catch()
export class ChatHttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ChatHttp');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    // Through the host's HTTP adapter: Express and Fastify replies differ.
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = http.getResponse();
    const request: unknown = http.getRequest();
    let body: ChatErrorBody;
    if (exception instanceof ChatException) {
      body = { statusCode: httpStatusOf(exception.code), code: exception.code, message: exception.message };
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      body = { statusCode: status, code: codeOfStatus(status), message: messageOf(exception) };
    } else {
      const correlationId = loggedRequestId(request) ?? randomUUID();
      this.logger.error(
        { err: exception, correlation_id: correlationId },
        `Unhandled error on ${adapter.getRequestMethod(request)} ${routePath(String(adapter.getRequestUrl(request)))}`,
      );
      body = {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        code: ChatErrorCode.Internal,
        message: 'Internal server error',
        correlation_id: correlationId,
      };
    }
    if (body.code === ChatErrorCode.Unauthorized) adapter.setHeader(response, 'WWW-Authenticate', 'Bearer');
    adapter.reply(response, body, body.statusCode);
  }
}
