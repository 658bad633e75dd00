import type WebSocket from 'ws';
import { corkUntilTickEnd } from './tick-cork';

/** The part of net.Socket that corking uses. */
class FakeTcp {
  writableCorked = 0;
  flushes = 0;
  cork(): void {
    this.writableCorked += 1;
  }
  uncork(): void {
    this.writableCorked -= 1;
    if (this.writableCorked === 0) this.flushes += 1;
  }
}

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const webSocketOn = (tcp: FakeTcp | null): WebSocket => ({ _socket: tcp }) as unknown as WebSocket;

describe(corkUntilTickEnd.name, () => {
  it('should cork once per tick and flush everything written in it at the end of the tick', async () => {
    const tcp = new FakeTcp();
    const sut = webSocketOn(tcp);

    corkUntilTickEnd(sut);
    corkUntilTickEnd(sut);
    corkUntilTickEnd(sut);
    const corkedDuringTick = tcp.writableCorked;
    await nextTick();

    expect(corkedDuringTick).toBe(1);
    expect(tcp.writableCorked).toBe(0);
    expect(tcp.flushes).toBe(1);
  });

  it('should cork again in a later tick', async () => {
    const tcp = new FakeTcp();
    const sut = webSocketOn(tcp);

    corkUntilTickEnd(sut);
    await nextTick();
    corkUntilTickEnd(sut);
    await nextTick();

    expect(tcp.flushes).toBe(2);
  });

  it('should do nothing for a socket without its TCP socket (closed, or not from ws)', () => {
    expect(() => corkUntilTickEnd(webSocketOn(null))).not.toThrow();
    expect(() => corkUntilTickEnd({} as WebSocket)).not.toThrow();
  });
});
