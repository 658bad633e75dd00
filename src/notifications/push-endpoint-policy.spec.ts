import { ChatSettings } from '../chat/chat-settings';
import { isPrivateAddress, PushEndpointPolicy, UnsafeEndpointError } from './push-endpoint-policy';

function policy(
  push: { endpointHosts?: string[]; allowLoopbackEndpoints?: boolean } = {},
): PushEndpointPolicy {
  return new PushEndpointPolicy(ChatSettings.from({ push }));
}

async function refusal(sut: PushEndpointPolicy, endpoint: string): Promise<string> {
  try {
    await sut.check(endpoint);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeEndpointError);
    return (error as Error).message;
  }
  throw new Error(`${endpoint} was accepted`);
}

describe(PushEndpointPolicy.name, () => {
  it.each([
    ['http://fcm.googleapis.com/fcm/send/x', /https/],
    ['https://10.0.0.1/push', /not an IP address/],
    ['https://[::1]/push', /not an IP address/],
    ['https://169.254.169.254/latest/meta-data', /not an IP address/],
    ['https://evil.example.com/push', /not an allowed push service/],
    ['https://user:pw@fcm.googleapis.com/x', /credentials/],
    ['not a url', /absolute URL/],
    ['https://googleapis.com.evil.example/x', /not an allowed push service/],
  ])('should refuse %s', async (endpoint, message) => {
    expect(await refusal(policy(), endpoint)).toMatch(message);
  });

  it('should refuse an allowed host name that resolves to a loopback address', async () => {
    const sut = policy({ endpointHosts: ['localhost'] });

    expect(await refusal(sut, 'https://localhost/push')).toMatch(/private or local address/);
  });

  it('should match wildcard hosts on subdomains only', async () => {
    const sut = policy({ endpointHosts: ['*.notify.windows.com'] });

    expect(await refusal(sut, 'https://notify.windows.com.example/x')).toMatch(/not an allowed/);
    expect(await refusal(sut, 'https://evilnotify.windows.com/x')).toMatch(/not an allowed/);
  });

  it('should admit http://127.0.0.1:<port> only when loopback endpoints are allowed', async () => {
    expect(await refusal(policy(), 'http://127.0.0.1:9000/push')).toMatch(/https/);
    await expect(
      policy({ allowLoopbackEndpoints: true }).check('http://127.0.0.1:9000/push'),
    ).resolves.toBeInstanceOf(URL);
    expect(await refusal(policy({ allowLoopbackEndpoints: true }), 'http://127.0.0.2:9000/push')).toMatch(
      /https/,
    );
  });

  it('should refuse at connection time a name that resolves to a private address', async () => {
    const sut = policy();

    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      sut.safeLookup('localhost', {}, (failure) => resolve(failure)),
    );

    expect(error?.message).toMatch(/private address/);
  });
});

describe(isPrivateAddress.name, () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])('should call %s private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '142.250.0.1', '2607:f8b0:4004:800::200e'])('should call %s public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});
