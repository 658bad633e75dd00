import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
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

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    let body: ChatErrorBody;
    if (exception instanceof ChatException) {
      body = { statusCode: httpStatusOf(exception.code), code: exception.code, message: exception.message };
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      body = { statusCode: status, code: codeOfStatus(status), message: messageOf(exception) };
    } else {
      const correlationId = typeof request.id === 'string' ? request.id : randomUUID();
      this.logger.error(
        { err: exception, correlation_id: correlationId },
        `Unhandled error on ${request.method} ${request.path}`,
      );
      body = {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        code: ChatErrorCode.Internal,
        message: 'Internal server error',
        correlation_id: correlationId,
      };
    }
    if (body.code === ChatErrorCode.Unauthorized) response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(body.statusCode).json(body);
  }
}
