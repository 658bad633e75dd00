import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { IdentityVerifier, type VerifiedIdentity } from '../ports/identity-verifier.port';
import { ChatModuleConfigurationError } from '../chat-module-configuration.error';
import { isUuid } from '../uuid-format';

export type ChatJwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/**
 * ChatModule's built-in IdentityVerifier: accepts JWTs the host already issues.
 * Give `secret` (HS256) or `publicKey` (RS256/ES256, PEM), never both.
 */
export interface ChatJwtOptions {
  /** Shared secret for HS256, at least 32 characters. */
  secret?: string;
  /** PEM public key (or certificate) for RS256 or ES256. */
  publicKey?: string | Buffer;
  /** Accepted algorithms; default: HS256 with a secret, RS256 or ES256 by the key's type. */
  algorithms?: ChatJwtAlgorithm[];
  /** Required `iss`, when given. */
  issuer?: string | [string, ...string[]];
  /** Required `aud`, when given. */
  audience?: string | [string, ...string[]];
  /** The claim holding the user id (a UUID). Default `sub`. */
  userIdClaim?: string;
  /** Leeway for `exp`/`nbf` between the host's clock and ours. Default 0. */
  clockToleranceSeconds?: number;
}

const MIN_SECRET_LENGTH = 32;

function fail(message: string): never {
  throw new ChatModuleConfigurationError(`jwt: ${message}`);
}

function isPrivateKey(pem: string | Buffer): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

function readPublicKey(pem: string | Buffer): KeyObject {
  // createPublicKey() also accepts a private key; Parley must never hold the host's signing key.
  if (isPrivateKey(pem)) fail('publicKey is a private key: give the public key only');
  try {
    return createPublicKey(pem);
  } catch {
    return fail('publicKey is not a PEM public key or certificate');
  }
}

/** ES256 is P-256 only; another curve would start fine and then refuse every token. */
function keyAlgorithmOf(key: KeyObject): ChatJwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return 'ES256';
  const type = [key.asymmetricKeyType, curve].filter(Boolean).join(' ');
  return fail(`publicKey type "${type}" is not supported: use an RSA or EC P-256 key`);
}

/** The algorithms a key can verify; mixing HS256 with a public key would allow algorithm confusion. */
function algorithmsFor(options: ChatJwtOptions, key: KeyObject | null): ChatJwtAlgorithm[] {
  const keyAlgorithm = key === null ? 'HS256' : keyAlgorithmOf(key);
  const algorithms = options.algorithms ?? [keyAlgorithm];
  if (algorithms.length === 0) fail('algorithms must not be empty');
  const wrong = algorithms.filter((algorithm) => algorithm !== keyAlgorithm);
  if (wrong.length > 0) {
    fail(`algorithms ${wrong.join(', ')} cannot be verified with ${key ? 'this publicKey' : 'a secret'}`);
  }
  return algorithms;
}

/** Verifies the host's JWTs: signature with the pinned algorithms, `exp` required, optional issuer/audience. */
export class JwtBearerVerifier extends IdentityVerifier {
  private readonly jwt: JwtService;
  private readonly userIdClaim: string;

  constructor(options: ChatJwtOptions) {
    super();
    if (options.secret !== undefined && options.publicKey !== undefined)
      fail('give secret or publicKey, not both');
    if (options.secret === undefined && options.publicKey === undefined) fail('give secret or publicKey');
    if (options.secret !== undefined && options.secret.length < MIN_SECRET_LENGTH) {
      fail(`secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    const key = options.publicKey === undefined ? null : readPublicKey(options.publicKey);
    const algorithms = algorithmsFor(options, key);
    this.userIdClaim = options.userIdClaim ?? 'sub';
    this.jwt = new JwtService({
      // KeyObjects, not strings: jsonwebtoken otherwise re-parses the key on every verify
      // (for a secret, a failed createPublicKey() first), a measurable cost per request.
      ...(key ? { publicKey: key } : { secret: createSecretKey(Buffer.from(options.secret ?? '')) }),
      verifyOptions: {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 0,
      },
    });
  }

  async verify(token: string): Promise<VerifiedIdentity | null> {
    let payload: Record<string, unknown>;
    try {
      payload = await this.jwt.verifyAsync<Record<string, unknown>>(token);
    } catch {
      return null;
    }
    const userId = payload[this.userIdClaim];
    // Chat tables key users by uuid; a token without `exp` would keep a socket open forever.
    if (typeof userId !== 'string' || !isUuid(userId) || typeof payload.exp !== 'number') return null;
    return { userId: userId.toLowerCase(), expiresAt: new Date(payload.exp * 1000) };
  }
}
