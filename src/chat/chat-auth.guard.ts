import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import type { ChatHttpRequest } from './http-platform';
import { extractBearerToken } from './identity/bearer-token';
import { ChatException } from './errors/chat.exception';
import { ACTIVE_IDENTITY_VERIFIER } from './identity/active-identity-verifier';
import { VerifiedIdentityCache } from './identity/verified-identity-cache';
import { IdentityVerifier, type VerifiedIdentity } from './ports/identity-verifier.port';

type ChatRequest = ChatHttpRequest & { chatIdentity?: VerifiedIdentity };

/** Authenticates chat REST calls through the active IdentityVerifier (the host's, or the built-in JWT one). */
@Injectable()
export class ChatAuthGuard implements CanActivate {
  // A client paging through history sends the same token many times a second;
  // see VerifiedIdentityCache for why trusting it for two seconds is safe.
  private readonly recent = new VerifiedIdentityCache({ ttlMs: 2_000, maxEntries: 10_000 });

  constructor(@Inject(ACTIVE_IDENTITY_VERIFIER) private readonly identity: IdentityVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ChatRequest>();
    const token = extractBearerToken(request.headers.authorization);
    if (!token) throw ChatException.unauthorized('Missing bearer token');
    const identity = this.recent.get(token) ?? (await this.verified(token));
    if (!identity) throw ChatException.unauthorized('Invalid or expired token');
    request.chatIdentity = identity;
    return true;
  }

  /** Asks the verifier; only its answer (never a cache hit) restarts the trust period. */
  private async verified(token: string): Promise<VerifiedIdentity | null> {
    const identity = await this.identity.verify(token);
    if (identity) this.recent.remember(token, identity);
    return identity;
  }
}

/** The authenticated caller's user id (routes behind ChatAuthGuard only). */
export const CallerId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const identity = context.switchToHttp().getRequest<ChatRequest>().chatIdentity;
  if (!identity) throw ChatException.unauthorized();
  return identity.userId;
});
