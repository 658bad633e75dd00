import { io, type Socket } from 'socket.io-client';
import { bootHostApp, type BootedHostApp } from './utils/boot-host-app';
import { ChatSockets } from './utils/chat-sockets';

/**
 * A host whose own gateways use socket.io: `ChatWsAdapter.install(app, { hostAdapter: new IoAdapter(app) })`
 * keeps them on socket.io while the chat socket speaks raw `ws` on the same port.
 */
describe('ChatModule in a host app whose gateways use socket.io (e2e)', () => {
  let host: BootedHostApp;
  let sockets: ChatSockets;
  const ioClients: Socket[] = [];

  beforeAll(async () => {
    host = await bootHostApp({ webSockets: 'socket.io' });
    sockets = new ChatSockets(host.wsBaseUrl);
  });

  afterEach(async () => {
    for (const client of ioClients.splice(0)) client.disconnect();
    await sockets.closeAll();
  });

  afterAll(async () => {
    await host?.close();
  });

  function connectTicker(transport: 'websocket' | 'polling'): Promise<Socket> {
    const client = io(host.baseUrl, { path: '/ticker', transports: [transport], reconnection: false });
    ioClients.push(client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('connect_error', reject);
    });
  }

  it.each(['websocket', 'polling'] as const)(
    "should serve the host's socket.io gateway over %s",
    async (transport) => {
      const ticker = await connectTicker(transport);
      const pong = new Promise<unknown>((resolve) => ticker.once('pong', resolve));
      ticker.emit('ping', 7);
      expect(await pong).toBe(7);
    },
  );

  it('should serve the chat socket on raw ws beside it', async () => {
    const seller = await host.member('Vic');
    const client = await host.member('Ada');
    const { id: listingId } = await host.product(seller);
    const conversation = await host.http
      .post('/v1/chat/conversations')
      .auth(client.token, { type: 'bearer' })
      .send({ listing_id: listingId })
      .expect(201);
    const conversationId = (conversation.body as { id: string }).id;

    const sellerWs = await sockets.connect(conversationId, seller.token);
    expect(await sellerWs.next('connected')).toMatchObject({
      conversation_id: conversationId,
      user_id: seller.id,
    });
    const clientWs = await sockets.connect(conversationId, client.token);
    await clientWs.next('connected');
    clientWs.send({ type: 'message', content: 'hello over ws', client_message_id: 'io-1' });
    expect((await sellerWs.next('message')).data).toMatchObject({ content: 'hello over ws' });

    expect(await sockets.closeCodeOf(sockets.url(conversationId, { token: 'forged' }))).toMatchObject({
      code: 4401,
    });
  });
});
