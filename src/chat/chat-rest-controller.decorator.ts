import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ChatAuthGuard } from './chat-auth.guard';
import { ChatHttpExceptionFilter } from './errors/chat-http-exception.filter';
import { createChatValidationPipe } from './errors/chat-validation.pipe';

/**
 * An authenticated controller under /v1/chat with the chat's own validation and
 * error mapping: applied per controller, so the host app's globals stay untouched.
 */
export function ChatRestController(): ClassDecorator {
  return applyDecorators(
    ApiTags('Chat'),
    ApiBearerAuth(),
    Controller('v1/chat'),
    UseGuards(ChatAuthGuard),
    UseFilters(ChatHttpExceptionFilter),
    UsePipes(createChatValidationPipe()),
  );
}
