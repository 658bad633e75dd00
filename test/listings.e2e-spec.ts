import { randomUUID } from 'node:crypto';
import { ChatFactory } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

describe('listings (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('POST /v1/listings', () => {
    it('should create a listing owned by the caller', async () => {
      const owner = await f.user();

      const response = await t.http
        .post('/v1/listings')
        .set('Authorization', owner.auth)
        .send({ title: '  Casa en Barranco  ', price: 2500.5, currency: 'USD', owner_user_id: randomUUID() })
        .expect(201);

      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        owner_user_id: owner.id,
        title: 'Casa en Barranco',
        price: '2500.50',
        currency: 'USD',
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
    });

    it('should default to no price and PEN', async () => {
      const owner = await f.user();

      const response = await t.http
        .post('/v1/listings')
        .set('Authorization', owner.auth)
        .send({ title: 'Cuarto' })
        .expect(201);

      expect(response.body).toMatchObject({ title: 'Cuarto', price: null, currency: 'PEN' });
    });

    it.each([
      ['a missing title', { price: 10 }, 'title'],
      ['a blank title', { title: '   ' }, 'title'],
      ['a title with a NUL character', { title: 'Flat\u0000' }, 'title'],
      ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
      ['a title over 200 characters counted as code points', { title: '❤️'.repeat(101) }, 'title'],
      ['a negative price', { title: 'Flat', price: -1 }, 'price'],
      ['a price with three decimals', { title: 'Flat', price: 1.005 }, 'price'],
      ['a price too large to store', { title: 'Flat', price: 1e12 }, 'price'],
      ['a price given as text', { title: 'Flat', price: 'cheap' }, 'price'],
      ['a lowercase currency', { title: 'Flat', currency: 'pen' }, 'currency'],
      ['a currency that is not three letters', { title: 'Flat', currency: 'EURO' }, 'currency'],
    ])('should answer 400 naming the field for %s', async (_case, body, field) => {
      const owner = await f.user();

      const response = await t.http
        .post('/v1/listings')
        .set('Authorization', owner.auth)
        .send(body)
        .expect(400);

      expect(JSON.stringify(response.body.message)).toContain(field);
    });

    it('should answer 401 with WWW-Authenticate without a token', async () => {
      const response = await t.http.post('/v1/listings').send({ title: 'Flat' }).expect(401);

      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('GET /v1/listings/:id', () => {
    it('should return a listing to any authenticated user', async () => {
      const [owner, visitor] = await Promise.all([f.user(), f.user()]);
      const listing = await f.listing(owner, 'Depa en San Isidro');

      const response = await t.http
        .get(`/v1/listings/${listing.id}`)
        .set('Authorization', visitor.auth)
        .expect(200);

      expect(response.body).toEqual(listing);
    });

    it('should answer 404 for an unknown listing', async () => {
      const visitor = await f.user();

      await t.http.get(`/v1/listings/${randomUUID()}`).set('Authorization', visitor.auth).expect(404);
    });

    it('should answer 400 for a malformed id', async () => {
      const visitor = await f.user();

      await t.http.get('/v1/listings/not-a-uuid').set('Authorization', visitor.auth).expect(400);
    });
  });
});
