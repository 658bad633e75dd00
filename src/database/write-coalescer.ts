export interface WriteCoalescerOptions<Item, Result> {
  /** Most items one statement carries. */
  maxBatch: number;
  /** Most statements in flight at once; more items wait and join the next batch. */
  maxInFlight: number;
  /**
   * Items with the same key never share a batch and never overlap in flight, so
   * concurrent batches lock disjoint rows (no deadlocks between them) and one
   * key's items are written in the order they came.
   */
  key(item: Item): string;
  /** Writes the items in one statement; results in the same order as the items. */
  writeBatch(items: readonly Item[]): Promise<Result[]>;
}

interface Waiting<Item, Result> {
  item: Item;
  key: string;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit for single-row writes. Every statement and every commit costs
 * PostgreSQL far more than the row it writes, so writes that arrive while
 * earlier ones are in flight wait and then go together as one statement (one
 * parse, one commit). Under light load a write goes alone at once, after the
 * I/O events of the current turn were read; batches only grow when the
 * database is busy, which is when they pay off.
 *
 * A failed batch is retried item by item, so one bad item (a unique violation,
 * a check constraint) fails only its own caller.
 */
export class WriteCoalescer<Item, Result> {
  private waiting: Array<Waiting<Item, Result>> = [];
  private readonly busyKeys = new Set<string>();
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: WriteCoalescerOptions<Item, Result>) {}

  write(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, key: this.options.key(item), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch (not counting those in flight). */
  get queued(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // After the poll phase: frames read from many sockets in this turn join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return; // everything waiting is behind a key in flight
      this.inFlight++;
      void this.run(batch);
    }
  }

  private takeBatch(): Array<Waiting<Item, Result>> {
    const batch: Array<Waiting<Item, Result>> = [];
    const rest: Array<Waiting<Item, Result>> = [];
    for (const entry of this.waiting) {
      if (batch.length < this.options.maxBatch && !this.busyKeys.has(entry.key)) {
        this.busyKeys.add(entry.key);
        batch.push(entry);
      } else {
        rest.push(entry);
      }
    }
    this.waiting = rest;
    return batch;
  }

  private async run(batch: Array<Waiting<Item, Result>>): Promise<void> {
    try {
      await this.settle(batch);
    } finally {
      for (const entry of batch) this.busyKeys.delete(entry.key);
      this.inFlight--;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  private async settle(batch: Array<Waiting<Item, Result>>): Promise<void> {
    let results: Result[];
    try {
      results = await this.options.writeBatch(batch.map((entry) => entry.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      await Promise.all(batch.map((entry) => this.settle([entry])));
      return;
    }
    batch.forEach((entry, index) => entry.resolve(results[index]));
  }
}
