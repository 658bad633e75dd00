import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUuid } from '../chat/uuid-format';

export interface IssuedToken {
  access_token: string;
  token_type: 'bearer';
  /** Seconds until the token expires. */
  expires_in: number;
}

export interface AccessTokenClaims {
  userId: string;
  expiresAt: Date;
}

interface AccessTokenPayload {
  sub?: unknown;
  type?: unknown;
  exp?: unknown;
  iat?: unknown;
}

/** Issues and checks this app's access tokens: HS256 only, `type: "access"`, `exp` required. */
@Injectable()
export class AccessTokenService {
  constructor(private readonly jwt: JwtService) {}

  async issue(userId: string): Promise<IssuedToken> {
    const token = await this.jwt.signAsync({ sub: userId, type: 'access' });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(token);
    return { access_token: token, token_type: 'bearer', expires_in: exp - iat };
  }

  /** Null for anything but a valid, unexpired access token of ours. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    let payload: AccessTokenPayload;
    try {
      // Pinning the algorithm refuses `alg: none` and algorithm-confusion tokens.
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (
      payload.type !== 'access' ||
      typeof payload.sub !== 'string' ||
      // Users are keyed by uuid: any other `sub` would reach PostgreSQL as an invalid uuid (a 500, not a 401).
      !isUuid(payload.sub) ||
      typeof payload.exp !== 'number'
    ) {
      return null;
    }
    return { userId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
  }
}
