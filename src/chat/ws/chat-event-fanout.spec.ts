import type WebSocket from 'ws';
import type { ConversationMembership } from '../chat-access';
import type { Conversation } from '../entities/conversation.entity';
import type { ChatEvent } from '../events/chat-event';
import { InMemoryChatEventBus } from '../events/in-memory-chat-event-bus';
import { ChatConnection, type ConnectionServices } from './chat-connection';
import { ChatConnectionRegistry } from './chat-connection-registry';
import { ChatEventFanout } from './chat-event-fanout';

const CONVERSATION_ID = '11111111-1111-4111-8111-111111111111';
const OWNER = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const CLIENT = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  send(json: string): void {
    this.sent.push(JSON.parse(json) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = 3;
  }
}

const noServices: ConnectionServices = {
  listAfterSeq: () => Promise.resolve([]),
  markDelivered: () => Promise.resolve(),
};

function ownerSocket(registry: ChatConnectionRegistry<ChatConnection>): {
  connection: ChatConnection;
  socket: FakeSocket;
} {
  const socket = new FakeSocket();
  const conversation = { id: CONVERSATION_ID, clientUserId: CLIENT, ownerUserId: OWNER } as Conversation;
  const membership: ConversationMembership = { conversation, side: 'owner' };
  const connection = new ChatConnection(
    socket as unknown as WebSocket,
    { identity: { userId: OWNER, expiresAt: null }, membership, afterSeq: null },
    noServices,
  );
  registry.add(connection);
  return { connection, socket };
}

function clientPresence(isOnline: boolean, version: number): ChatEvent {
  return {
    type: 'presence.changed',
    userId: CLIENT,
    isOnline,
    lastSeenAt: new Date(version / 1000).toISOString(),
    version,
    conversationIds: [CONVERSATION_ID],
  };
}

describe(ChatEventFanout.name, () => {
  let registry: ChatConnectionRegistry<ChatConnection>;
  let fanout: ChatEventFanout;

  beforeEach(() => {
    registry = new ChatConnectionRegistry<ChatConnection>();
    fanout = new ChatEventFanout(new InMemoryChatEventBus(), registry);
  });

  it('should not send a socket the presence transition its connect snapshot already showed', () => {
    const { connection, socket } = ownerSocket(registry);
    // The snapshot read the transition (version 2000) from the database before it was announced.
    expect(connection.acceptsPresence(2_000)).toBe(true);

    fanout.deliver(clientPresence(true, 2_000));

    expect(socket.sent).toEqual([]);
  });

  it('should send each newer transition once to every socket, and never an older one after it', () => {
    const first = ownerSocket(registry);
    const second = ownerSocket(registry);
    second.connection.acceptsPresence(2_000);

    fanout.deliver(clientPresence(false, 3_000));
    fanout.deliver(clientPresence(true, 2_500));

    for (const { socket } of [first, second])
      expect(socket.sent.map((frame) => [frame.type, frame.is_online])).toEqual([['presence', false]]);
    // The snapshot of a socket that was already told of a newer transition is not sent.
    expect(first.connection.acceptsPresence(2_000)).toBe(false);
  });
});
