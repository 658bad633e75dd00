/** Everything the example host app needs; its main.ts builds this from the environment. */
export interface HostAppConfig {
  databaseUrl: string;
  /** Connections in the host's pool. Default 10. */
  poolSize?: number;
  /** PEM keys of the host's own RS256 token issuer. Parley only ever sees the public one. */
  signingKeys: { privateKey: string; publicKey: string };
  /** `iss` of the host's tokens, checked by Parley. */
  issuer: string;
}

export const HOST_APP_CONFIG = Symbol('HOST_APP_CONFIG');

/** The `aud` the host puts in tokens meant for Parley. */
export const PARLEY_AUDIENCE = 'parley';
