import type WebSocket from 'ws';
import type { ConversationMembership } from '../chat-access';
import { ChatSettings } from '../chat-settings';
import type { Conversation } from '../entities/conversation.entity';
import type { ChatEvent } from '../events/chat-event';
import type { ChatEventBus } from '../events/chat-event-bus';
import type { MessagesService } from '../messages.service';
import type { IdentityVerifier, VerifiedIdentity } from '../ports/identity-verifier.port';
import type { ReadReceiptsService } from '../read-receipts.service';
import { ChatConnection } from './chat-connection';
import { ChatFrameHandler } from './chat-frame-handler';
import { FrameRateLimiter } from './frame-rate-limiter';

const CONVERSATION_ID = '11111111-1111-4111-8111-111111111111';
const ME = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const OTHER = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** What happened, in order: frames written to the socket and events published. */
type Happening = { sent: Record<string, unknown> } | { published: ChatEvent };

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function setUp(rateLimiter = new FrameRateLimiter(ChatSettings.from({ rateLimits: { typing: 2 } }), null)) {
  const log: Happening[] = [];
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send: (json: string) => log.push({ sent: JSON.parse(json) as Record<string, unknown> }),
  };
  const conversation = { id: CONVERSATION_ID, clientUserId: ME, ownerUserId: OTHER } as Conversation;
  const membership: ConversationMembership = { conversation, side: 'client' };
  const connection = new ChatConnection(
    socket as unknown as WebSocket,
    { identity: { userId: ME, expiresAt: null }, membership, afterSeq: null },
    { listAfterSeq: () => Promise.resolve([]), markDelivered: () => Promise.resolve() },
  );
  const verification = deferred<VerifiedIdentity | null>();
  const identity = { verify: () => verification.promise } as unknown as IdentityVerifier;
  const events = { publish: (event: ChatEvent) => log.push({ published: event }) } as unknown as ChatEventBus;
  const sut = new ChatFrameHandler(
    {} as MessagesService,
    {} as ReadReceiptsService,
    identity,
    events,
    rateLimiter,
  );
  const receive = (frame: unknown): void => sut.handle(connection, Buffer.from(JSON.stringify(frame)), false);
  return { sut, connection, log, receive, verification, rateLimiter };
}

const typing = (isTyping: boolean): Happening => ({
  published: { type: 'typing', conversationId: CONVERSATION_ID, userId: ME, isTyping },
});

describe(ChatFrameHandler.name, () => {
  describe('typing and ping, counted in process', () => {
    it('should publish a typing frame at once when no earlier frame is pending', () => {
      const { receive, log, connection, rateLimiter } = setUp();

      receive({ type: 'typing', is_typing: 'true' });

      expect(log).toEqual([typing(true)]);
      expect(connection.isTyping).toBe(true);
      rateLimiter.onApplicationShutdown();
    });

    it('should handle a frame spelled as JSON.stringify writes it as it handles any other spelling', () => {
      const { sut, connection, log, rateLimiter } = setUp();

      sut.handle(connection, Buffer.from('{"type":"typing","is_typing":true}'), false);
      sut.handle(connection, Buffer.from('{ "is_typing": true, "type": "typing" }'), false);
      sut.handle(connection, Buffer.from('{"type":"typing","is_typing":false}'), false);
      sut.handle(connection, Buffer.from('{"type":"ping"}'), false);
      sut.handle(connection, Buffer.from(' {"type":"ping"} '), false);

      expect(log).toEqual([
        typing(true),
        typing(true),
        typing(false),
        { sent: expect.objectContaining({ type: 'pong' }) as unknown },
        { sent: expect.objectContaining({ type: 'pong' }) as unknown },
      ]);
      rateLimiter.onApplicationShutdown();
    });

    it('should answer a typing frame without is_typing with the validation error', () => {
      const { receive, log, rateLimiter } = setUp();

      receive({ type: 'typing' });

      expect(log).toEqual([
        {
          sent: expect.objectContaining({
            type: 'error',
            code: 'validation_failed',
            message: 'is_typing must be a boolean value',
          }) as unknown,
        },
      ]);
      rateLimiter.onApplicationShutdown();
    });

    it('should refuse typing over the limit but always let is_typing false through', () => {
      const { receive, log, rateLimiter } = setUp();

      [true, true, true, false].forEach((isTyping) => receive({ type: 'typing', is_typing: isTyping }));

      expect(log).toEqual([
        typing(true),
        typing(true),
        {
          sent: expect.objectContaining({
            type: 'error',
            code: 'rate_limited',
            message: 'Too many typing frames: slow down',
          }) as unknown,
        },
        typing(false),
      ]);
      rateLimiter.onApplicationShutdown();
    });

    it('should not let typing or ping overtake an earlier frame still being handled', async () => {
      const { receive, log, connection, verification, rateLimiter } = setUp();

      receive({ type: 'auth', token: 'fresh' });
      receive({ type: 'typing', is_typing: true });
      receive({ type: 'ping' });
      await Promise.resolve();
      const whilePending = [...log];
      verification.resolve({ userId: ME, expiresAt: null });
      await connection.idle();

      expect(whilePending).toEqual([]);
      expect(log.map((entry) => ('sent' in entry ? entry.sent.type : entry.published.type))).toEqual([
        'authenticated',
        'typing',
        'pong',
      ]);
      expect(connection.isIdle).toBe(true);
      rateLimiter.onApplicationShutdown();
    });

    it('should answer bad JSON in its turn, after the frames before it', async () => {
      const { sut, receive, log, connection, verification, rateLimiter } = setUp();

      receive({ type: 'auth', token: 'fresh' });
      sut.handle(connection, Buffer.from('{not json'), false);
      verification.resolve({ userId: ME, expiresAt: null });
      await connection.idle();

      expect(log.map((entry) => ('sent' in entry ? entry.sent.type : ''))).toEqual([
        'authenticated',
        'error',
      ]);
      rateLimiter.onApplicationShutdown();
    });
  });

  describe('typing counted in the shared store (a cluster)', () => {
    it('should count and publish typing through the queue, in order', async () => {
      const answer = deferred<boolean>();
      const rateLimiter = {
        allowNow: () => null,
        allow: jest.fn(() => answer.promise),
      } as unknown as FrameRateLimiter;
      const { receive, log, connection } = setUp(rateLimiter);

      receive({ type: 'typing', is_typing: true });
      receive({ type: 'typing', is_typing: false });
      await Promise.resolve();
      const whileCounting = [...log];
      answer.resolve(true);
      await connection.idle();

      expect(whileCounting).toEqual([]);
      expect(log).toEqual([typing(true), typing(false)]);
    });
  });
});
