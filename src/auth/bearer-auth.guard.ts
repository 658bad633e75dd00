import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import type { ChatHttpRequest } from '../chat/http-platform';
import { extractBearerToken } from '../chat/identity/bearer-token';
import { IdentityVerifier } from '../chat/ports/identity-verifier.port';

type AuthenticatedRequest = ChatHttpRequest & { userId?: string };

/** Guards this app's own routes (auth, listings) with the same verifier the chat uses. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly identity: IdentityVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = extractBearerToken(request.headers.authorization);
    const identity = token ? await this.identity.verify(token) : null;
    if (!identity)
      throw new UnauthorizedException(token ? 'Invalid or expired token' : 'Missing bearer token');
    request.userId = identity.userId;
    return true;
  }
}

export const CurrentUserId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const userId = context.switchToHttp().getRequest<AuthenticatedRequest>().userId;
  if (!userId) throw new UnauthorizedException();
  return userId;
});
