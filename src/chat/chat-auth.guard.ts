import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { extractBearerToken } from './bearer-token';
import { ChatException } from './errors/chat.exception';
import { IdentityVerifier, type VerifiedIdentity } from './ports/identity-verifier.port';

type ChatRequest = Request & { chatIdentity?: VerifiedIdentity };

/** Authenticates chat REST calls through the host's IdentityVerifier. */
@Injectable()
export class ChatAuthGuard implements CanActivate {
  constructor(private readonly identity: IdentityVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ChatRequest>();
    const token = extractBearerToken(request.headers.authorization);
    if (!token) throw ChatException.unauthorized('Missing bearer token');
    const identity = await this.identity.verify(token);
    if (!identity) throw ChatException.unauthorized('Invalid or expired token');
    request.chatIdentity = identity;
    return true;
  }
}

/** The authenticated caller's user id (routes behind ChatAuthGuard only). */
export const CallerId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const identity = context.switchToHttp().getRequest<ChatRequest>().chatIdentity;
  if (!identity) throw ChatException.unauthorized();
  return identity.userId;
});
