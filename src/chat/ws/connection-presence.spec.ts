import { setTimeout as sleep } from 'node:timers/promises';
import type { PresenceService } from '../../presence/presence.service';
import type { ChatSettings } from '../chat-settings';
import { PresenceTracker, type PresenceTransition } from '../cluster/presence-tracker';
import type { ConversationRepository } from '../conversation.repository';
import { InMemoryChatEventBus } from '../events/in-memory-chat-event-bus';
import type { ChatConnectionRegistry } from './chat-connection-registry';
import { ConnectionPresence } from './connection-presence';

const TTL_MS = 150; // heartbeat every 50 ms

/** Records the order of the calls ConnectionPresence makes. */
class RecordingTracker extends PresenceTracker {
  readonly calls: string[] = [];

  connected(userId: string): Promise<PresenceTransition | null> {
    this.calls.push('connected');
    return Promise.resolve({ userId, isOnline: true, version: 1 });
  }
  disconnected(): Promise<void> {
    this.calls.push('disconnected');
    return Promise.resolve();
  }
  refresh(): Promise<PresenceTransition[]> {
    this.calls.push('refresh');
    return Promise.resolve([]);
  }
  sweep(): Promise<PresenceTransition[]> {
    return Promise.resolve([]);
  }
  notOnline(): Promise<string[]> {
    return Promise.resolve([]);
  }
  onlineCount(): Promise<number> {
    return Promise.resolve(0);
  }
  leave(): Promise<PresenceTransition[]> {
    this.calls.push('leave');
    return Promise.resolve([]);
  }
  nextVersion(): Promise<number> {
    return Promise.resolve(2);
  }
}

describe('ConnectionPresence', () => {
  it('should keep heart-beating while its last reports are written at shutdown, and stop once it has left', async () => {
    const connected = new Set(['ana']);
    let finishWrite: () => void = () => undefined;
    const slowWrite = new Promise<void>((resolve) => (finishWrite = resolve));
    const tracker = new RecordingTracker();
    const presence = new ConnectionPresence(
      {
        isUserConnected: (userId: string) => connected.has(userId),
        userIds: () => connected.values(),
      } as unknown as ChatConnectionRegistry,
      {
        onlineFlagged: () => Promise.resolve([]),
        // The database write of ana's online transition takes its time.
        record: async () => {
          await slowWrite;
          return { lastSeenAt: null };
        },
      } as unknown as PresenceService,
      { idsForUser: () => Promise.resolve([]) } as unknown as ConversationRepository,
      new InMemoryChatEventBus(),
      tracker,
      { presence: { ttlMs: TTL_MS, offlineGraceMs: 1_000 } } as ChatSettings,
    );
    await presence.start();
    presence.userSocketsChanged('ana');
    await sleep(10);

    connected.clear();
    const stopping = presence.stop();
    tracker.calls.length = 0;
    await sleep(8 * (TTL_MS / 3));
    const whileWriting = [...tracker.calls];
    finishWrite();
    await stopping;
    const atLeave = tracker.calls.length;
    await sleep(3 * (TTL_MS / 3));

    // Silent for a TTL, it would look dead to the other instances.
    expect(whileWriting.filter((call) => call === 'refresh').length).toBeGreaterThanOrEqual(2);
    expect(whileWriting).not.toContain('leave');
    expect(tracker.calls.slice(atLeave - 1)).toEqual(['leave']);
  });
});
