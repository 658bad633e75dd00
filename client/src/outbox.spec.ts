import type { MessageWire } from '../../src/chat/wire/rest-wire';
import { Outbox, type OutboxStore, type OutgoingMessage, ParleySendError } from './outbox';

function stored(clientMessageId: string, seq: number): MessageWire {
  return {
    id: `id-${seq}`,
    conversation_id: 'c',
    sender_user_id: 'me',
    seq,
    client_message_id: clientMessageId,
    message_type: 'text',
    content: 'x',
    media_url: null,
    status: 'sent',
    read_at: null,
    delivered_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    is_deleted: false,
  };
}

class MemoryStore implements OutboxStore {
  readonly data = new Map<string, string>();
  get(key: string): string | undefined {
    return this.data.get(key);
  }
  set(key: string, value: string): void {
    this.data.set(key, value);
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(Outbox.name, () => {
  it('should resolve a send with the stored message once, and track it to read', async () => {
    const states: string[] = [];
    const sut = new Outbox('k', undefined, (item) => states.push(item.state));

    const settled = sut.add({ content: 'x', client_message_id: 'a' });
    sut.acknowledge(stored('a', 1));
    sut.acknowledge(stored('a', 1));
    sut.delivered('id-1');
    sut.readUpTo(1);

    await expect(settled).resolves.toMatchObject({ seq: 1, client_message_id: 'a' });
    expect(states).toEqual(['pending', 'sent', 'delivered', 'read']);
  });

  it('should keep pending messages in send order and leave out acknowledged ones', () => {
    const sut = new Outbox('k', undefined, () => undefined);
    void sut.add({ content: '1', client_message_id: 'a' });
    void sut.add({ content: '2', client_message_id: 'b' });
    void sut.add({ content: '3', client_message_id: 'c' });

    sut.acknowledge(stored('b', 1));

    expect(sut.pending().map((item) => item.client_message_id)).toEqual(['a', 'c']);
  });

  it('should reject a refused send with the code and reason, and show it failed', async () => {
    let last: OutgoingMessage | undefined;
    const sut = new Outbox('k', undefined, (item) => (last = item));
    const settled = sut.add({ content: 'x', client_message_id: 'a' });

    sut.fail('a', 'validation_failed', 'content must not be empty');

    await expect(settled).rejects.toThrow(ParleySendError);
    await expect(settled).rejects.toMatchObject({ code: 'validation_failed', clientMessageId: 'a' });
    expect(last).toMatchObject({ state: 'failed', failure: { code: 'validation_failed' } });
    expect(sut.pending()).toEqual([]);
  });

  it('should persist unacknowledged messages and load them, ahead of new ones, in another outbox', async () => {
    const store = new MemoryStore();
    const first = new Outbox('k', store, () => undefined);
    void first.add({ content: '1', client_message_id: 'a' });
    void first.add({ content: '2', client_message_id: 'b' });
    first.acknowledge(stored('a', 1));
    await flush();

    const sut = new Outbox('k', store, () => undefined);
    void sut.add({ content: '3', client_message_id: 'c' });
    await sut.load();

    expect(sut.pending().map((item) => item.request.content)).toEqual(['2', '3']);
  });

  it('should reject waiting sends on abandon but keep them pending for later', async () => {
    const sut = new Outbox('k', undefined, () => undefined);
    const settled = sut.add({ content: 'x', client_message_id: 'a' });

    sut.abandon('closed');

    await expect(settled).rejects.toMatchObject({ code: 'connection_closed' });
    expect(sut.pending()).toHaveLength(1);
  });
});
