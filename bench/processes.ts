import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * CPU seconds (user + system, every thread) a process has used so far; 0 once it is gone. With
 * `withReapedChildren`, plus what its children used before they exited and it reaped them.
 */
export function cpuSecondsOf(pid: number, withReapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const children = withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
    return (ticks + children) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/**
 * CPU seconds of every PostgreSQL server process on this machine, including backends that have
 * exited since (a pool closing idle connections): the postmaster counts them among its reaped
 * children. Without them the figure could drop between two readings.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        total += cpuSecondsOf(Number(entry), true);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/**
 * The pid of the `redis-server` listening on `redisUrl`'s port, from /proc; null when there is
 * none on this machine (a remote Redis), or several and none names the port.
 */
export function redisServerPid(redisUrl: string): number | null {
  const candidates: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'redis-server') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      candidates.push({ pid: Number(entry), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return pickRedisPid(candidates, redisUrl);
}

/** redis-server titles itself `redis-server <host>:<port>`; a lone candidate is taken as it is. */
export function pickRedisPid(
  candidates: ReadonlyArray<{ pid: number; cmdline: string }>,
  redisUrl: string,
): number | null {
  const url = new URL(redisUrl);
  if (!['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'].includes(url.hostname)) return null;
  const port = url.port || '6379';
  const named = candidates.filter(({ cmdline }) => new RegExp(`:${port}(\\s|$)`).test(cmdline));
  if (named.length === 1) return named[0].pid;
  return candidates.length === 1 ? candidates[0].pid : null;
}

export interface CpuUsage {
  wallSeconds: number;
  /** This load generator, in cores (1.0 = one core busy the whole time). */
  generatorCores: number;
  /** Every server process together. */
  serverCores: number;
  /** Each server process, in the order given. */
  serverCoresEach: number[];
  postgresCores: number;
  /** null when no Redis pid was given. */
  redisCores: number | null;
}

/** CPU used by the server process(es), PostgreSQL, Redis and this generator between two points in time. */
export class CpuMeter {
  private readonly wallStart = process.hrtime.bigint();
  private readonly generatorStart = process.cpuUsage();
  private readonly serverPids: readonly number[];
  private readonly serverStart: number[];
  private readonly postgresStart = postgresCpuSeconds();
  private readonly redisStart: number;

  constructor(
    serverPids: number | readonly number[],
    private readonly redisPid: number | null = null,
  ) {
    this.serverPids = typeof serverPids === 'number' ? [serverPids] : serverPids;
    this.serverStart = this.serverPids.map((pid) => cpuSecondsOf(pid));
    this.redisStart = redisPid === null ? 0 : cpuSecondsOf(redisPid);
  }

  stop(): CpuUsage {
    const wallSeconds = Number(process.hrtime.bigint() - this.wallStart) / 1e9;
    const generator = process.cpuUsage(this.generatorStart);
    const serverCoresEach = this.serverPids.map(
      (pid, index) => (cpuSecondsOf(pid) - this.serverStart[index]) / wallSeconds,
    );
    return {
      wallSeconds,
      generatorCores: (generator.user + generator.system) / 1e6 / wallSeconds,
      serverCores: serverCoresEach.reduce((sum, cores) => sum + cores, 0),
      serverCoresEach,
      postgresCores: (postgresCpuSeconds() - this.postgresStart) / wallSeconds,
      redisCores:
        this.redisPid === null ? null : (cpuSecondsOf(this.redisPid) - this.redisStart) / wallSeconds,
    };
  }
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** Where its inspector listens, if it was started with `INSPECTOR_OPTIONS`. */
  inspectorUrl(): string | null;
  stop(): Promise<void>;
}

/** Whether a health answer counts as ready; by default any answer below 500. */
type Readiness = (response: Response) => Promise<boolean> | boolean;

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function waitForHttp(
  url: string,
  child: ChildProcess,
  ready: Readiness = (response) => response.status < 500,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited(child))
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before answering ${url}`);
    try {
      const response = await fetch(url);
      last = `HTTP ${response.status} ${await response.clone().text()}`;
      if (await ready(response)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms (last: ${last.slice(0, 300)})`);
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child)) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** What Node prints when its inspector starts; P5 collects the server's garbage through it. */
const INSPECTOR_LISTENING = /^Debugger listening on (ws:\/\/\S+)$/;
/** The inspector's other notices: its help link, and each time the bench attaches. */
const INSPECTOR_NOTICE =
  /^(For help, see: \S+|Debugger attached\.|Waiting for the debugger to disconnect\.\.\.)$/;

/**
 * A server's stderr, line by line, on the bench's own, but for the inspector's lines: its
 * address goes to `onInspector`, its notices nowhere.
 */
function forwardStderr(child: ChildProcess, onInspector: (url: string) => void): void {
  if (!child.stderr) return;
  createInterface({ input: child.stderr }).on('line', (line) => {
    const listening = INSPECTOR_LISTENING.exec(line);
    if (listening) onInspector(listening[1]);
    else if (!INSPECTOR_NOTICE.test(line)) process.stderr.write(`${line}\n`);
  });
}

/** Starts a server process and waits until it is ready; kills it if it never gets there. */
async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv | undefined,
  baseUrl: string,
  healthPath: string,
  ready?: Readiness,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let inspectorUrl: string | null = null;
  forwardStderr(child, (url) => {
    inspectorUrl = url;
  });
  const stop = (): Promise<void> => stopProcess(child);
  try {
    await waitForHttp(`${baseUrl}${healthPath}`, child, ready);
  } catch (error) {
    await stop();
    throw error;
  }
  // Node announces the inspector as it starts, long before the server answers its health check.
  return { child, pid: child.pid as number, baseUrl, inspectorUrl: () => inspectorUrl, stop };
}

/** The built Parley server (`dist/src/main.js`) as its own process, with `extraNodeOptions` if any. */
export function startParley(
  env: Record<string, string>,
  port: number,
  extraNodeOptions: readonly string[] = [],
): Promise<ServerProcess> {
  // PARLEY_BENCH_NODE_OPTIONS=--cpu-prof profiles the server (see BENCHMARKS.md).
  const nodeOptions = [
    ...(process.env.PARLEY_BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
    ...extraNodeOptions,
  ];
  // With REDIS_URL, ready means joined to the cluster: Redis up, not merely "degraded".
  const ready: Readiness | undefined = env.REDIS_URL
    ? async (response) =>
        response.status === 200 && ((await response.json()) as { redis?: string }).redis === 'up'
    : undefined;
  return startServer(
    [...nodeOptions, path.join(REPO_ROOT, 'dist/src/main.js')],
    { ...process.env, ...env, PORT: String(port) },
    `http://127.0.0.1:${port}`,
    '/v1/chat/health',
    ready,
  );
}

export interface ParleyCluster {
  instances: ServerProcess[];
  stop(): Promise<void>;
}

/**
 * Several Parley processes sharing one database and one Redis (`REDIS_URL`, `REDIS_KEY_PREFIX`
 * in `env`), one per port, `INSTANCE_ID` bench-1, bench-2, ... The first runs the migrations
 * and is ready before the others start with `DB_MIGRATIONS_RUN=false`. On failure the ones
 * already started are stopped.
 */
export async function startParleyCluster(
  env: Record<string, string>,
  ports: readonly number[],
): Promise<ParleyCluster> {
  if (!env.REDIS_URL) throw new Error('a Parley cluster needs REDIS_URL');
  const instances: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(instances.map((instance) => instance.stop()));
  };
  try {
    for (const [index, port] of ports.entries()) {
      const instanceEnv: Record<string, string> = { ...env, INSTANCE_ID: `bench-${index + 1}` };
      if (index > 0) instanceEnv.DB_MIGRATIONS_RUN = 'false';
      instances.push(await startParley(instanceEnv, port));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { instances, stop };
}

/** The bare `ws` relay (`bench/bare-ws-server.ts`), the baseline for fan-out and idle sockets. */
export function startBareRelay(port: number, nodeOptions: readonly string[] = []): Promise<ServerProcess> {
  return startServer(
    [...nodeOptions, path.join(__dirname, 'bare-ws-server.js'), String(port)],
    undefined,
    `http://127.0.0.1:${port}`,
    '/health',
  );
}

/** The bare history server (`bench/bare-history-server.ts`), P8's baseline, on the same database and pool size. */
export function startBareHistory(
  port: number,
  databaseUrl: string,
  poolSize: number,
): Promise<ServerProcess> {
  return startServer(
    [path.join(__dirname, 'bare-history-server.js'), String(port)],
    // In the environment, not argv: a password in the URL stays out of process listings.
    { ...process.env, DATABASE_URL: databaseUrl, DB_POOL_SIZE: String(poolSize) },
    `http://127.0.0.1:${port}`,
    '/health',
  );
}

/** A one-shot client: no reconnecting, errors surface as rejections. */
async function withRedis<T>(redisUrl: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  let connectionError: unknown = null;
  redis.on('error', (error) => (connectionError = error));
  try {
    await redis.connect().catch((error: unknown) => {
      throw connectionError ?? error;
    });
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Fails with a clear message when nothing answers PING at `redisUrl`. */
export async function checkRedis(redisUrl: string): Promise<void> {
  try {
    await withRedis(redisUrl, (redis) => redis.ping());
  } catch (error) {
    throw new Error(`no answer to PING (${String(error)})`, { cause: error });
  }
}

/** Deletes every key under `prefix` (what a P7 run left in Redis); returns how many. */
export function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  return withRedis(redisUrl, async (redis) => {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  });
}
