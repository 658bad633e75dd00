import { WriteCoalescer } from './write-coalescer';

interface Item {
  key: string;
  value: number;
}

/** A writeBatch whose statements finish only when the test says so. */
class FakeDatabase {
  readonly batches: Item[][] = [];
  private readonly pending: Array<() => void> = [];
  failWhen: (item: Item) => boolean = () => false;

  writeBatch = (items: readonly Item[]): Promise<number[]> => {
    this.batches.push([...items]);
    return new Promise((resolve, reject) => {
      this.pending.push(() => {
        if (items.some((item) => this.failWhen(item))) reject(new Error('constraint violated'));
        else resolve(items.map((item) => item.value * 10));
      });
    });
  };

  get inFlight(): number {
    return this.pending.length;
  }

  /** Lets the oldest in-flight statement finish, then lets the coalescer react. */
  async finishOne(): Promise<void> {
    this.pending.shift()?.();
    await settleTurn();
  }
}

async function settleTurn(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

function coalescer(db: FakeDatabase, maxInFlight = 1, maxBatch = 100): WriteCoalescer<Item, number> {
  return new WriteCoalescer<Item, number>({
    maxBatch,
    maxInFlight,
    key: (item) => item.key,
    writeBatch: db.writeBatch,
  });
}

const item = (key: string, value: number): Item => ({ key, value });

describe('WriteCoalescer', () => {
  it('writes a lone item at once and returns its own result', async () => {
    const db = new FakeDatabase();
    const writes = coalescer(db);
    const result = writes.write(item('a', 1));
    await settleTurn();
    expect(db.batches).toEqual([[item('a', 1)]]);
    await db.finishOne();
    await expect(result).resolves.toBe(10);
  });

  it('puts items arriving in the same turn into one statement', async () => {
    const db = new FakeDatabase();
    const writes = coalescer(db);
    const results = Promise.all([
      writes.write(item('a', 1)),
      writes.write(item('b', 2)),
      writes.write(item('c', 3)),
    ]);
    await settleTurn();
    expect(db.batches).toEqual([[item('a', 1), item('b', 2), item('c', 3)]]);
    await db.finishOne();
    await expect(results).resolves.toEqual([10, 20, 30]);
  });

  it('lets items wait while a statement is in flight and sends them together after it', async () => {
    const db = new FakeDatabase();
    const writes = coalescer(db);
    const first = writes.write(item('a', 1));
    await settleTurn();
    const later = [2, 3, 4].map((value) => writes.write(item(`k${value}`, value)));
    await settleTurn();
    expect(db.batches).toHaveLength(1);
    expect(writes.queued).toBe(3);
    await db.finishOne();
    expect(db.batches[1].map((entry) => entry.value)).toEqual([2, 3, 4]);
    await db.finishOne();
    await expect(first).resolves.toBe(10);
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it('never puts two items of one key in a batch or in flight together, and keeps their order', async () => {
    const db = new FakeDatabase();
    const writes = coalescer(db, 3);
    const results = [writes.write(item('a', 1)), writes.write(item('a', 2)), writes.write(item('b', 3))];
    await settleTurn();
    expect(db.batches).toEqual([[item('a', 1), item('b', 3)]]);
    // A free slot is not used for a key that is still in flight.
    expect(db.inFlight).toBe(1);
    await db.finishOne();
    expect(db.batches[1]).toEqual([item('a', 2)]);
    await db.finishOne();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30]);
  });

  it('keeps at most maxInFlight statements and maxBatch items per statement', async () => {
    const db = new FakeDatabase();
    const writes = coalescer(db, 2, 2);
    const results = [1, 2, 3, 4, 5, 6, 7].map((value) => writes.write(item(`k${value}`, value)));
    await settleTurn();
    expect(db.batches.map((batch) => batch.length)).toEqual([2, 2]);
    expect(writes.queued).toBe(3);
    await db.finishOne();
    await db.finishOne();
    expect(db.batches.map((batch) => batch.length)).toEqual([2, 2, 2, 1]);
    await db.finishOne();
    await db.finishOne();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('retries a failed batch item by item so only the bad item fails', async () => {
    const db = new FakeDatabase();
    db.failWhen = (entry) => entry.value === 2;
    const writes = coalescer(db);
    const results = [1, 2, 3].map((value) => writes.write(item(`k${value}`, value)));
    const outcomes = Promise.allSettled(results);
    await settleTurn();
    await db.finishOne(); // the batch of three fails
    expect(db.inFlight).toBe(3);
    await db.finishOne();
    await db.finishOne();
    await db.finishOne();
    const settled = await outcomes;
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 10 });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 30 });
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('constraint violated'));
  });

  it('rejects a lone failing item with the database error and goes on with the next', async () => {
    const db = new FakeDatabase();
    db.failWhen = (entry) => entry.value === 1;
    const writes = coalescer(db);
    const failing = writes.write(item('a', 1));
    const failed = expect(failing).rejects.toThrow('constraint violated');
    await settleTurn();
    const next = writes.write(item('a', 2));
    await db.finishOne();
    await failed;
    await db.finishOne();
    await expect(next).resolves.toBe(20);
  });
});
