import { JwtService } from '@nestjs/jwt';
import type TestAgent from 'supertest/lib/agent';
import {
  bootHostApp,
  type BootedHostApp,
  HOST_ISSUER,
  type HostMember,
  rsaKeys,
} from './utils/boot-host-app';
import { ChatSockets } from './utils/chat-sockets';
import { WsTestClient } from './utils/ws-test-client';

/**
 * The example host app (examples/host-app): its own members, RS256 tokens,
 * products, global prefix, URI versioning and strict global ValidationPipe,
 * with Parley added through ChatModule.forRootAsync.
 */
describe('ChatModule in a host app (e2e)', () => {
  let host: BootedHostApp;
  let http: TestAgent;
  let sockets: ChatSockets;
  let keys: BootedHostApp['signingKeys'];

  beforeAll(async () => {
    host = await bootHostApp();
    http = host.http;
    keys = host.signingKeys;
    sockets = new ChatSockets(host.wsBaseUrl);
  });

  afterEach(async () => {
    await sockets.closeAll();
  });

  afterAll(async () => {
    await host?.close();
  });

  const member = (nickname: string): Promise<HostMember> => host.member(nickname);
  const product = (seller: HostMember, name?: string, priceCents?: number): Promise<{ id: string }> =>
    host.product(seller, name, priceCents);

  async function conversationAbout(listingId: string, client: HostMember): Promise<{ id: string }> {
    const response = await http
      .post('/v1/chat/conversations')
      .auth(client.token, { type: 'bearer' })
      .send({ listing_id: listingId })
      .expect(201);
    return response.body as { id: string };
  }

  it('should keep the host routes under its own prefix, version and strict ValidationPipe', async () => {
    const created = await member('Ana');
    expect(created).toEqual({ id: expect.any(String) as string, nickname: 'Ana', token: expect.any(String) });
    const rejected = await http.post('/api/v2/members').send({ nickname: 'Eve', is_admin: true }).expect(400);
    expect(JSON.stringify(rejected.body)).toContain('property is_admin should not exist');
    await http.post('/members').send({ nickname: 'NoPrefix' }).expect(404);
  });

  it('should serve the chat at exactly /v1/chat, untouched by the host prefix, versioning and pipe', async () => {
    const seller = await member('Sam');
    const client = await member('Cleo');
    const { id: listingId } = await product(seller);

    // An extra field is ignored by the chat contract even though the host's global pipe forbids them.
    const created = await http
      .post('/v1/chat/conversations')
      .auth(client.token, { type: 'bearer' })
      .send({ listing_id: listingId, utm_source: 'newsletter' })
      .expect(201);
    expect(created.body).toMatchObject({
      listing_id: listingId,
      client_user_id: client.id,
      owner_user_id: seller.id,
    });

    await http.get('/api/v1/chat/conversations').auth(client.token, { type: 'bearer' }).expect(404);
    await http.get('/api/v2/v1/chat/conversations').auth(client.token, { type: 'bearer' }).expect(404);
    // The demo page belongs to the standalone server (configureApp), never to a host of ChatModule.
    await http.get('/demo/').expect(404);

    // The chat's own validation errors keep their shape.
    const invalid = await http
      .post('/v1/chat/conversations')
      .auth(client.token, { type: 'bearer' })
      .send({ listing_id: 'not-a-uuid' })
      .expect(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, code: 'validation_failed' });
  });

  it('should show the host listing and member through its ports in the conversation list', async () => {
    const seller = await member('Sol');
    const client = await member('Iris');
    const { id: listingId } = await product(seller, 'Kayak', 9900);
    const conversation = await conversationAbout(listingId, client);

    const list = await http.get('/v1/chat/conversations').auth(client.token, { type: 'bearer' }).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        id: conversation.id,
        listing_title: 'Kayak',
        listing_price: '99.00',
        listing_currency: 'EUR',
        other_user_id: seller.id,
        other_user_name: 'Sol',
      }),
    ]);
  });

  it('should run a conversation through REST and WebSocket: send, receive live, read receipt, unread count', async () => {
    const seller = await member('Omar');
    const client = await member('Lu');
    const { id: listingId } = await product(seller);
    const conversation = await conversationAbout(listingId, client);

    const sellerWs = await sockets.connect(conversation.id, seller.token);
    await sellerWs.next('connected');
    const clientWs = await sockets.connect(conversation.id, client.token);
    await clientWs.next('connected');

    const sent = await http
      .post(`/v1/chat/conversations/${conversation.id}/messages`)
      .auth(client.token, { type: 'bearer' })
      .send({ content: 'Is it still available?', client_message_id: 'host-1' })
      .expect(201);
    const live = await sellerWs.next('message');
    expect(live.data).toMatchObject({
      id: (sent.body as { id: string }).id,
      content: 'Is it still available?',
    });

    const unreadBefore = await http
      .get('/v1/chat/unread-count')
      .auth(seller.token, { type: 'bearer' })
      .expect(200);
    expect(unreadBefore.body).toMatchObject({ unread_count: 1 });

    sellerWs.send({ type: 'read', message_id: (sent.body as { id: string }).id });
    expect(await clientWs.next('read_receipt')).toMatchObject({
      conversation_id: conversation.id,
      read_by: seller.id,
      last_read_seq: 1,
    });
    const unreadAfter = await http
      .get('/v1/chat/unread-count')
      .auth(seller.token, { type: 'bearer' })
      .expect(200);
    expect(unreadAfter.body).toMatchObject({ unread_count: 0 });
  });

  it('should refuse a token signed by another key, over REST and WebSocket', async () => {
    const seller = await member('Kim');
    const client = await member('Ray');
    const { id: listingId } = await product(seller);
    const conversation = await conversationAbout(listingId, client);
    const forger = new JwtService({ privateKey: rsaKeys().privateKey });
    const forged = await forger.signAsync(
      { sub: client.id },
      { algorithm: 'RS256', issuer: HOST_ISSUER, audience: 'parley', expiresIn: '5m' },
    );

    const refused = await http.get('/v1/chat/conversations').auth(forged, { type: 'bearer' }).expect(401);
    expect(refused.body).toMatchObject({ code: 'unauthorized' });
    expect(await sockets.closeCodeOf(sockets.url(conversation.id, { token: forged }))).toMatchObject({
      code: 4401,
    });
  });

  it('should refuse tokens of the right key with the wrong issuer, audience, algorithm or no expiry', async () => {
    const client = await member('Noa');
    const signer = new JwtService({ privateKey: keys.privateKey });
    const rs256 = { algorithm: 'RS256' as const, expiresIn: '5m' as const };
    const tokens = [
      await signer.signAsync(
        { sub: client.id },
        { ...rs256, issuer: 'https://evil.example', audience: 'parley' },
      ),
      await signer.signAsync(
        { sub: client.id },
        { ...rs256, issuer: HOST_ISSUER, audience: 'another-service' },
      ),
      await signer.signAsync(
        { sub: client.id },
        { algorithm: 'RS256', issuer: HOST_ISSUER, audience: 'parley' },
      ),
      // Algorithm confusion: HS256 "signed" with the public key as the secret.
      await new JwtService({ secret: keys.publicKey }).signAsync(
        { sub: client.id },
        { algorithm: 'HS256', issuer: HOST_ISSUER, audience: 'parley', expiresIn: '5m' },
      ),
    ];
    for (const token of tokens) {
      await http.get('/v1/chat/conversations').auth(token, { type: 'bearer' }).expect(401);
    }
    await http.get('/v1/chat/conversations').auth(client.token, { type: 'bearer' }).expect(200);
  });

  it('should answer 404 for a listing the host does not know', async () => {
    const client = await member('Zoe');
    const response = await http
      .post('/v1/chat/conversations')
      .auth(client.token, { type: 'bearer' })
      .send({ listing_id: '00000000-0000-4000-8000-000000000000' })
      .expect(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });

  it("should keep the host's own raw-ws gateway working beside the chat's", async () => {
    const ticker = await WsTestClient.connect(`${host.wsBaseUrl}/ticker`);
    try {
      const pong = new Promise<unknown>((resolve) =>
        ticker.socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
      );
      ticker.send({ event: 'ping', data: 42 });
      expect(await pong).toEqual({ event: 'pong', data: 42 });
    } finally {
      await ticker.close();
    }
  });
});
