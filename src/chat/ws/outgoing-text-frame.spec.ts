import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { OutgoingTextFrame, encodeTextFrame } from './outgoing-text-frame';
import { tcpSocketOf } from './ws-tcp-socket';

/** Payloads at each of the three header sizes and their edges, with characters of 2 to 4 UTF-8 bytes. */
const PAYLOADS = [
  '',
  '{"type":"typing"}',
  'x'.repeat(125),
  'x'.repeat(126),
  'é'.repeat(63),
  'x'.repeat(65_535),
  'x'.repeat(65_536),
  `${'€'.repeat(30_000)}🙂`,
];

/** ws's own framing, which its typings leave out: an unmasked server frame is [header, payload]. */
const wsSender = (
  WebSocket as unknown as {
    Sender: { frame(data: string, options: Record<string, unknown>): Buffer[] };
  }
).Sender;

describe(encodeTextFrame.name, () => {
  let server: WebSocketServer;
  let serverSide: WebSocket;
  let client: WebSocket;

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[WebSocket]>;
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    [serverSide] = await accepted;
    await once(client, 'open');
  });

  afterAll(async () => {
    client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should write frames that a ws client reads as the same text messages, in order', async () => {
    const received: string[] = [];
    const all = new Promise<void>((resolve, reject) => {
      client.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) reject(new Error('got a binary message'));
        received.push(data.toString('utf8'));
        if (received.length === PAYLOADS.length) resolve();
      });
      client.once('error', reject);
    });

    const tcp = tcpSocketOf(serverSide);
    for (const payload of PAYLOADS) tcp!.write(encodeTextFrame(payload));
    await all;

    expect(received).toEqual(PAYLOADS);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });

  it('should frame as ws itself does', () => {
    for (const payload of PAYLOADS) {
      const wsFrame = Buffer.concat(
        wsSender.frame(payload, { fin: true, opcode: 1, mask: false, rsv1: false }),
      );
      expect(encodeTextFrame(payload)).toEqual(wsFrame);
    }
  });
});

describe(OutgoingTextFrame.name, () => {
  it('should encode once, however many times its bytes are read', () => {
    const sut = new OutgoingTextFrame('{"type":"pong"}');

    expect(sut.bytes).toBe(sut.bytes);
    expect(sut.bytes).toEqual(encodeTextFrame('{"type":"pong"}'));
  });
});
