import { ChatModuleConfigurationError } from './chat-module-configuration.error';
import { ChatSettings, chatSettingsProvider } from './chat-settings';
import { CHAT_MODULE_OPTIONS, type ChatModuleOptions } from './chat.module-definition';
import { ListingDirectory } from './ports/listing-directory.port';
import { UserDirectory } from './ports/user-directory.port';

const listings = {} as ListingDirectory;
const users = {} as UserDirectory;

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ChatModuleConfigurationError, nothing was thrown');
}

describe(ChatSettings.name, () => {
  describe('from', () => {
    it.each([
      ['undefined', undefined],
      ['{}', {}],
    ])('should apply the defaults for %s', (_, options: ChatModuleOptions | undefined) => {
      const sut = ChatSettings.from(options);

      expect(sut).toBeInstanceOf(ChatSettings);
      expect(sut.jwt).toBeUndefined();
      expect(sut.wsHeartbeatMs).toBe(30_000);
      expect(sut.allowedOrigins).toEqual([]);
      expect(sut.rateLimits).toEqual({ messages: 30, typing: 20, windowMs: 10_000 });
      expect(sut.preparedStatements).toBe(true);
    });

    it('should turn prepared statements off when asked', () => {
      expect(ChatSettings.from({ preparedStatements: false }).preparedStatements).toBe(false);
    });

    it('should keep the given values', () => {
      const jwt = { secret: 'a-shared-hs256-secret-of-at-least-32-chars', issuer: 'https://host.example' };

      const sut = ChatSettings.from({
        jwt,
        wsHeartbeatMs: 5_000,
        allowedOrigins: ['https://app.example', 'https://admin.example'],
        rateLimits: { messages: 5, typing: 3, windowMs: 60_000 },
      });

      expect(sut.jwt).toEqual(jwt);
      expect(sut.wsHeartbeatMs).toBe(5_000);
      expect(sut.allowedOrigins).toEqual(['https://app.example', 'https://admin.example']);
      expect(sut.rateLimits).toEqual({ messages: 5, typing: 3, windowMs: 60_000 });
    });

    it('should run as a single instance with presence defaults when redis is left out', () => {
      const sut = ChatSettings.from({});

      expect(sut.redis).toBeNull();
      expect(sut.presence).toEqual({ ttlMs: 15_000, offlineGraceMs: 5_000 });
      expect(sut.instanceId).toMatch(/^[\w.:-]+-\d+-[0-9a-f]{6}$/);
      expect(ChatSettings.from({}).instanceId).not.toBe(sut.instanceId);
    });

    it('should keep the cluster options and default the Redis key prefix', () => {
      const sut = ChatSettings.from({
        redis: { url: 'redis://127.0.0.1:6379' },
        instanceId: 'node-1',
        presence: { ttlMs: 3_000, offlineGraceMs: 0 },
      });

      expect(sut.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'parley:' });
      expect(sut.instanceId).toBe('node-1');
      expect(sut.presence).toEqual({ ttlMs: 3_000, offlineGraceMs: 0 });
    });

    it('should default the rate limits that are left out', () => {
      const sut = ChatSettings.from({ rateLimits: { typing: 7 } });

      expect(sut.rateLimits).toEqual({ messages: 30, typing: 7, windowMs: 10_000 });
    });

    it('should keep a jwt publicKey given as a Buffer', () => {
      const publicKey = Buffer.from('-----BEGIN PUBLIC KEY-----');

      const sut = ChatSettings.from({ jwt: { publicKey } });

      expect(sut.jwt?.publicKey).toBe(publicKey);
    });

    it.each<[string, unknown, RegExp]>([
      ['wsHeartbeatMs below 50', { wsHeartbeatMs: 10 }, /wsHeartbeatMs must not be less than 50/],
      [
        'wsHeartbeatMs above 600000',
        { wsHeartbeatMs: 600_001 },
        /wsHeartbeatMs must not be greater than 600000/,
      ],
      ['wsHeartbeatMs as a string', { wsHeartbeatMs: '30000' }, /wsHeartbeatMs must be an integer/],
      ['a fractional wsHeartbeatMs', { wsHeartbeatMs: 1000.5 }, /wsHeartbeatMs must be an integer/],
      ['allowedOrigins that is not an array', { allowedOrigins: 'x' }, /allowedOrigins must be an array/],
      ['allowedOrigins with a non-string', { allowedOrigins: ['https://app.example', 42] }, /allowedOrigins/],
      [
        'rateLimits.messages of 0',
        { rateLimits: { messages: 0 } },
        /rateLimits\.messages must not be less than 1/,
      ],
      ['rateLimits.typing of 0', { rateLimits: { typing: 0 } }, /rateLimits\.typing must not be less than 1/],
      [
        'rateLimits.windowMs below 100',
        { rateLimits: { windowMs: 99 } },
        /rateLimits\.windowMs must not be less/,
      ],
      ['an unknown rateLimits key', { rateLimits: { message: 5 } }, /rateLimits\.message should not exist/],
      ['jwt that is not an object', { jwt: 'secret' }, /jwt must be an object/],
      ['an unknown option', { wsHeartbeat: 30_000 }, /wsHeartbeat should not exist/],
      [
        'a misspelt jwt key',
        { jwt: { secret: 'x'.repeat(32), issuers: 'a' } },
        /jwt\.issuers should not exist/,
      ],
      ['a jwt secret that is not a string', { jwt: { secret: null } }, /jwt\.secret must be a string/],
      ['a jwt algorithm that is not supported', { jwt: { algorithms: ['none'] } }, /jwt\.algorithms/],
      ['rateLimits as an array', { rateLimits: [{ messages: 0 }] }, /rateLimits must be an object/],
      [
        'a redis url that is not redis://',
        { redis: { url: 'http://cache:6379' } },
        /redis\.url must be a redis/,
      ],
      ['redis without a url', { redis: {} }, /redis\.url must be a redis/],
      ['an empty redis keyPrefix', { redis: { url: 'redis://x', keyPrefix: '' } }, /redis\.keyPrefix/],
      ['an instanceId with spaces', { instanceId: 'node 1' }, /instanceId must be 1-100/],
      [
        'preparedStatements as a string',
        { preparedStatements: 'no' },
        /preparedStatements must be a boolean/,
      ],
      [
        'presence.ttlMs below 1000',
        { presence: { ttlMs: 999 } },
        /presence\.ttlMs must not be less than 1000/,
      ],
      [
        'a negative presence.offlineGraceMs',
        { presence: { offlineGraceMs: -1 } },
        /presence\.offlineGraceMs must not be less than 0/,
      ],
    ])('should reject %s naming the field', (_, options, message) => {
      const error = thrownBy(() => ChatSettings.from(options as ChatModuleOptions));

      expect(error).toBeInstanceOf(ChatModuleConfigurationError);
      expect(error.message).toMatch(message);
    });

    it('should name every bad option in one error', () => {
      const error = thrownBy(() => ChatSettings.from({ wsHeartbeatMs: 10, rateLimits: { messages: 0 } }));

      expect(error).toBeInstanceOf(ChatModuleConfigurationError);
      expect(error.message).toMatch(/wsHeartbeatMs/);
      expect(error.message).toMatch(/rateLimits\.messages/);
    });
  });

  describe('chatSettingsProvider', () => {
    it('should provide ChatSettings with both ports injected as optional', () => {
      expect(chatSettingsProvider.provide).toBe(ChatSettings);
      expect(chatSettingsProvider.inject).toEqual([
        CHAT_MODULE_OPTIONS,
        { token: ListingDirectory, optional: true },
        { token: UserDirectory, optional: true },
      ]);
    });

    it('should return the validated ChatSettings when both ports are given', () => {
      const sut = chatSettingsProvider.useFactory({ wsHeartbeatMs: 1_000 }, listings, users);

      expect(sut).toBeInstanceOf(ChatSettings);
      expect(sut).toMatchObject({ wsHeartbeatMs: 1_000 });
    });

    it.each<[string, ListingDirectory | undefined, UserDirectory | undefined]>([
      ['ListingDirectory', undefined, users],
      ['UserDirectory', listings, undefined],
    ])('should throw naming %s when that port is missing', (name, listingPort, userPort) => {
      const error = thrownBy(() => chatSettingsProvider.useFactory({}, listingPort, userPort));

      expect(error).toBeInstanceOf(ChatModuleConfigurationError);
      expect(error.message).toContain(`no ${name}`);
    });

    it('should reject invalid options even when the ports are given', () => {
      const error = thrownBy(() => chatSettingsProvider.useFactory({ wsHeartbeatMs: 10 }, listings, users));

      expect(error).toBeInstanceOf(ChatModuleConfigurationError);
      expect(error.message).toMatch(/wsHeartbeatMs/);
    });
  });
});
