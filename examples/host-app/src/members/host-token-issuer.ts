import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { HOST_APP_CONFIG, PARLEY_AUDIENCE, type HostAppConfig } from '../host-app.config';

/** The host's own login tokens: RS256, signed with a private key Parley never sees. */
@Injectable()
export class HostTokenIssuer {
  private readonly jwt: JwtService;

  constructor(@Inject(HOST_APP_CONFIG) config: HostAppConfig) {
    this.jwt = new JwtService({
      privateKey: config.signingKeys.privateKey,
      signOptions: { algorithm: 'RS256', issuer: config.issuer, audience: PARLEY_AUDIENCE, expiresIn: '15m' },
    });
  }

  issue(memberId: string): Promise<string> {
    return this.jwt.signAsync({ sub: memberId });
  }
}
