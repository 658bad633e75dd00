import { type ChildProcess, spawn } from 'node:child_process';
import { realpathSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInThisContext } from 'node:vm';
import { freePort } from './free-port';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_LIMIT = 16_384;

/**
 * Runs `redis-server <args>` and kills it with SIGKILL as soon as its stdin reaches end of file,
 * i.e. when the test process that holds the other end dies, however it dies (a Jest worker
 * force-exited with SIGTERM runs no 'exit' handlers). SIGTERM and SIGINT are passed on.
 */
const GUARDIAN = `
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
const orphaned = () => child.kill('SIGKILL');
process.stdin.on('end', orphaned).on('error', orphaned).resume();
`;

/**
 * A redis-server of the suite's own on a free 127.0.0.1 port: no persistence, nothing shared with
 * other suites or a developer's Redis. `stop()` and `start()` simulate an outage and the recovery,
 * on the same port so that clients configured with `url` reconnect to it.
 *
 * ```ts
 * const redis = await PrivateRedis.start();
 * afterAll(() => redis.close());
 * ```
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private exit: Promise<void> | undefined;
  private output = '';
  private closed = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts a new server on a free port and resolves once it answers. */
  static async start(): Promise<PrivateRedis> {
    // realpath: redis-server reports its directory resolved (macOS's /var is a symlink).
    const dir = realpathSync(await mkdtemp(join(tmpdir(), 'parley-redis-')));
    leftovers().dirs.add(dir);
    const redis = new PrivateRedis(await freePort(), dir);
    try {
      await redis.start();
    } catch (error) {
      await redis.close();
      throw error;
    }
    return redis;
  }

  /** e.g. redis://127.0.0.1:41234 */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server again (after `stop()`) on the same port; resolves once it answers. */
  async start(): Promise<void> {
    if (this.closed) throw new Error('PrivateRedis: start() after close()');
    if (this.child) throw new Error(`PrivateRedis: already running on port ${this.port}`);
    const args = [
      ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir],
      ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    ];
    const child = spawn(process.execPath, ['-e', GUARDIAN, 'redis-server', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    const { guardians } = leftovers();
    guardians.add(child);
    child.once('exit', () => guardians.delete(child));
    // A suite that forgets close() must not keep its Jest worker alive; the guardian cleans up.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answersFromDir(this.port, this.dir))) {
      if (!this.child) {
        throw new Error(`redis-server on port ${this.port} exited at start-up:\n${this.output}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server on port ${this.port} did not answer within 10 s:\n${this.output}`);
      }
      await sleep(50);
    }
  }

  /** Shuts the server down (SIGTERM, nothing saved) and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.stdin?.destroy(), STOP_TIMEOUT_MS); // the guardian SIGKILLs it
    try {
      await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterAll: stops the server for good and deletes its directory. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    leftovers().dirs.delete(this.dir);
  }
}

/**
 * Whether our server answers on `port`: an inline CONFIG GET needs no client library and logs
 * nothing, and the directory in its reply tells our server from one that took the port meanwhile.
 */
function answersFromDir(port: number, dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.once('connect', () => socket.write('CONFIG GET dir\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes(dir)) done(true);
      // An error (e.g. LOADING), or the whole two-element array without our directory.
      else if (reply.startsWith('-') || reply.split('\r\n').length > 5) done(false);
    });
  });
}

interface Leftovers {
  guardians: Set<ChildProcess>;
  dirs: Set<string>;
}

/**
 * What the worker ends when it exits, for suites that did not get to close(): one listener and one
 * record per Jest worker, shared by its test files. Jest gives every test file its own copy of
 * `process`, whose 'exit' event never fires; the worker's real one is the main context's.
 */
function leftovers(): Leftovers {
  const worker = runInThisContext('process') as NodeJS.Process;
  const slots = worker as unknown as Record<symbol, Leftovers | undefined>;
  const key = Symbol.for('parley.test.privateRedis');
  let record = slots[key];
  if (!record) {
    const created: Leftovers = { guardians: new Set(), dirs: new Set() };
    worker.on('exit', () => {
      // SIGTERM, not SIGKILL: the guardian must live to pass it on to redis-server.
      created.guardians.forEach((guardian) => guardian.kill('SIGTERM'));
      created.dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    });
    slots[key] = record = created;
  }
  return record;
}
