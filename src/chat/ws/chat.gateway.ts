import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type WebSocket from 'ws';
import { PresenceService } from '../../presence/presence.service';
import { ChatSettings } from '../chat-settings';
import { ChatEventBus } from '../events/chat-event-bus';
import { MessagesService } from '../messages.service';
import { type ChatHandshake, ChatConnection } from './chat-connection';
import { ChatConnectionRegistry } from './chat-connection-registry';
import { ChatFrameHandler } from './chat-frame-handler';
import { ChatHandshakeService, selectProtocol } from './chat-handshake.service';
import { ChatCloseCode } from './chat-protocol';
import { CHAT_WS_PATH, type ChatUpgradeRequest } from './chat-ws.adapter';
import { ConnectionPresence } from './connection-presence';

/** Frames above this size close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** How long shutdown waits for in-flight frames (sends) to commit. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * The chat WebSocket at /v1/ws/chat/{conversation_id}. The handshake (token,
 * membership) already happened in ChatWsAdapter; this class owns the socket's
 * lifetime: registration, presence, heartbeat, token expiry and shutdown.
 */
@WebSocketGateway({
  path: CHAT_WS_PATH,
  maxPayload: MAX_FRAME_BYTES,
  perMessageDeflate: false,
  handleProtocols: selectProtocol,
})
export class ChatGateway
  implements
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnApplicationBootstrap,
    BeforeApplicationShutdown,
    OnModuleDestroy
{
  private readonly logger = new Logger(ChatGateway.name);
  private readonly connections = new WeakMap<WebSocket, ChatConnection>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: ChatConnectionRegistry<ChatConnection>,
    private readonly frames: ChatFrameHandler,
    private readonly handshakes: ChatHandshakeService,
    private readonly connectionPresence: ConnectionPresence,
    private readonly presence: PresenceService,
    private readonly messages: MessagesService,
    private readonly settings: ChatSettings,
    private readonly events: ChatEventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connectionPresence.start();
    const interval = this.settings.wsHeartbeatMs;
    this.heartbeat = setInterval(() => this.beat(), interval);
    this.heartbeat.unref();
  }

  // Not async: Nest does not await it, and frames may arrive right after it returns.
  handleConnection(socket: WebSocket, request: ChatUpgradeRequest): void {
    const handshake = request.chatHandshake as ChatHandshake | undefined;
    if (!handshake) {
      socket.close(ChatCloseCode.Unauthorized, 'Not authenticated');
      return;
    }
    const connection = new ChatConnection(socket, handshake, {
      listAfterSeq: (conversationId, afterSeq, limit) =>
        this.messages.listAfterSeq(conversationId, afterSeq, limit),
      markDelivered: (conversationId, recipientId, ids) =>
        this.messages.markDelivered(conversationId, recipientId, ids),
    });
    this.connections.set(socket, connection);
    socket.on('message', (data, isBinary) => this.frames.handle(connection, data, isBinary));
    socket.on('pong', () => {
      connection.isAlive = true;
    });
    const firstOfUser = this.registry.add(connection);
    const lastSeq = handshake.membership.conversation.lastSeq;
    connection.send({
      type: 'connected',
      conversation_id: connection.conversationId,
      user_id: connection.userId,
      last_seq: lastSeq,
      server_time: new Date().toISOString(),
    });
    void this.sendPresenceSnapshot(connection);
    // Replays from after_seq, or from what the handshake saw, so nothing committed
    // between the handshake and this registration is missed. An after_seq past the
    // end is clamped: it would make every new message look already sent. The replay
    // reads the database only once events from other instances are flowing, so a
    // message committed elsewhere meanwhile arrives one way or the other.
    const startAfter = Math.min(handshake.afterSeq ?? lastSeq, lastSeq);
    void this.events.follow(connection.conversationId).finally(() => connection.startStream(startAfter));
    connection.scheduleExpiry(() => connection.close(ChatCloseCode.Unauthorized, 'Token expired'));
    if (firstOfUser) this.connectionPresence.userSocketsChanged(connection.userId);
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    this.connections.delete(socket);
    connection.dispose();
    const lastOfUser = this.registry.remove(connection);
    this.events.unfollow(connection.conversationId);
    if (connection.isTyping) this.frames.stopTyping(connection);
    if (lastOfUser) this.connectionPresence.userSocketsChanged(connection.userId);
  }

  /** SIGTERM: refuse new sockets, let in-flight sends commit, close with 1001, mark users offline. */
  async beforeApplicationShutdown(): Promise<void> {
    this.handshakes.stopAccepting();
    this.stopHeartbeat();
    const connections = [...this.registry.all()];
    await Promise.race([
      Promise.all(connections.map((connection) => connection.idle())),
      new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref()),
    ]);
    for (const connection of connections) connection.close(ChatCloseCode.GoingAway, 'Server shutting down');
    await this.connectionPresence.stop();
  }

  onModuleDestroy(): void {
    this.stopHeartbeat();
  }

  private beat(): void {
    for (const connection of this.registry.all()) {
      if (!connection.isAlive) {
        // Missed the last ping: the peer is gone. terminate() fires 'close', which updates presence.
        connection.socket.terminate();
        continue;
      }
      connection.isAlive = false;
      connection.socket.ping();
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async sendPresenceSnapshot(connection: ChatConnection): Promise<void> {
    try {
      const presence = await this.presence.find(connection.otherUserId);
      if (!connection.acceptsPresence(Number(presence?.presenceVersion ?? 0))) return;
      connection.send({
        type: 'presence',
        conversation_id: connection.conversationId,
        user_id: connection.otherUserId,
        is_online: this.registry.isUserConnected(connection.otherUserId) || (presence?.isOnline ?? false),
        last_seen_at: presence?.lastSeenAt?.toISOString() ?? null,
      });
    } catch (error) {
      this.logger.error({ err: error }, 'Could not send the presence snapshot');
    }
  }
}
