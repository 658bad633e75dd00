import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ChatModuleConfigurationError } from '../chat-module-configuration.error';
import { ChatSettings } from '../chat-settings';
import { IdentityVerifier, type VerifiedIdentity } from '../ports/identity-verifier.port';
import { ACTIVE_IDENTITY_VERIFIER, activeIdentityVerifierProvider } from './active-identity-verifier';
import { JwtBearerVerifier } from './jwt-bearer-verifier';

const SECRET = 'a-shared-hs256-secret-of-at-least-32-chars';

class HostVerifier extends IdentityVerifier {
  verify(_token: string): Promise<VerifiedIdentity | null> {
    return Promise.resolve(null);
  }
}

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ChatModuleConfigurationError, nothing was thrown');
}

describe('activeIdentityVerifierProvider', () => {
  const create = (settings: ChatSettings, hostVerifier?: IdentityVerifier) =>
    activeIdentityVerifierProvider.useFactory(settings, hostVerifier) as IdentityVerifier;

  it('should provide ACTIVE_IDENTITY_VERIFIER from the settings and an optional host IdentityVerifier', () => {
    expect(activeIdentityVerifierProvider.provide).toBe(ACTIVE_IDENTITY_VERIFIER);
    expect(activeIdentityVerifierProvider.inject).toEqual([
      ChatSettings,
      { token: IdentityVerifier, optional: true },
    ]);
  });

  it('should return the host verifier when no jwt is configured', () => {
    const hostVerifier = new HostVerifier();

    const sut = create(ChatSettings.from({}), hostVerifier);

    expect(sut).toBe(hostVerifier);
  });

  it('should return a JwtBearerVerifier built from the jwt settings when there is no host verifier', async () => {
    const sut = create(ChatSettings.from({ jwt: { secret: SECRET } }));
    const userId = randomUUID();
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = await new JwtService({ secret: SECRET }).signAsync({ sub: userId, exp });

    expect(sut).toBeInstanceOf(JwtBearerVerifier);
    await expect(sut.verify(token)).resolves.toEqual({ userId, expiresAt: new Date(exp * 1000) });
  });

  it('should throw when both jwt and a host verifier are given', () => {
    const error = thrownBy(() => create(ChatSettings.from({ jwt: { secret: SECRET } }), new HostVerifier()));

    expect(error).toBeInstanceOf(ChatModuleConfigurationError);
    expect(error.message).toMatch(/not both/);
  });

  it('should throw when neither jwt nor a host verifier is given', () => {
    const error = thrownBy(() => create(ChatSettings.from({})));

    expect(error).toBeInstanceOf(ChatModuleConfigurationError);
    expect(error.message).toMatch(/no way to verify tokens/);
  });

  it('should surface an invalid jwt configuration as a ChatModuleConfigurationError', () => {
    const error = thrownBy(() => create(ChatSettings.from({ jwt: { secret: 'too-short' } })));

    expect(error).toBeInstanceOf(ChatModuleConfigurationError);
    expect(error.message).toMatch(/jwt: secret must be at least 32 characters/);
  });
});
