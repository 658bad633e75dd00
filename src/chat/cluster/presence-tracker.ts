/** A user became online or offline for the whole deployment, versioned so later transitions win. */
export interface PresenceTransition {
  userId: string;
  isOnline: boolean;
  /** Microseconds, increasing per user across every instance. */
  version: number;
}

/**
 * Port: who is online across every instance. A user is online while any
 * instance holds a socket of theirs; offline once their last socket closed and
 * none opened anywhere within the grace period, or once the instance holding
 * their sockets stopped heart-beating for the TTL. The tracker decides the
 * transitions; ConnectionPresence records and announces them.
 */
export abstract class PresenceTracker {
  /** The user's first socket on this instance opened. A transition when they were offline everywhere. */
  abstract connected(userId: string): Promise<PresenceTransition | null>;
  /** Their last socket on this instance closed: offline after the grace period unless one opens somewhere. */
  abstract disconnected(userId: string): Promise<void>;
  /**
   * Heartbeat, with every user holding a socket on this instance: keeps them
   * alive, and returns those it had to bring back online (after an outage).
   */
  abstract refresh(localUserIds: readonly string[]): Promise<PresenceTransition[]>;
  /** Users who went offline: grace periods that ran out, users of instances that died. */
  abstract sweep(): Promise<PresenceTransition[]>;
  /** Of these users, those no instance holds a socket of (start-up check of the database's flags). */
  abstract notOnline(userIds: readonly string[]): Promise<string[]>;
  /** Users online across the deployment. */
  abstract onlineCount(): Promise<number>;
  /**
   * Shutdown: this instance's users are handed over (offline after the grace
   * period unless they reconnect elsewhere). Returns the transitions to record
   * now when no other instance is left to do it later.
   */
  abstract leave(localUserIds: readonly string[]): Promise<PresenceTransition[]>;
  /** A fresh version for a transition decided outside the tracker (start-up clean-up). */
  abstract nextVersion(): Promise<number>;
}
