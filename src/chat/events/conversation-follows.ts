/** How many local sockets follow each conversation: the first and the last one matter. */
export class ConversationFollows {
  private readonly counts = new Map<string, number>();

  /** Returns true for the conversation's first follower. */
  add(conversationId: string): boolean {
    const count = this.counts.get(conversationId) ?? 0;
    this.counts.set(conversationId, count + 1);
    return count === 0;
  }

  /** Returns true when that was the last follower; false for one never added. */
  remove(conversationId: string): boolean {
    const count = this.counts.get(conversationId);
    if (count === undefined) return false;
    if (count > 1) {
      this.counts.set(conversationId, count - 1);
      return false;
    }
    this.counts.delete(conversationId);
    return true;
  }

  has(conversationId: string): boolean {
    return this.counts.has(conversationId);
  }

  get size(): number {
    return this.counts.size;
  }

  ids(): string[] {
    return [...this.counts.keys()];
  }
}
