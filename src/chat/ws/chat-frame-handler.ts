import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { RawData } from 'ws';
import type { SendMessageDto } from '../dto/send-message.dto';
import { ChatErrorCode } from '../errors/chat-error-code';
import { ChatException } from '../errors/chat.exception';
import { ChatEventBus } from '../events/chat-event-bus';
import { MessagesService } from '../messages.service';
import { ACTIVE_IDENTITY_VERIFIER } from '../identity/active-identity-verifier';
import { IdentityVerifier } from '../ports/identity-verifier.port';
import { ReadReceiptsService } from '../read-receipts.service';
import { readCanonicalFrame } from './canonical-client-frame';
import { type ChatConnection, messageFrame } from './chat-connection';
import { CLIENT_FRAME_TYPES, ChatCloseCode } from './chat-protocol';
import {
  AuthClientFrame,
  MessageClientFrame,
  type ParsedClientFrame,
  ReadClientFrame,
  SyncClientFrame,
} from './client-frames';
import { FrameRateLimiter } from './frame-rate-limiter';
import { readPlainTextMessage } from './message-frame';
import { readIsTyping } from './typing-frame';

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
}

const typingRateLimited = (): ChatException =>
  new ChatException(ChatErrorCode.RateLimited, 'Too many typing frames: slow down');

/** Reads the client frames of one socket, in order, and answers every bad one with an error frame. */
@Injectable()
export class ChatFrameHandler {
  private readonly logger = new Logger(ChatFrameHandler.name);

  constructor(
    private readonly messages: MessagesService,
    private readonly readReceipts: ReadReceiptsService,
    @Inject(ACTIVE_IDENTITY_VERIFIER) private readonly identity: IdentityVerifier,
    private readonly events: ChatEventBus,
    private readonly rateLimiter: FrameRateLimiter,
  ) {}

  handle(connection: ChatConnection, data: RawData, isBinary: boolean): void {
    let frame: ParsedClientFrame;
    try {
      frame = this.parse(data, isBinary);
    } catch (error) {
      connection.enqueue(() => {
        this.answerError(connection, error, null);
        return Promise.resolve();
      });
      return;
    }
    // Frames of one socket are handled in arrival order, one at a time, through its
    // queue. A frame is handled at once, skipping the queue's promises, only when the
    // queue is empty (every earlier frame of this socket is fully handled, its answer
    // sent) and its own handling is synchronous: typing counted in process, ping. It
    // then runs exactly as it would as the queue's next task, so it overtakes nothing.
    // Behind a pending frame (an auth whose token is being checked, a message being
    // stored, a typing counted in Redis) it waits its turn as before.
    try {
      if (connection.isIdle && this.handledAtOnce(connection, frame)) return;
    } catch (error) {
      // Only answering the error can land here; as in the queue, never let it reach ws.
      this.logger.error({ err: error }, 'Frame handler failed');
      return;
    }
    connection.enqueue(() => this.process(connection, frame));
  }

  private async process(connection: ChatConnection, frame: ParsedClientFrame): Promise<void> {
    try {
      await this.dispatch(connection, frame);
    } catch (error) {
      this.answerError(connection, error, frame);
    }
  }

  /** Handles a frame whose handling needs no I/O; false, having done nothing, for any other. */
  private handledAtOnce(connection: ChatConnection, frame: ParsedClientFrame): boolean {
    try {
      switch (frame.type) {
        case 'typing':
          return this.typingAtOnce(connection, readIsTyping(frame));
        case 'ping':
          this.pong(connection);
          return true;
        default:
          return false;
      }
    } catch (error) {
      this.answerError(connection, error, frame);
      return true;
    }
  }

  private parse(data: RawData, isBinary: boolean): ParsedClientFrame {
    if (isBinary)
      throw new ChatException(ChatErrorCode.InvalidJson, 'Binary frames are not supported: send JSON text');
    const canonical = Buffer.isBuffer(data) ? readCanonicalFrame(data) : null;
    if (canonical) return canonical;
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
      );
    } catch {
      throw new ChatException(ChatErrorCode.InvalidJson, 'Frame is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ChatException(ChatErrorCode.InvalidJson, 'Frame must be a JSON object with a "type"');
    }
    const type = (parsed as { type?: unknown }).type;
    if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
      throw new ChatException(
        ChatErrorCode.UnknownType,
        `Unknown frame type ${JSON.stringify(type ?? null)}; expected one of: ${CLIENT_FRAME_TYPES.join(', ')}`,
      );
    }
    return parsed as ParsedClientFrame;
  }

  private async dispatch(connection: ChatConnection, frame: ParsedClientFrame): Promise<void> {
    switch (frame.type) {
      case 'message':
        return this.onMessage(
          connection,
          readPlainTextMessage(frame) ?? (await this.validated(MessageClientFrame, frame)),
        );
      case 'typing':
        return this.onTyping(connection, readIsTyping(frame));
      case 'read':
        return this.onRead(connection, await this.validated(ReadClientFrame, frame));
      case 'sync':
        connection.restartStream((await this.validated(SyncClientFrame, frame)).after_seq);
        return;
      case 'auth':
        return this.onAuth(connection, await this.validated(AuthClientFrame, frame));
      case 'ping':
        this.pong(connection);
        return;
    }
  }

  private pong(connection: ChatConnection): void {
    connection.send({
      type: 'pong',
      conversation_id: connection.conversationId,
      timestamp: new Date().toISOString(),
    });
  }

  private async onMessage(connection: ChatConnection, frame: SendMessageDto): Promise<void> {
    if (!(await this.rateLimiter.allow(connection.userId, 'message'))) {
      throw new ChatException(ChatErrorCode.RateLimited, 'Too many messages: slow down');
    }
    const result = await this.messages.sendAsMember(connection.membership, connection.userId, frame);
    // A new message reaches every socket (this one included) through the event fan-out;
    // a retried client_message_id is acknowledged to this socket only.
    if (!result.created) connection.send(messageFrame(result.message));
  }

  private async onTyping(connection: ChatConnection, isTyping: boolean): Promise<void> {
    if (isTyping && !(await this.rateLimiter.allow(connection.userId, 'typing'))) throw typingRateLimited();
    this.publishTyping(connection, isTyping);
  }

  /** onTyping without a promise; false, having counted nothing, when the count lives in the shared store. */
  private typingAtOnce(connection: ChatConnection, isTyping: boolean): boolean {
    if (isTyping) {
      const allowed = this.rateLimiter.allowNow(connection.userId, 'typing');
      if (allowed === null) return false;
      if (!allowed) throw typingRateLimited();
    }
    this.publishTyping(connection, isTyping);
    return true;
  }

  private publishTyping(connection: ChatConnection, isTyping: boolean): void {
    connection.isTyping = isTyping;
    this.events.publish({
      type: 'typing',
      conversationId: connection.conversationId,
      userId: connection.userId,
      isTyping,
    });
  }

  /** A typing user's socket closed: the other side must not see them typing forever. */
  stopTyping(connection: ChatConnection): void {
    this.publishTyping(connection, false);
  }

  private async onRead(connection: ChatConnection, frame: ReadClientFrame): Promise<void> {
    const target = frame.message_id !== undefined ? { messageId: frame.message_id } : { seq: frame.seq ?? 0 };
    await this.readReceipts.markReadAsMember(connection.membership, connection.userId, target);
  }

  private async onAuth(connection: ChatConnection, frame: AuthClientFrame): Promise<void> {
    const identity = await this.identity.verify(frame.token);
    if (!identity || identity.userId !== connection.userId) {
      throw new ChatException(ChatErrorCode.Unauthorized, 'Token is invalid, expired or for another user');
    }
    connection.tokenExpiresAt = identity.expiresAt;
    connection.scheduleExpiry(() => connection.close(ChatCloseCode.Unauthorized, 'Token expired'));
    connection.send({
      type: 'authenticated',
      conversation_id: connection.conversationId,
      expires_at: identity.expiresAt?.toISOString() ?? null,
    });
  }

  private async validated<T extends object>(type: ClassConstructor<T>, frame: ParsedClientFrame): Promise<T> {
    const instance = plainToInstance(type, frame);
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw ChatException.validation(describe(errors));
    return instance;
  }

  private answerError(connection: ChatConnection, error: unknown, frame: ParsedClientFrame | null): void {
    const clientMessageId =
      frame?.type === 'message' && typeof frame.client_message_id === 'string'
        ? frame.client_message_id
        : undefined;
    let code: ChatErrorCode;
    let message: string;
    if (error instanceof ChatException) {
      code = error.code;
      message = error.message;
    } else {
      const correlationId = randomUUID();
      this.logger.error(
        { err: error, correlation_id: correlationId, frame_type: frame?.type },
        'Frame failed',
      );
      code = ChatErrorCode.Internal;
      message = `Internal error (correlation id ${correlationId})`;
    }
    connection.send({
      type: 'error',
      conversation_id: connection.conversationId,
      code,
      message,
      timestamp: new Date().toISOString(),
      ...(clientMessageId ? { client_message_id: clientMessageId } : {}),
    });
  }
}
