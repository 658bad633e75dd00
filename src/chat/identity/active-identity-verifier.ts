import type { FactoryProvider } from '@nestjs/common';
import { ChatModuleConfigurationError } from '../chat-module-configuration.error';
import { ChatSettings } from '../chat-settings';
import { IdentityVerifier } from '../ports/identity-verifier.port';
import { JwtBearerVerifier } from './jwt-bearer-verifier';

/**
 * The IdentityVerifier ChatModule actually uses. A separate token, because
 * providing IdentityVerifier inside ChatModule would hide the host's own.
 */
export const ACTIVE_IDENTITY_VERIFIER = Symbol('ACTIVE_IDENTITY_VERIFIER');

export const activeIdentityVerifierProvider: FactoryProvider<IdentityVerifier> = {
  provide: ACTIVE_IDENTITY_VERIFIER,
  inject: [ChatSettings, { token: IdentityVerifier, optional: true }],
  useFactory: (settings: ChatSettings, hostVerifier?: IdentityVerifier): IdentityVerifier => {
    if (settings.jwt && hostVerifier) {
      throw new ChatModuleConfigurationError(
        'give `jwt` or import a module that exports an IdentityVerifier, not both',
      );
    }
    if (settings.jwt) return new JwtBearerVerifier(settings.jwt);
    if (hostVerifier) return hostVerifier;
    throw new ChatModuleConfigurationError(
      'no way to verify tokens: give `jwt` ({ secret } or { publicKey }) or import a module that exports an IdentityVerifier',
    );
  },
};
