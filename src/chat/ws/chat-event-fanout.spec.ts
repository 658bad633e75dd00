import type { ChatEvent } from '../events/chat-event';
import { InMemoryChatEventBus } from '../events/in-memory-chat-event-bus';
import type { ChatConnection } from './chat-connection';
import { ChatConnectionRegistry } from './chat-connection-registry';
import { ChatEventFanout } from './chat-event-fanout';
import type { OutgoingTextFrame } from './outgoing-text-frame';

const CONVERSATION_ID = '11111111-1111-4111-8111-111111111111';
const OWNER = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const CLIENT = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** A socket of the conversation as the fan-out sees it; `presenceVersion` is what it was already sent. */
class FakeSocket {
  readonly conversationId = CONVERSATION_ID;
  readonly frames: Array<Record<string, unknown>> = [];
  constructor(
    readonly userId: string,
    private presenceVersion = -1,
  ) {}

  acceptsPresence(version: number): boolean {
    if (version <= this.presenceVersion) return false;
    this.presenceVersion = version;
    return true;
  }

  sendFrame(frame: OutgoingTextFrame): boolean {
    this.frames.push(JSON.parse(frame.json) as Record<string, unknown>);
    return true;
  }
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

  function socketOf(userId: string, alreadySent?: number): FakeSocket {
    const socket = new FakeSocket(userId, alreadySent);
    registry.add(socket as unknown as ChatConnection);
    return socket;
  }

  it('should send a presence transition only to the sockets that were not shown it yet', () => {
    // The second socket's connect snapshot read this transition from the database before it was announced.
    const [fresh, snapshotted] = [socketOf(OWNER), socketOf(OWNER, 2_000)];

    fanout.deliver(clientPresence(true, 2_000));

    expect(fresh.frames).toEqual([
      {
        type: 'presence',
        conversation_id: CONVERSATION_ID,
        user_id: CLIENT,
        is_online: true,
        last_seen_at: new Date(2).toISOString(),
      },
    ]);
    expect(snapshotted.frames).toEqual([]);
  });

  it('should not send a user their own presence', () => {
    const clientSocket = socketOf(CLIENT);

    fanout.deliver(clientPresence(true, 2_000));

    expect(clientSocket.frames).toEqual([]);
  });
});
