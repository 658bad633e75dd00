import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ChatException } from './errors/chat.exception';

/** A path parameter that must be a UUID: anything else is a 400 naming the parameter. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({ exceptionFactory: () => ChatException.validation(`${name} must be a UUID`) }),
  );
}
