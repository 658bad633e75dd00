import { PresenceTracker, type PresenceTransition } from './presence-tracker';

/** One instance: its own sockets are the whole truth, and nobody is left to hand users over to. */
export class InMemoryPresenceTracker extends PresenceTracker {
  private readonly online = new Set<string>();
  private readonly connectedHere = new Set<string>();
  /** User → when their grace period ends. */
  private readonly pending = new Map<string, number>();
  private lastVersion = 0;

  constructor(private readonly offlineGraceMs: number) {
    super();
  }

  connected(userId: string): Promise<PresenceTransition | null> {
    this.connectedHere.add(userId);
    this.pending.delete(userId);
    if (this.online.has(userId)) return Promise.resolve(null);
    this.online.add(userId);
    return Promise.resolve(this.transition(userId, true));
  }

  disconnected(userId: string): Promise<void> {
    this.connectedHere.delete(userId);
    if (this.online.has(userId)) this.pending.set(userId, Date.now() + this.offlineGraceMs);
    return Promise.resolve();
  }

  refresh(): Promise<PresenceTransition[]> {
    return Promise.resolve([]);
  }

  sweep(): Promise<PresenceTransition[]> {
    const now = Date.now();
    const offline: PresenceTransition[] = [];
    for (const [userId, due] of this.pending) {
      if (due > now) continue;
      this.pending.delete(userId);
      if (this.connectedHere.has(userId) || !this.online.delete(userId)) continue;
      offline.push(this.transition(userId, false));
    }
    return Promise.resolve(offline);
  }

  notOnline(userIds: readonly string[]): Promise<string[]> {
    return Promise.resolve(userIds.filter((userId) => !this.online.has(userId)));
  }

  onlineCount(): Promise<number> {
    return Promise.resolve(this.online.size);
  }

  leave(): Promise<PresenceTransition[]> {
    const offline = [...this.online].map((userId) => this.transition(userId, false));
    this.online.clear();
    this.pending.clear();
    this.connectedHere.clear();
    return Promise.resolve(offline);
  }

  nextVersion(): Promise<number> {
    return Promise.resolve(this.bump());
  }

  private transition(userId: string, isOnline: boolean): PresenceTransition {
    return { userId, isOnline, version: this.bump() };
  }

  /** Wall-clock microseconds, never repeating: comparable with versions from before a restart. */
  private bump(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }
}
