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
    const user = await this.users.findById(claims.userId);
    if (!user?.isActive) return null;
    return { userId: user.id, expiresAt: claims.expiresAt };
  }
}
