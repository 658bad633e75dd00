import { Injectable } from '@nestjs/common';

/** What the registry needs to know of a socket; the gateway's connection object satisfies it. */
export interface RegisteredConnection {
  readonly userId: string;
  readonly conversationId: string;
}

export interface ConnectionStats {
  total_connections: number;
  unique_users_online: number;
  active_conversations: number;
  timestamp: string;
}

/** The live sockets of this instance, indexed by conversation and by user. */
@Injectable()
export class ChatConnectionRegistry<C extends RegisteredConnection = RegisteredConnection> {
  private readonly byConversation = new Map<string, Set<C>>();
  private readonly byUser = new Map<string, Set<C>>();
  private total = 0;

  /** Returns true when this is the user's first socket on this instance. */
  add(connection: C): boolean {
    addTo(this.byConversation, connection.conversationId, connection);
    const first = addTo(this.byUser, connection.userId, connection);
    this.total += 1;
    return first;
  }

  /** Returns true when that was the user's last socket on this instance; false if unknown or not last. */
  remove(connection: C): boolean {
    const known = this.byConversation.get(connection.conversationId)?.has(connection) ?? false;
    if (!known) return false;
    removeFrom(this.byConversation, connection.conversationId, connection);
    this.total -= 1;
    return removeFrom(this.byUser, connection.userId, connection);
  }

  inConversation(conversationId: string): ReadonlySet<C> {
    return this.byConversation.get(conversationId) ?? EMPTY;
  }

  ofUser(userId: string): ReadonlySet<C> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  /** Users with at least one socket here. */
  userIds(): IterableIterator<string> {
    return this.byUser.keys();
  }

  isUserConnected(userId: string): boolean {
    return this.byUser.has(userId);
  }

  all(): IterableIterator<C> {
    return allOf(this.byConversation);
  }

  stats(): ConnectionStats {
    return {
      total_connections: this.total,
      unique_users_online: this.byUser.size,
      active_conversations: this.byConversation.size,
      timestamp: new Date().toISOString(),
    };
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();

function addTo<C>(index: Map<string, Set<C>>, key: string, connection: C): boolean {
  const set = index.get(key);
  if (set) {
    set.add(connection);
    return false;
  }
  index.set(key, new Set([connection]));
  return true;
}

function removeFrom<C>(index: Map<string, Set<C>>, key: string, connection: C): boolean {
  const set = index.get(key);
  if (!set) return false;
  set.delete(connection);
  if (set.size > 0) return false;
  index.delete(key);
  return true;
}

function* allOf<C>(index: Map<string, Set<C>>): IterableIterator<C> {
  for (const set of index.values()) yield* set;
}
