import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type INestApplication,
  type INestApplicationContext,
  Logger,
  type WebSocketAdapter,
} from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server as WsServer, WebSocket } from 'ws';
import { ChatHandshakeService } from './chat-handshake.service';

/** Where the chat gateway listens; sockets open `${CHAT_WS_PATH}/{conversation_id}`. */
export const CHAT_WS_PATH = '/v1/ws/chat';

type PathedServer = WsServer & { path?: string };

export interface ChatWsAdapterOptions {
  /** The adapter the host's own gateways use (e.g. `new IoAdapter(app)`); the chat gateway stays on `ws`. */
  hostAdapter?: WebSocketAdapter;
}
export type ChatUpgradeRequest = IncomingMessage & { chatHandshake?: unknown };

/**
 * `WsAdapter` matches gateway paths exactly; the chat needs
 * `/v1/ws/chat/{conversation_id}` and must authenticate before the gateway sees
 * the socket. Failures are accepted then closed with a 44xx code, which browsers
 * can read (a refused upgrade shows them only 1006).
 *
 * Install with `ChatWsAdapter.install(app)` before `app.listen()`. It is
 * platform-ws's `WsAdapter` plus the chat route, so a host's own `ws` gateways
 * keep working on it. A host whose gateways use another adapter (socket.io)
 * passes it as `hostAdapter`: every gateway but the chat's is handed to it.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly chatLogger = new Logger(ChatWsAdapter.name);
  private readonly listeners = new Map<
    number,
    (request: IncomingMessage, socket: Duplex, head: Buffer) => void
  >();
  private handshakeService: ChatHandshakeService | null = null;
  private readonly hostAdapter: WebSocketAdapter | undefined;
  // What the host adapter created or connected, so later calls about them go back to it.
  private readonly hostServers = new WeakSet<object>();
  private readonly hostClients = new WeakSet<object>();

  constructor(
    private readonly app: INestApplicationContext,
    options: ChatWsAdapterOptions = {},
  ) {
    super(app);
    this.hostAdapter = options.hostAdapter;
  }

  /** Makes a ChatWsAdapter the app's WebSocket adapter; call before `app.listen()`. */
  static install(app: INestApplication, options: ChatWsAdapterOptions = {}): ChatWsAdapter {
    const adapter = new ChatWsAdapter(app, options);
    app.useWebSocketAdapter(adapter);
    return adapter;
  }

  override create(port: number, options?: Record<string, unknown> & { path?: string }): unknown {
    if (!this.hostAdapter || options?.path === CHAT_WS_PATH) return super.create(port, options);
    const server = this.hostAdapter.create(port, options) as object;
    this.hostServers.add(server);
    return server;
  }

  override bindClientConnect(server: unknown, callback: (client: unknown, ...rest: unknown[]) => void): void {
    if (!this.hostAdapter || !this.hostServers.has(server as object)) {
      super.bindClientConnect(server, callback);
      return;
    }
    this.hostAdapter.bindClientConnect(server, (client: object, ...rest: unknown[]) => {
      this.hostClients.add(client);
      callback(client, ...rest);
    });
  }

  override bindClientDisconnect(client: unknown, callback: (...args: unknown[]) => void): void {
    if (this.hostAdapter && this.hostClients.has(client as object)) {
      this.hostAdapter.bindClientDisconnect?.(client, callback);
      return;
    }
    super.bindClientDisconnect(client, callback);
  }

  override close(server: unknown): Promise<void> {
    if (this.hostAdapter && this.hostServers.has(server as object)) {
      return Promise.resolve(this.hostAdapter.close(server));
    }
    return super.close(server);
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
    if (this.hostAdapter && this.hostClients.has(client)) {
      this.hostAdapter.bindMessageHandlers(client, handlers, transform);
      return;
    }
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }

  override async dispose(): Promise<void> {
    for (const [port, listener] of this.listeners) {
      (this.httpServersRegistry.get(port) as HttpServer | undefined)?.off('upgrade', listener);
    }
    this.listeners.clear();
    await super.dispose();
    await (this.hostAdapter as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
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
      // With a host adapter, its own upgrade listener (e.g. socket.io's) answers the other paths.
      if (!this.hostAdapter) socket.destroy();
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
