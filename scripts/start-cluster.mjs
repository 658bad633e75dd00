// Runs several Parley instances (dist/src/main.js) on consecutive ports against one PostgreSQL and
// one Redis, to try the scale-out locally. `npm run start:cluster -- --help` for the options.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const USAGE = `Usage: npm run start:cluster -- [--instances N] [--port P]
  -n, --instances N  how many instances (default: CLUSTER_INSTANCES, else 2)
  -p, --port P       port of node-1; node-i listens on P+i-1 (default: PORT, else 8000)
Environment: REDIS_URL (default redis://127.0.0.1:6379) and DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/parley, created if missing) are shared by every instance,
as is everything else Parley reads (.env included). node-1 runs the migrations; the others
start once it is healthy. Ctrl-C stops them all; a second Ctrl-C kills them.`;

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/parley';
const HEALTH_PATH = '/v1/chat/health';
// node-1 migrates a fresh database first; the others only connect.
const FIRST_READY_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const main = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit */
/** @typedef {{ name: string, port: number, child: import('node:child_process').ChildProcess, exit: Promise<Exit> }} Instance */

/** @type {Set<Instance>} */
const live = new Set();
let stopping = false;

await run();

async function run() {
  const { count, basePort } = readOptions();
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  if (!existsSync(main)) {
    fail('dist/src/main.js is missing: run `npm run build` first (`npm run start:cluster` does).');
  }
  if (basePort + count - 1 > 65535) fail(`Ports ${basePort}..${basePort + count - 1} do not all exist.`);

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await ensureDatabase(databaseUrl);
  } catch (error) {
    fail(`PostgreSQL at ${redact(databaseUrl)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  say(`${count} instance(s), database ${redact(databaseUrl)}, Redis ${redact(redisUrl)}`);

  const shared = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  const first = startInstance(1, basePort, { ...shared, DB_MIGRATIONS_RUN: 'true' });
  if (!(await becameHealthy(first, FIRST_READY_TIMEOUT_MS))) {
    if (stopping) return;
    say(`${first.name} did not become healthy; stopping.`);
    await stopAll(1);
    return;
  }
  if (stopping) return;

  const others = [];
  for (let i = 2; i <= count; i++) {
    others.push(startInstance(i, basePort + i - 1, { ...shared, DB_MIGRATIONS_RUN: 'false' }));
  }
  const healthy = await Promise.all(others.map((instance) => becameHealthy(instance, READY_TIMEOUT_MS)));
  if (stopping) return;
  const up = [first, ...others.filter((_, index) => healthy[index])];
  say(`up: ${up.map(({ name, port }) => `${name} http://127.0.0.1:${port}`).join(', ')}. Ctrl-C stops them.`);
  for (const [index, instance] of others.entries()) {
    if (!healthy[index] && live.has(instance)) say(`${instance.name} is running but not healthy yet.`);
  }
}

function readOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        instances: { type: 'string', short: 'n' },
        port: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, 2);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    count: positiveInteger('--instances', parsed.instances ?? process.env.CLUSTER_INSTANCES ?? '2'),
    basePort: positiveInteger('--port', parsed.port ?? process.env.PORT ?? '8000'),
  };
}

/** @param {string} what @param {string} value */
function positiveInteger(what, value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) fail(`${what} must be a positive integer, not "${value}".`, 2);
  return number;
}

/** Creates the database when PostgreSQL says it does not exist; any other failure is the caller's. */
async function ensureDatabase(url) {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if (/** @type {{ code?: string }} */ (error).code !== '3D000') throw error; // invalid_catalog_name
  } finally {
    await probe.end().catch(() => undefined);
  }
  const adminUrl = new URL(url);
  const name = decodeURIComponent(adminUrl.pathname.slice(1));
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    say(`created database ${name}`);
  } catch (error) {
    if (/** @type {{ code?: string }} */ (error).code !== '42P04') throw error; // created meanwhile
  } finally {
    await admin.end();
  }
}

/** @param {number} index @param {number} port @param {Record<string, string>} env @returns {Instance} */
function startInstance(index, port, env) {
  const name = `node-${index}`;
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), INSTANCE_ID: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  child.once('error', (error) => say(`${name}: ${error.message}`));
  /** @type {Instance} */
  const instance = {
    name,
    port,
    child,
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  live.add(instance);
  void instance.exit.then((exit) => {
    live.delete(instance);
    if (stopping) return;
    say(
      `${name} (port ${port}) exited unexpectedly (${describe(exit)}); ${live.size} instance(s) still running.`,
    );
    if (live.size === 0) process.exit(1);
  });
  return instance;
}

/** @param {import('node:stream').Readable | null} input @param {NodeJS.WriteStream} output @param {string} name */
function prefixLines(input, output, name) {
  if (!input) return;
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.write(`[${name}] ${line}\n`));
}

/** @param {Instance} instance @param {number} timeoutMs */
async function becameHealthy(instance, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (live.has(instance) && !stopping && Date.now() < deadline) {
    if ((await healthStatus(instance.port)) === 200) return true;
    await Promise.race([sleep(200), instance.exit]);
  }
  return false;
}

/** @param {number} port @returns {Promise<number | undefined>} */
function healthStatus(port) {
  return new Promise((resolve) => {
    const probe = get(
      `http://127.0.0.1:${port}${HEALTH_PATH}`,
      { agent: false, timeout: 2_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    probe.once('timeout', () => probe.destroy());
    probe.once('error', () => resolve(undefined));
  });
}

function onSignal() {
  if (stopping) {
    say('killing the instances still running.');
    for (const { child } of live) child.kill('SIGKILL');
    return;
  }
  void stopAll(0);
}

/** SIGTERM to every instance (each drains and exits), SIGKILL to any still there after 15 s. */
async function stopAll(exitCode) {
  stopping = true;
  const instances = [...live];
  if (instances.length > 0) say(`stopping ${instances.map(({ name }) => name).join(', ')}`);
  for (const { child } of instances) child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`still running after ${STOP_TIMEOUT_MS / 1000} s: killing.`);
    for (const { child } of live) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  const exits = await Promise.all(instances.map(({ exit }) => exit));
  clearTimeout(timer);
  for (const [index, exit] of exits.entries()) say(`${instances[index].name} stopped (${describe(exit)})`);
  process.exit(exitCode);
}

/** @param {Exit} exit */
function describe({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** The URL without its password, for messages. @param {string} url */
function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** @param {string} message */
function say(message) {
  console.error(`[cluster] ${message}`);
}

/** @param {string} message @returns {never} */
function fail(message, exitCode = 1) {
  say(message);
  process.exit(exitCode);
}
