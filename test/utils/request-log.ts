/**
 * What a fake provider received, in arrival order, and a way to await more of it
 * without sleeping: waiters are woken by every new entry.
 */
export class RequestLog<T> {
  private readonly entries: T[] = [];
  private readonly listeners = new Set<() => void>();

  record(entry: T): void {
    this.entries.push(entry);
    for (const listener of [...this.listeners]) listener();
  }

  /** A copy; with `filter`, only the matching entries. */
  all(filter: (entry: T) => boolean = () => true): T[] {
    return this.entries.filter(filter);
  }

  /**
   * Resolves with the matching entries once there are at least `count` of them; rejects after
   * `timeoutMs` naming `what` and how many came.
   */
  waitFor(filter: (entry: T) => boolean, count: number, what: string, timeoutMs = 10_000): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const matching = this.all(filter);
        if (matching.length < count) return false;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(matching);
        return true;
      };
      const listener = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        const got = this.all(filter).length;
        reject(new Error(`expected ${count} ${what} within ${timeoutMs} ms, got ${got}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(listener);
    });
  }
}
