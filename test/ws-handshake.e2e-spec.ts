import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { ChatFactory, type TestConversation, type TestUser } from './factories/chat-factory';
import { accessToken, ChatSockets } from './utils/chat-sockets';
import { createTestApp, type TestApp } from './utils/create-test-app';

const ALLOWED_ORIGIN = 'http://app.parley.test';

function foreignToken(userId: string): string {
  return new JwtService({ secret: 'another-secret-0123456789-0123456789-xyz' }).sign(
    { sub: userId, type: 'access' },
    { expiresIn: 3600 },
  );
}

describe('WebSocket handshake', () => {
  let t: TestApp;
  let factory: ChatFactory;
  let sockets: ChatSockets;
  let client: TestUser;
  let conversation: TestConversation;

  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: ALLOWED_ORIGIN });
    factory = new ChatFactory(t.http);
    sockets = new ChatSockets(t.wsBaseUrl);
    ({ client, conversation } = await factory.pair());
  });

  afterEach(async () => {
    await sockets.closeAll();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should send connected and a presence snapshot of the other participant on open', async () => {
    const { client, owner, conversation } = await factory.pair();
    const first = await sockets.connect(conversation.id, client.token);

    const connected = await first.next('connected');
    expect(connected).toEqual({
      type: 'connected',
      conversation_id: conversation.id,
      user_id: client.id,
      last_seq: 0,
      server_time: expect.any(String) as string,
    });
    expect(await first.next('presence')).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: owner.id,
      is_online: false,
      last_seen_at: null,
    });

    const second = await sockets.connect(conversation.id, owner.token);
    await second.next('connected', (frame) => frame.user_id === owner.id);
    expect(await second.next('presence')).toMatchObject({ user_id: client.id, is_online: true });
  });

  it('should report the conversation last_seq in the connected frame', async () => {
    const { client: sender, conversation: busy } = await factory.pair();
    await factory.send(sender, busy.id, 'one');
    await factory.send(sender, busy.id, 'two');

    const socket = await sockets.connect(busy.id, sender.token);

    expect(await socket.next('connected')).toMatchObject({ conversation_id: busy.id, last_seq: 2 });
  });

  it('should accept the token as the subprotocol pair "bearer, <token>" and answer "bearer"', async () => {
    const socket = await sockets.connect(conversation.id, null, { protocols: ['bearer', client.token] });

    expect(socket.socket.protocol).toBe('bearer');
    expect(await socket.next('connected')).toMatchObject({ user_id: client.id });
  });

  it('should accept an allowed Origin', async () => {
    const socket = await sockets.connect(conversation.id, client.token, { origin: ALLOWED_ORIGIN });

    expect(await socket.next('connected')).toMatchObject({ user_id: client.id });
  });

  it.each([
    ['a missing token', 4401, () => sockets.url(conversation.id)],
    ['an invalid token', 4401, () => sockets.url(conversation.id, { token: 'not-a-jwt' })],
    [
      'a token signed with another secret',
      4401,
      () => sockets.url(conversation.id, { token: foreignToken(client.id) }),
    ],
    ['an expired token', 4401, () => sockets.url(conversation.id, { token: accessToken(client.id, -60) })],
    ['a conversation that does not exist', 4404, () => sockets.url(randomUUID(), { token: client.token })],
    ['a malformed conversation id', 4400, () => sockets.url('not-a-uuid', { token: client.token })],
    ['a badly escaped conversation id', 4400, () => sockets.url('%E0%A4%A', { token: client.token })],
    ['no conversation id', 4400, () => `${t.wsBaseUrl}/v1/ws/chat?token=${client.token}`],
    [
      'a malformed after_seq',
      4400,
      () => sockets.url(conversation.id, { token: client.token, after_seq: 'abc' }),
    ],
  ])('should close a socket opened with %s with %d', async (_case, code, url) => {
    expect((await sockets.closeCodeOf(url())).code).toBe(code);
  });

  it('should close a non-member with 4404, the same code as a missing conversation', async () => {
    const stranger = await factory.user('Stan');

    const closed = await sockets.closeCodeOf(sockets.url(conversation.id, { token: stranger.token }));

    expect(closed.code).toBe(4404);
  });

  it('should close a socket from a disallowed Origin with 4403', async () => {
    const closed = await sockets.closeCodeOf(sockets.url(conversation.id, { token: client.token }), {
      origin: 'http://evil.test',
    });

    expect(closed.code).toBe(4403);
  });
});
