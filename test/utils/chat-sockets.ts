import { JwtService } from '@nestjs/jwt';
import WebSocket from 'ws';
import { TEST_JWT_SECRET } from './create-test-app';
import { type CloseEvent, WsTestClient } from './ws-test-client';

type ConnectOptions = WebSocket.ClientOptions & { protocols?: string[]; query?: Record<string, string> };

/**
 * Opens chat sockets for one suite and remembers every one of them, so
 * `closeAll()` in afterEach closes them whatever path the test took.
 */
export class ChatSockets {
  private readonly clients: WsTestClient[] = [];
  private readonly raw: WebSocket[] = [];

  constructor(private readonly wsBaseUrl: string) {}

  url(conversationId: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    return `${this.wsBaseUrl}/v1/ws/chat/${conversationId}${search ? `?${search}` : ''}`;
  }

  /** Opens `/v1/ws/chat/{conversationId}?token=…` (no token in the URL when `token` is null). */
  async connect(
    conversationId: string,
    token: string | null,
    { query = {}, ...options }: ConnectOptions = {},
  ): Promise<WsTestClient> {
    const client = await WsTestClient.connect(
      this.url(conversationId, token ? { token, ...query } : query),
      options,
    );
    this.clients.push(client);
    return client;
  }

  /** Opens a socket the server is expected to close, and resolves with how it closed it. */
  closeCodeOf(
    url: string,
    options: WebSocket.ClientOptions & { protocols?: string[] } = {},
  ): Promise<CloseEvent> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols, rest);
    this.raw.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)),
      );
      socket.once('error', () => undefined);
    });
  }

  async closeAll(): Promise<void> {
    const clients = this.clients.splice(0);
    for (const socket of this.raw.splice(0)) socket.terminate();
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** An access token signed like the app's own, with a lifetime of `expiresInSeconds` (negative: already expired). */
export function accessToken(userId: string, expiresInSeconds: number): string {
  const exp = Math.floor(Date.now() / 1000) + expiresInSeconds;
  return new JwtService({ secret: TEST_JWT_SECRET }).sign({ sub: userId, type: 'access', exp });
}
