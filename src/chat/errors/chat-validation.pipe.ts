import { ValidationPipe } from '@nestjs/common';
import { ChatException } from './chat.exception';
import { describeValidationErrors } from './validation-error-messages';

/**
 * The validation of ChatModule's own handlers: unknown fields are dropped (older
 * clients send extra ones), and failures become `validation_failed` naming the field.
 */
export function createChatValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    // The chat's body and query parameters are custom decorators (see chat-request.decorators.ts).
    validateCustomDecorators: true,
    transform: true,
    exceptionFactory: (errors) => ChatException.validation(describeValidationErrors(errors).join('; ')),
  });
}
