import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatFactory, type TestUser } from './factories/chat-factory';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './utils/create-test-app';

/** A chat route that needs a Bearer token and answers 200 for any authenticated caller. */
const CHAT_ROUTE = '/v1/chat/conversations';

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe('auth (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  function newEmail(): string {
    return `auth-${randomUUID()}@example.test`;
  }

  async function expectRefused(authorization: string | undefined): Promise<void> {
    const call = t.http.get(CHAT_ROUTE);
    if (authorization !== undefined) void call.set('Authorization', authorization);
    const response = await call;
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ statusCode: 401, code: 'unauthorized' });
  }

  describe('POST /v1/auth/register', () => {
    it('should create a user and never return the password hash', async () => {
      const email = newEmail();

      const response = await t.http
        .post('/v1/auth/register')
        .send({ email, password: 'password-123', first_name: 'Ana', last_name: 'Quispe' })
        .expect(201);

      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email,
        first_name: 'Ana',
        last_name: 'Quispe',
        profile_picture_url: null,
        is_active: true,
        created_at: expect.stringMatching(/Z$/),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/hash|scrypt|password/i);
    });

    it('should answer 409 when the email is taken, whatever its case', async () => {
      const email = newEmail();
      await t.http.post('/v1/auth/register').send({ email, password: 'password-123' }).expect(201);

      const response = await t.http
        .post('/v1/auth/register')
        .send({ email: email.toUpperCase(), password: 'password-456' })
        .expect(409);

      expect(JSON.stringify(response.body)).toMatch(/email/i);
    });

    it('should answer 400 naming the field for a password shorter than 8 characters', async () => {
      const response = await t.http
        .post('/v1/auth/register')
        .send({ email: newEmail(), password: 'short12' })
        .expect(400);

      expect(JSON.stringify(response.body)).toMatch(/password/);
    });

    it.each([
      [
        'a first_name over 100 characters counted as code points',
        { first_name: '❤️'.repeat(51) },
        'first_name',
      ],
      ['a NUL character in last_name', { last_name: 'Qui\u0000spe' }, 'last_name'],
    ])('should answer 400 naming the field for %s', async (_case, extra, field) => {
      const response = await t.http
        .post('/v1/auth/register')
        .send({ email: newEmail(), password: 'password-123', ...extra })
        .expect(400);

      expect(JSON.stringify(response.body)).toContain(field);
    });

    it('should answer 400 naming the field for a malformed email', async () => {
      const response = await t.http
        .post('/v1/auth/register')
        .send({ email: 'not-an-email', password: 'password-123' })
        .expect(400);

      expect(JSON.stringify(response.body)).toMatch(/email/);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('should issue a bearer token for JSON credentials', async () => {
      const user = await f.user();

      const response = await t.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);

      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 3600,
      });
      const claims = jwt.verify<{ sub: string; type: string; exp: number }>(response.body.access_token);
      expect(claims).toMatchObject({ sub: user.id, type: 'access' });
      expect(claims.exp).toBeGreaterThan(nowInSeconds());
    });

    it('should issue a bearer token for the OAuth2 password form (username + password)', async () => {
      const user = await f.user();

      const response = await t.http
        .post('/v1/auth/login')
        .type('form')
        .send({ username: user.email, password: user.password, grant_type: 'password' })
        .expect(200);

      expect(response.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
      await t.http
        .get('/v1/auth/me')
        .set('Authorization', `Bearer ${response.body.access_token}`)
        .expect(200)
        .expect((me) => expect(me.body.id).toBe(user.id));
    });

    it('should answer 401 with the same message for an unknown email and a wrong password', async () => {
      const user = await f.user();

      const unknown = await t.http
        .post('/v1/auth/login')
        .send({ email: newEmail(), password: user.password })
        .expect(401);
      const wrong = await t.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: 'wrong-password' })
        .expect(401);

      expect(unknown.body.message).toEqual(expect.any(String));
      expect(wrong.body).toEqual(unknown.body);
    });

    it('should answer 400, not 500, for a NUL character in the email or username', async () => {
      await t.http
        .post('/v1/auth/login')
        .send({ email: 'a\u0000@example.test', password: 'password-123' })
        .expect(400);
      await t.http
        .post('/v1/auth/login')
        .type('form')
        .send({ username: 'a\u0000@example.test', password: 'password-123' })
        .expect(400);
    });

    it('should answer 400 when the password is missing', async () => {
      const response = await t.http.post('/v1/auth/login').send({ email: newEmail() }).expect(400);

      expect(JSON.stringify(response.body)).toContain('password');
    });

    it('should accept the email in another case', async () => {
      const user = await f.user();

      await t.http
        .post('/v1/auth/login')
        .send({ email: user.email.toUpperCase(), password: user.password })
        .expect(200);
    });
  });

  describe('GET /v1/auth/me', () => {
    it('should return the caller', async () => {
      const user = await f.user('Rosa');

      const response = await t.http.get('/v1/auth/me').set('Authorization', user.auth).expect(200);

      expect(response.body).toMatchObject({ id: user.id, email: user.email, first_name: 'Rosa' });
      expect(response.body).not.toHaveProperty('password_hash');
    });

    it('should answer 401 with WWW-Authenticate without a token', async () => {
      const response = await t.http.get('/v1/auth/me').expect(401);

      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('access tokens on a chat route', () => {
    let user: TestUser;

    beforeAll(async () => {
      user = await f.user();
    });

    it('should accept a valid token', async () => {
      await t.http.get(CHAT_ROUTE).set('Authorization', user.auth).expect(200);
    });

    it('should refuse a request without a token', async () => {
      await expectRefused(undefined);
    });

    it('should refuse a header that is not a Bearer token', async () => {
      await expectRefused(`Basic ${Buffer.from('a:b').toString('base64')}`);
      await expectRefused('Bearer');
    });

    it('should refuse a malformed token', async () => {
      await expectRefused('Bearer not.a.jwt');
      await expectRefused('Bearer abc');
    });

    it('should refuse an expired token', async () => {
      const token = jwt.sign({ sub: user.id, type: 'access', exp: nowInSeconds() - 60 });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse a token signed with another secret', async () => {
      const forged = new JwtService({ secret: 'some-other-secret-0123456789-0123456789' }).sign(
        { sub: user.id, type: 'access' },
        { expiresIn: '1h' },
      );

      await expectRefused(`Bearer ${forged}`);
    });

    it('should refuse an unsigned alg:none token', async () => {
      const header = base64url({ alg: 'none', typ: 'JWT' });
      const payload = base64url({ sub: user.id, type: 'access', exp: nowInSeconds() + 3600 });

      await expectRefused(`Bearer ${header}.${payload}.`);
    });

    it('should refuse a token signed with another HMAC algorithm', async () => {
      const token = jwt.sign({ sub: user.id, type: 'access' }, { algorithm: 'HS512', expiresIn: '1h' });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse a token whose type is not "access"', async () => {
      const token = jwt.sign({ sub: user.id, type: 'refresh' }, { expiresIn: '1h' });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse a token without exp', async () => {
      const token = jwt.sign({ sub: user.id, type: 'access' });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse a token for a user that does not exist', async () => {
      const token = jwt.sign({ sub: randomUUID(), type: 'access' }, { expiresIn: '1h' });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse a token whose subject is not a user id', async () => {
      const token = jwt.sign({ sub: 'not-a-uuid', type: 'access' }, { expiresIn: '1h' });

      await expectRefused(`Bearer ${token}`);
    });

    it('should refuse the token of a user who became inactive, and their login', async () => {
      const inactive = await f.user();
      await t.app
        .get(DataSource)
        .query(`UPDATE app.users SET is_active = false WHERE id = $1`, [inactive.id]);

      await expectRefused(inactive.auth);
      await t.http.get('/v1/auth/me').set('Authorization', inactive.auth).expect(401);
      const login = await t.http
        .post('/v1/auth/login')
        .send({ email: inactive.email, password: inactive.password })
        .expect(401);
      const unknown = await t.http
        .post('/v1/auth/login')
        .send({ email: newEmail(), password: 'x'.repeat(12) });
      expect(login.body).toEqual(unknown.body);
    });
  });
});
