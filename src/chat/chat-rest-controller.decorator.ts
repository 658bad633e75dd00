import { applyDecorators, Controller, UseFilters, UseGuards, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ChatAuthGuard } from './chat-auth.guard';
import { ChatHttpExceptionFilter } from './errors/chat-http-exception.filter';

/**
 * An authenticated controller under /v1/chat with the chat's own error mapping,
 * applied per controller so the host app's globals stay untouched. Version
 * neutral: a host's URI versioning must not turn it into /v2/v1/chat. Bodies
 * and queries are validated by @ChatBody()/@ChatQuery().
 */
export function ChatRestController(): ClassDecorator {
  return applyDecorators(
    ApiTags('Chat'),
    ApiBearerAuth(),
    Controller({ path: 'v1/chat', version: VERSION_NEUTRAL }),
    UseGuards(ChatAuthGuard),
    UseFilters(ChatHttpExceptionFilter),
  );
}
