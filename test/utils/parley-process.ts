import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runInThisContext } from 'node:vm';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { TEST_JWT_SECRET } from './create-test-app';
import { freePort } from './free-port';
import { testDatabaseKind, testDatabaseUrl } from './test-database-url';

const REPO_ROOT = resolve(__dirname, '../..');
/** Gitignored; inside the repository so that the compiled server resolves node_modules. */
const BUILD_ROOT = join(REPO_ROOT, '.test-build');
const BUILD_COMPLETE = '.complete';
const WATCHDOG = 'exit-with-parent.cjs';
/**
 * Preloaded into every ParleyProcess: the test process holds the other end of our stdin, so end of
 * file means it is gone, however it went (a Jest worker force-exited with SIGTERM runs no 'exit'
 * handlers). The unref keeps stdin from holding the server open after a normal shutdown.
 */
const WATCHDOG_SOURCE = `const orphaned = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', orphaned).on('error', orphaned).resume();
process.stdin.unref?.();
`;

const HEALTH_PATH = '/v1/chat/health';
const READY_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;
const OUTPUT_LIMIT = 256 * 1024;

/**
 * Never inherited from the test process: jest's worker plumbing, its NODE_OPTIONS (an inspector
 * port, loaders), and Parley's own settings, which a developer's shell or an in-process
 * createTestApp() may have set. A child is configured by this harness and `options.env` alone.
 */
const NOT_INHERITED =
  /^(JEST_|NODE_OPTIONS$|NODE_ENV$|PORT$|DATABASE_URL$|DB_|JWT_|EMBEDDED_DB_DIR$|CORS_ORIGINS$|LOG_LEVEL$|WS_|REDIS_|PRESENCE_|PUSH_|VAPID_|INSTANCE_ID$)/;

let serverBuild: Promise<string> | undefined;

/**
 * Compiles the server (tsconfig.build.json) once per Jest worker into `.test-build/<worker pid>/`
 * and resolves with the path of its `src/main.js`. Not `dist/`: the package suite's `npm pack`
 * deletes that while other suites run. Rejects with tsc's output if src/ does not compile.
 */
export function ensureServerBuild(): Promise<string> {
  serverBuild ??= compileServer().catch((error: unknown) => {
    serverBuild = undefined;
    throw error;
  });
  return serverBuild;
}

async function compileServer(): Promise<string> {
  // One directory per worker: workers compile concurrently, and tsc rewriting files that a server
  // started by another worker is still loading would break that server.
  const outDir = join(BUILD_ROOT, String(process.pid));
  const main = join(outDir, 'src', 'main.js');
  // Jest evaluates this module afresh for every test file; the marker outlives that.
  if (existsSync(join(outDir, BUILD_COMPLETE))) return main;

  removeBuildsOfDeadWorkers();
  await rm(outDir, { recursive: true, force: true });
  perWorker('parley.test.serverBuildRemoval', (worker) =>
    worker.once('exit', () => rmSync(outDir, { recursive: true, force: true })),
  );
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--declaration', 'false'];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `Compiling the server for multi-process tests failed (tsc -p tsconfig.build.json):\n${stdout}${stderr}`,
      { cause: error },
    );
  }
  await writeFile(join(outDir, WATCHDOG), WATCHDOG_SOURCE);
  await writeFile(join(outDir, BUILD_COMPLETE), '');
  return main;
}

/** Builds are removed when their worker exits; these are the ones of workers that were killed. */
function removeBuildsOfDeadWorkers(): void {
  if (!existsSync(BUILD_ROOT)) return;
  for (const entry of readdirSync(BUILD_ROOT)) {
    if (/^\d+$/.test(entry) && !isAlive(Number(entry))) {
      rmSync(join(BUILD_ROOT, entry), { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ParleyProcessOptions {
  /** Names the instance in errors and is its INSTANCE_ID. */
  name: string;
  /** Added to (and overriding) the test configuration, e.g. REDIS_URL. */
  env?: Record<string, string>;
  /** Default: a free port, kept across restart(). */
  port?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** This test file's live instances, for stopAllParleyProcesses(). */
const running = new Set<ParleyProcess>();

/**
 * The built server (`src/main.js`) as an OS process of its own, against the e2e test database,
 * for tests that need several instances or a real crash. Start with `ParleyProcess.start()`;
 * `await stopAllParleyProcesses()` in afterAll. Whatever a test leaves running is killed when its
 * Jest worker exits.
 */
export class ParleyProcess {
  readonly name: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:41234 */
  readonly baseUrl: string;
  /** e.g. ws://127.0.0.1:41234 */
  readonly wsBaseUrl: string;
  /** supertest bound to baseUrl; keeps working across restart(). */
  readonly http: TestAgent;

  private child!: ChildProcess;
  private exit!: Promise<ProcessExit>;
  private exitInfo: ProcessExit | undefined;
  private readonly output = new OutputTail(OUTPUT_LIMIT);

  private constructor(
    private readonly options: ParleyProcessOptions,
    private readonly main: string,
    port: number,
  ) {
    this.name = options.name;
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.wsBaseUrl = `ws://127.0.0.1:${port}`;
    this.http = request(this.baseUrl);
  }

  /**
   * Builds the server if this worker has not yet, spawns it and resolves once GET /v1/chat/health
   * answers 200. Rejects with the process's output if it exits first or is not healthy in 20 s.
   */
  static async start(options: ParleyProcessOptions): Promise<ParleyProcess> {
    const main = await ensureServerBuild();
    const instance = new ParleyProcess(options, main, options.port ?? (await freePort()));
    await instance.launch();
    return instance;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Settles when the current process exits (after restart(), the new one). */
  get exited(): Promise<ProcessExit> {
    return this.exit;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The process's stdout and stderr so far, interleaved, at most the last 256 KiB (across restarts). */
  logs(): string {
    return this.output.toString();
  }

  /** Sends `signal` (default SIGKILL: a crash) and resolves once the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    if (this.running) this.child.kill(signal);
    return this.exit;
  }

  /** Graceful shutdown: SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (!this.running) return this.exit;
    const child = this.child;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process if it still runs, then starts it again with the same options and port. */
  async restart(): Promise<void> {
    await this.stop();
    this.output.append(`\n--- ${this.name} restarted ---\n`);
    await this.launch();
  }

  private async launch(): Promise<void> {
    const env = {
      ...inheritedEnv(),
      NODE_ENV: 'test',
      PORT: String(this.port),
      DATABASE_URL: testDatabaseUrl(),
      DB_MIGRATIONS_RUN: 'false',
      DB_POOL_SIZE: testDatabaseKind() === 'embedded' ? '1' : '4',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      INSTANCE_ID: this.name,
      // Suites share one database, and an outbox worker claims any due push: only the push suites run one.
      PUSH_WORKER: 'false',
      ...this.options.env,
    };
    const buildDir = resolve(dirname(this.main), '..');
    // cwd: main.js loads ./.env even in tests, and the build directory has none.
    const child = spawn(process.execPath, ['--require', join(buildDir, WATCHDOG), this.main], {
      cwd: buildDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitInfo = undefined;
    this.exit = new Promise((resolveExit) => {
      const settle = (exit: ProcessExit): void => {
        if (this.child === child) this.exitInfo = exit;
        running.delete(this);
        resolveExit(exit);
      };
      child.once('exit', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => {
        this.output.append(`\n${this.name}: ${String(error)}\n`);
        if (child.pid === undefined) settle({ code: null, signal: null }); // never spawned: no 'exit'
      });
    });
    running.add(this);
    killOnWorkerExit(child);
    // A test that forgets to stop its processes must not keep the worker alive; the watchdog ends them.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    child.stdout?.on('data', (chunk: Buffer) => this.output.append(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.append(chunk.toString()));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while ((await healthStatus(this.baseUrl)) !== 200) {
      if (this.exitInfo) {
        throw new Error(`${this.name} exited (${describeExit(this.exitInfo)}) at start-up:\n${this.logs()}`);
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name} was not healthy within ${READY_TIMEOUT_MS / 1000} s:\n${this.logs()}`);
      }
      await Promise.race([sleep(READY_POLL_MS), this.exit]);
    }
  }
}

/** For afterAll: stops (SIGTERM, then SIGKILL) every instance this test file started that still runs. */
export async function stopAllParleyProcesses(): Promise<void> {
  await Promise.all([...running].map((instance) => instance.stop()));
}

function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !NOT_INHERITED.test(entry[0]),
    ),
  );
}

/** The status of GET /v1/chat/health, or undefined when nothing answers. No keep-alive: nothing lingers. */
function healthStatus(baseUrl: string): Promise<number | undefined> {
  return new Promise((resolveStatus) => {
    const probe = get(`${baseUrl}${HEALTH_PATH}`, { agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolveStatus(response.statusCode);
    });
    probe.once('timeout', () => probe.destroy());
    probe.once('error', () => resolveStatus(undefined));
  });
}

function describeExit({ code, signal }: ProcessExit): string {
  return signal ? `signal ${signal}` : `code ${String(code)}`;
}

/** Keeps the last `limit` characters, compacting only when twice that has piled up. */
class OutputTail {
  private chunks: string[] = [];
  private length = 0;

  constructor(private readonly limit: number) {}

  append(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
    if (this.length > 2 * this.limit) this.compact();
  }

  toString(): string {
    this.compact();
    return this.chunks.join('');
  }

  private compact(): void {
    const tail = this.chunks.join('').slice(-this.limit);
    this.chunks = [tail];
    this.length = tail.length;
  }
}

/**
 * A value shared by all the test files a Jest worker runs, created once. Jest gives every test file
 * its own copy of `process`, whose 'exit' event never fires: `create` gets the worker's real one.
 */
function perWorker<T>(name: string, create: (worker: NodeJS.Process) => T): T {
  const worker = runInThisContext('process') as NodeJS.Process;
  const slots = worker as unknown as Record<symbol, T | undefined>;
  return (slots[Symbol.for(name)] ??= create(worker));
}

function killOnWorkerExit(child: ChildProcess): void {
  const children = perWorker('parley.test.parleyProcesses', (worker) => {
    const all = new Set<ChildProcess>();
    worker.on('exit', () => all.forEach((each) => each.kill('SIGKILL')));
    return all;
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
}
