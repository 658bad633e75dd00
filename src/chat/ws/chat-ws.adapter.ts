import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server as WsServer, WebSocket } from 'ws';
import { ChatHandshakeService } from './chat-handshake.service';

/** Where the chat gateway listens; sockets open `${CHAT_WS_PATH}/{conversation_id}`. */
export const CHAT_WS_PATH = '/v1/ws/chat';

type PathedServer = WsServer & { path?: string };
export type ChatUpgradeRequest = IncomingMessage & { chatHandshake?: unknown };

/**
 * `WsAdapter` matches gateway paths exactly; the chat needs
 * `/v1/ws/chat/{conversation_id}` and must authenticate before the gateway sees
 * the socket. Failures are accepted then closed with a 44xx code, which browsers
 * can read (a refused upgrade shows them only 1006).
 *
 * Install with `app.useWebSocketAdapter(new ChatWsAdapter(app))`.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly chatLogger = new Logger(ChatWsAdapter.name);
  private readonly listeners = new Map<
    number,
    (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  >();
  private handshakeService: ChatHandshakeService | null = null;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  protected override ensureHttpServerExists(port: number, httpServer?: HttpServer): HttpServer | undefined {
    const server = super.ensureHttpServerExists(port, httpServer);
    if (!server || this.listeners.has(port)) return server;
    // Take over the base listener: ours handles exact paths the same way and adds the chat route.
    const baseListener = server.listeners('upgrade').at(-1) as (...args: unknown[]) => void;
    server.off('upgrade', baseListener);
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      this.routeUpgrade(port, request, socket, head).catch((error: unknown) => {
        this.chatLogger.error({ err: error }, 'WebSocket upgrade failed');
        socket.destroy();
      });
    };
    server.on('upgrade', listener);
    this.listeners.set(port, listener);
    return server;
  }

  /** Frames of the chat gateway are read by the gateway itself, in order, per socket. */
  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }

  override async dispose(): Promise<void> {
    for (const [port, listener] of this.listeners) {
      (this.httpServersRegistry.get(port) as HttpServer | undefined)?.off('upgrade', listener);
    }
    this.listeners.clear();
    await super.dispose();
  }

  private async routeUpgrade(
    port: number,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'ws://localhost');
    const servers = (this.wsServersRegistry.get(port) ?? []) as PathedServer[];
    const exact = servers.find((server) => server.path === url.pathname);
    if (exact && url.pathname !== CHAT_WS_PATH) {
      exact.handleUpgrade(request, socket, head, (ws) => exact.emit('connection', ws, request));
      return;
    }
    const chatServer = servers.find((server) => server.path === CHAT_WS_PATH);
    const prefix = `${CHAT_WS_PATH}/`;
    // `/v1/ws/chat` with no id is a malformed id (4400), like any other.
    if (!chatServer || (url.pathname !== CHAT_WS_PATH && !url.pathname.startsWith(prefix))) {
      socket.destroy();
      return;
    }
    const rawId = decodePathSegment(url.pathname.slice(prefix.length).replace(/\/$/, ''));
    const result = await this.handshake().authenticate(request, url, rawId);
    chatServer.handleUpgrade(request, socket, head, (ws) => {
      if (!result.ok) {
        ws.close(result.closeCode, result.reason);
        return;
      }
      (request as ChatUpgradeRequest).chatHandshake = result.handshake;
      chatServer.emit('connection', ws, request);
    });
  }

  private handshake(): ChatHandshakeService {
    const service = this.handshakeService ?? this.app.get(ChatHandshakeService, { strict: false });
    if (!service) throw new Error('ChatWsAdapter needs ChatModule in the application');
    this.handshakeService = service;
    return service;
  }
}

/** A malformed escape (`%E0%A4%A`) is left as is, so the handshake refuses it with 4400 instead of throwing. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
