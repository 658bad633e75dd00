import { Injectable } from '@nestjs/common';
import { IdentityVerifier, type VerifiedIdentity } from '../chat/ports/identity-verifier.port';
import { AccessTokenService } from './access-token.service';
import { UsersService } from './users.service';

/** This app's IdentityVerifier: our own access tokens, for users that exist and are active. */
@Injectable()
export class JwtIdentityVerifier extends IdentityVerifier {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly users: UsersService,
  ) {
    super();
  }

  async verify(token: string): Promise<VerifiedIdentity | null> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    if (!(await this.users.isActive(claims.userId))) return null;
    return { userId: claims.userId, expiresAt: claims.expiresAt };
  }
}
