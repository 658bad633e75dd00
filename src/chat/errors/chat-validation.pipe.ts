import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChatException } from './chat.exception';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) =>
      text.startsWith(error.property) ? text.replace(error.property, path) : `${path}: ${text}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
  });
}

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
    exceptionFactory: (errors) => ChatException.validation(describe(errors).join('; ')),
  });
}
