import { createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { createChatValidationPipe } from './errors/chat-validation.pipe';
import type { ChatHttpRequest } from './http-platform';

// Custom parameter decorators rather than @Body()/@Query(): a host's global
// ValidationPipe skips custom parameters, so its settings (forbidNonWhitelisted,
// its error shape) cannot change the chat contract. Ours validates them instead.
const RequestBody = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<ChatHttpRequest>().body;
});
const RequestQuery = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  return context.switchToHttp().getRequest<ChatHttpRequest>().query;
});

function parameterType(target: object, key: string | symbol, index: number): Type {
  const types = Reflect.getMetadata('design:paramtypes', target, key) as Type[];
  return types[index];
}

function methodDescriptor(target: object, key: string | symbol): PropertyDescriptor {
  return Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
}

/** The JSON body, validated against the parameter's DTO class by the chat's own pipe. */
export function ChatBody(): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new Error('ChatBody() belongs on a handler parameter');
    RequestBody(createChatValidationPipe())(target, key, index);
    ApiBody({ type: parameterType(target, key, index) })(target, key, methodDescriptor(target, key));
  };
}

/** The query string, validated against the parameter's DTO class by the chat's own pipe. */
export function ChatQuery(): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) throw new Error('ChatQuery() belongs on a handler parameter');
    RequestQuery(createChatValidationPipe())(target, key, index);
    ApiQuery({ type: parameterType(target, key, index) })(target, key, methodDescriptor(target, key));
  };
}
