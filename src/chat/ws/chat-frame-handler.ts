import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { RawData } from 'ws';
import { ChatErrorCode } from '../errors/chat-error-code';
import { ChatException } from '../errors/chat.exception';
import { ChatEventBus } from '../events/chat-event-bus';
import { MessagesService } from '../messages.service';
import { ACTIVE_IDENTITY_VERIFIER } from '../identity/active-identity-verifier';
import { IdentityVerifier } from '../ports/identity-verifier.port';
import { ReadReceiptsService } from '../read-receipts.service';
import { type ChatConnection, messageFrame } from './chat-connection';
import { CLIENT_FRAME_TYPES, ChatCloseCode, type ClientFrameType } from './chat-protocol';
import {
  AuthClientFrame,
  MessageClientFrame,
  ReadClientFrame,
  SyncClientFrame,
  TypingClientFrame,
} from './client-frames';
import { FrameRateLimiter } from './frame-rate-limiter';

type RawFrame = Record<string, unknown> & { type: ClientFrameType };

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
}

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
    connection.enqueue(() => this.process(connection, data, isBinary));
  }

  private async process(connection: ChatConnection, data: RawData, isBinary: boolean): Promise<void> {
    let frame: RawFrame | null = null;
    try {
      frame = this.parse(data, isBinary);
      await this.dispatch(connection, frame);
    } catch (error) {
      this.answerError(connection, error, frame);
    }
  }

  private parse(data: RawData, isBinary: boolean): RawFrame {
    if (isBinary)
      throw new ChatException(ChatErrorCode.InvalidJson, 'Binary frames are not supported: send JSON text');
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
    return parsed as RawFrame;
  }

  private async dispatch(connection: ChatConnection, frame: RawFrame): Promise<void> {
    switch (frame.type) {
      case 'message':
        return this.onMessage(connection, await this.validated(MessageClientFrame, frame));
      case 'typing':
        return this.onTyping(connection, await this.validated(TypingClientFrame, frame));
      case 'read':
        return this.onRead(connection, await this.validated(ReadClientFrame, frame));
      case 'sync':
        connection.restartStream((await this.validated(SyncClientFrame, frame)).after_seq);
        return;
      case 'auth':
        return this.onAuth(connection, await this.validated(AuthClientFrame, frame));
      case 'ping':
        connection.send({
          type: 'pong',
          conversation_id: connection.conversationId,
          timestamp: new Date().toISOString(),
        });
        return;
    }
  }

  private async onMessage(connection: ChatConnection, frame: MessageClientFrame): Promise<void> {
    if (!(await this.rateLimiter.allow(connection.userId, 'message'))) {
      throw new ChatException(ChatErrorCode.RateLimited, 'Too many messages: slow down');
    }
    const result = await this.messages.sendAsMember(connection.membership, connection.userId, frame);
    // A new message reaches every socket (this one included) through the event fan-out;
    // a retried client_message_id is acknowledged to this socket only.
    if (!result.created) connection.send(messageFrame(result.message));
  }

  private async onTyping(connection: ChatConnection, frame: TypingClientFrame): Promise<void> {
    if (frame.is_typing && !(await this.rateLimiter.allow(connection.userId, 'typing'))) {
      throw new ChatException(ChatErrorCode.RateLimited, 'Too many typing frames: slow down');
    }
    connection.isTyping = frame.is_typing;
    this.events.publish({
      type: 'typing',
      conversationId: connection.conversationId,
      userId: connection.userId,
      isTyping: frame.is_typing,
    });
  }

  /** A typing user's socket closed: the other side must not see them typing forever. */
  stopTyping(connection: ChatConnection): void {
    connection.isTyping = false;
    this.events.publish({
      type: 'typing',
      conversationId: connection.conversationId,
      userId: connection.userId,
      isTyping: false,
    });
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

  private async validated<T extends object>(type: ClassConstructor<T>, frame: RawFrame): Promise<T> {
    const instance = plainToInstance(type, frame);
    const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false });
    if (errors.length > 0) throw ChatException.validation(describe(errors));
    return instance;
  }

  private answerError(connection: ChatConnection, error: unknown, frame: RawFrame | null): void {
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
