import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ChatModuleConfigurationError } from '../chat-module-configuration.error';
import { type ChatJwtOptions, JwtBearerVerifier } from './jwt-bearer-verifier';

const SECRET = 'a-shared-hs256-secret-of-at-least-32-chars';
const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding, privateKeyEncoding });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding });
const ed25519 = generateKeyPairSync('ed25519', { publicKeyEncoding, privateKeyEncoding });
const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1', publicKeyEncoding, privateKeyEncoding });

const nowSeconds = () => Math.floor(Date.now() / 1000);
const inOneHour = () => nowSeconds() + 3600;

function signHs256(payload: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new JwtService({ secret }).signAsync(payload, { algorithm: 'HS256' });
}

function signWithPrivateKey(
  payload: Record<string, unknown>,
  privateKey: string,
  algorithm: 'RS256' | 'ES256',
) {
  return new JwtService({ privateKey }).signAsync(payload, { algorithm });
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT assembled by hand, so the test controls the header and the HMAC key exactly. */
function handMadeToken(header: Record<string, unknown>, payload: Record<string, unknown>, hmacKey?: string) {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature =
    hmacKey === undefined ? '' : createHmac('sha256', hmacKey).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function constructionError(options: ChatJwtOptions): Error {
  try {
    new JwtBearerVerifier(options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the constructor to throw');
}

describe(JwtBearerVerifier.name, () => {
  describe('verify', () => {
    it('should accept an HS256 token signed with the secret and report exp in milliseconds', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const userId = randomUUID();
      const exp = inOneHour();
      const token = await signHs256({ sub: userId, exp });

      await expect(sut.verify(token)).resolves.toEqual({ userId, expiresAt: new Date(exp * 1000) });
    });

    it('should accept an RS256 token with the algorithm inferred from an RSA public key', async () => {
      const sut = new JwtBearerVerifier({ publicKey: rsa.publicKey });
      const userId = randomUUID();
      const exp = inOneHour();
      const token = await signWithPrivateKey({ sub: userId, exp }, rsa.privateKey, 'RS256');

      await expect(sut.verify(token)).resolves.toEqual({ userId, expiresAt: new Date(exp * 1000) });
    });

    it('should accept an ES256 token with the algorithm inferred from an EC P-256 public key', async () => {
      const sut = new JwtBearerVerifier({ publicKey: ec.publicKey });
      const userId = randomUUID();
      const exp = inOneHour();
      const token = await signWithPrivateKey({ sub: userId, exp }, ec.privateKey, 'ES256');

      await expect(sut.verify(token)).resolves.toEqual({ userId, expiresAt: new Date(exp * 1000) });
    });

    it('should accept a public key given as a Buffer', async () => {
      const sut = new JwtBearerVerifier({ publicKey: Buffer.from(ec.publicKey) });
      const userId = randomUUID();
      const token = await signWithPrivateKey({ sub: userId, exp: inOneHour() }, ec.privateKey, 'ES256');

      await expect(sut.verify(token)).resolves.toMatchObject({ userId });
    });

    it('should refuse an HS256 token signed with another secret', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const token = await signHs256(
        { sub: randomUUID(), exp: inOneHour() },
        'another-secret-that-is-also-32-chars-long',
      );

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should refuse an RS256 token signed with another RSA key', async () => {
      const sut = new JwtBearerVerifier({ publicKey: rsa.publicKey });
      const token = await signWithPrivateKey(
        { sub: randomUUID(), exp: inOneHour() },
        otherRsa.privateKey,
        'RS256',
      );

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should refuse an expired token', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const token = await signHs256({ sub: randomUUID(), exp: nowSeconds() - 60 });

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should accept a recently expired token within clockToleranceSeconds', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET, clockToleranceSeconds: 120 });
      const userId = randomUUID();
      const token = await signHs256({ sub: userId, exp: nowSeconds() - 60 });

      await expect(sut.verify(token)).resolves.toMatchObject({ userId });
    });

    it('should refuse a token without exp', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const token = await signHs256({ sub: randomUUID() });

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should refuse a token whose sub is not a UUID', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const token = await signHs256({ sub: 'user-42', exp: inOneHour() });

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should refuse a token without a user id claim', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const token = await signHs256({ exp: inOneHour() });

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it('should lower-case an upper-case UUID sub', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const userId = randomUUID();
      const token = await signHs256({ sub: userId.toUpperCase(), exp: inOneHour() });

      await expect(sut.verify(token)).resolves.toMatchObject({ userId });
    });

    it('should read the user id from the configured userIdClaim', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET, userIdClaim: 'uid' });
      const userId = randomUUID();
      const token = await signHs256({ sub: 'host-user-42', uid: userId, exp: inOneHour() });

      await expect(sut.verify(token)).resolves.toMatchObject({ userId });
    });

    it('should refuse a token without the configured userIdClaim even when sub is a UUID', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET, userIdClaim: 'uid' });
      const token = await signHs256({ sub: randomUUID(), exp: inOneHour() });

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    describe('with issuer and audience', () => {
      const sut = new JwtBearerVerifier({
        secret: SECRET,
        issuer: 'https://host.example',
        audience: 'parley',
      });

      it('should accept a token with the configured iss and aud', async () => {
        const userId = randomUUID();
        const token = await signHs256({
          sub: userId,
          exp: inOneHour(),
          iss: 'https://host.example',
          aud: 'parley',
        });

        await expect(sut.verify(token)).resolves.toMatchObject({ userId });
      });

      it('should refuse a token from another issuer', async () => {
        const token = await signHs256({
          sub: randomUUID(),
          exp: inOneHour(),
          iss: 'https://evil.example',
          aud: 'parley',
        });

        await expect(sut.verify(token)).resolves.toBeNull();
      });

      it('should refuse a token for another audience', async () => {
        const token = await signHs256({
          sub: randomUUID(),
          exp: inOneHour(),
          iss: 'https://host.example',
          aud: 'billing',
        });

        await expect(sut.verify(token)).resolves.toBeNull();
      });

      it('should refuse a token without iss or aud', async () => {
        const token = await signHs256({ sub: randomUUID(), exp: inOneHour() });

        await expect(sut.verify(token)).resolves.toBeNull();
      });
    });

    it('should accept a hand-made HS256 token signed with the secret', async () => {
      // Control for the forged tokens below: the hand-made format itself is valid.
      const sut = new JwtBearerVerifier({ secret: SECRET });
      const userId = randomUUID();
      const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, { sub: userId, exp: inOneHour() }, SECRET);

      await expect(sut.verify(token)).resolves.toMatchObject({ userId });
    });

    it('should refuse an HS256 token signed with the PEM public key as secret (algorithm confusion)', async () => {
      const sut = new JwtBearerVerifier({ publicKey: rsa.publicKey });
      const token = handMadeToken(
        { alg: 'HS256', typ: 'JWT' },
        { sub: randomUUID(), exp: inOneHour() },
        rsa.publicKey,
      );

      await expect(sut.verify(token)).resolves.toBeNull();
    });

    it.each([
      ['a secret', { secret: SECRET }],
      ['an RSA public key', { publicKey: rsa.publicKey }],
    ])(
      'should refuse an unsigned alg "none" token when verifying with %s',
      async (_, options: ChatJwtOptions) => {
        const sut = new JwtBearerVerifier(options);
        const token = handMadeToken({ alg: 'none', typ: 'JWT' }, { sub: randomUUID(), exp: inOneHour() });

        await expect(sut.verify(token)).resolves.toBeNull();
      },
    );

    it('should refuse a malformed token', async () => {
      const sut = new JwtBearerVerifier({ secret: SECRET });

      await expect(sut.verify('not-a-jwt')).resolves.toBeNull();
    });
  });

  describe('configuration', () => {
    it('should accept a secret of exactly 32 characters', () => {
      expect(new JwtBearerVerifier({ secret: 'x'.repeat(32) })).toBeInstanceOf(JwtBearerVerifier);
    });

    it('should accept explicit algorithms that match the key', () => {
      expect(new JwtBearerVerifier({ publicKey: ec.publicKey, algorithms: ['ES256'] })).toBeInstanceOf(
        JwtBearerVerifier,
      );
    });

    it.each<[string, () => ChatJwtOptions, RegExp]>([
      [
        'both secret and publicKey',
        () => ({ secret: SECRET, publicKey: rsa.publicKey }),
        /secret or publicKey, not both/,
      ],
      ['neither secret nor publicKey', () => ({}), /give secret or publicKey/],
      [
        'a secret shorter than 32 characters',
        () => ({ secret: 'x'.repeat(31) }),
        /secret must be at least 32/,
      ],
      ['a publicKey that is not PEM', () => ({ publicKey: 'not a key' }), /publicKey is not a PEM/],
      [
        'HS256 with a publicKey',
        () => ({ publicKey: rsa.publicKey, algorithms: ['HS256'] }),
        /algorithms HS256 cannot/,
      ],
      [
        'ES256 with an RSA key',
        () => ({ publicKey: rsa.publicKey, algorithms: ['ES256'] }),
        /algorithms ES256 cannot/,
      ],
      [
        'RS256 with a secret',
        () => ({ secret: SECRET, algorithms: ['RS256'] }),
        /algorithms RS256 cannot .* a secret/,
      ],
      [
        'an empty algorithms list',
        () => ({ secret: SECRET, algorithms: [] }),
        /algorithms must not be empty/,
      ],
      [
        'an unsupported key type',
        () => ({ publicKey: ed25519.publicKey }),
        /publicKey type "ed25519" is not supported/,
      ],
      [
        'an EC key on a curve other than P-256',
        () => ({ publicKey: p384.publicKey }),
        /publicKey type "ec secp384r1" is not supported/,
      ],
      [
        'a private key given as publicKey',
        () => ({ publicKey: rsa.privateKey }),
        /publicKey is a private key/,
      ],
    ])('should reject %s with a ChatModuleConfigurationError', (_, options, message) => {
      const error = constructionError(options());

      expect(error).toBeInstanceOf(ChatModuleConfigurationError);
      expect(error.message).toMatch(message);
    });
  });
});
