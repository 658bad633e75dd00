import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

/**
 * What a host gets from `npm pack`: installed as node_modules/parley in an empty
 * project (whose other dependencies are this repo's), required by plain Node and
 * type-checked by tsc through the package's own entry point.
 */
describe('the packed parley package', () => {
  let consumer: string;
  let files: string[];

  beforeAll(() => {
    consumer = mkdtempSync(path.join(tmpdir(), 'parley-consumer-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', consumer], ROOT)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    files = packed[0].files.map((file) => file.path);
    const modules = path.join(consumer, 'node_modules');
    mkdirSync(path.join(modules, 'parley'), { recursive: true });
    run(
      'tar',
      [
        '-xzf',
        path.join(consumer, packed[0].filename),
        '-C',
        path.join(modules, 'parley'),
        '--strip-components=1',
      ],
      consumer,
    );
    for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
      if (entry !== '.bin' && entry !== 'parley')
        symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
    }
  }, 240_000);

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('should ship the compiled entry point, its type declarations and the migrations, and no tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/src/chat/index.js',
        'dist/src/chat/index.d.ts',
        'dist/migrations/1764000001000-CreateChatSchema.js',
        'README.md',
      ]),
    );
    expect(files.filter((file) => /(^test\/|^examples\/|\.spec\.|^src\/)/.test(file))).toEqual([]);
  });

  it('should export the public API to plain Node', () => {
    const script = `
      const parley = require('parley');
      console.log(JSON.stringify({
        module: typeof parley.ChatModule.forRootAsync,
        ports: [parley.IdentityVerifier, parley.ListingDirectory, parley.UserDirectory].map((port) => port.name),
        entities: parley.CHAT_ENTITIES.map((entity) => entity.name),
        migrations: parley.CHAT_MIGRATIONS.length,
        install: typeof parley.ChatWsAdapter.install,
      }));`;
    expect(JSON.parse(run(process.execPath, ['-e', script], consumer))).toEqual({
      module: 'function',
      ports: ['IdentityVerifier', 'ListingDirectory', 'UserDirectory'],
      entities: ['Conversation', 'Message', 'UserPresence', 'PushNotification', 'PushDevice'],
      migrations: 4,
      install: 'function',
    });
  });

  it('should give a TypeScript host the types of the public API', () => {
    writeFileSync(
      path.join(consumer, 'host.ts'),
      `import { ChatModule, ChatWsAdapter, CHAT_ENTITIES, IdentityVerifier, type ChatModuleOptions } from 'parley';
       export class HeaderVerifier extends IdentityVerifier {
         async verify(token: string) { return { userId: token, expiresAt: null }; }
       }
       const options: ChatModuleOptions = { jwt: { publicKey: 'pem', algorithms: ['RS256'] }, wsHeartbeatMs: 10_000 };
       export const chat = ChatModule.forRoot(options);
       export const entities = [...CHAT_ENTITIES];
       export const install: typeof ChatWsAdapter.install = ChatWsAdapter.install;
       // @ts-expect-error: an unknown option is a compile error for the host
       export const wrong: ChatModuleOptions = { wsHeartbeat: 1 };
      `,
    );
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          strict: true,
          noEmit: true,
          experimentalDecorators: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['host.ts'],
      }),
    );
    let diagnostics = '';
    try {
      run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], consumer);
    } catch (error) {
      diagnostics = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(diagnostics).toBe('');
  });
});
