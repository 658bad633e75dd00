import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchSocket, openAll } from '../bench-socket';
import { CpuMeter } from '../processes';

export interface FanoutResult {
  deliveredPerSecond: number;
  generatorCores: number;
  serverCores: number;
}

interface Lane {
  sender: BenchSocket;
  inFlight: number;
  deliveredSinceCheck: number;
}

/**
 * P3: how many typing frames per second a server relays across many
 * conversations. Each conversation keeps `window` frames in flight and sends one
 * more per arrival, so the server, not a fixed offered rate, sets the pace; the
 * same loop drives Parley and the bare relay.
 */
export async function measureFanout(
  endpoints: { senderUrls: readonly string[]; recipientUrls: readonly string[]; waitForConnected: boolean },
  serverPid: number,
  seconds: number,
  window = 8,
): Promise<FanoutResult> {
  const senders = await openAll(endpoints.senderUrls, endpoints.waitForConnected);
  const recipients = await openAll(endpoints.recipientUrls, endpoints.waitForConnected);
  try {
    return await relayTyping(
      senders.map((sender, index) => ({ sender, recipient: recipients[index] })),
      serverPid,
      seconds,
      window,
    );
  } finally {
    [...senders, ...recipients].forEach((socket) => socket.close());
  }
}

/**
 * The generator must stay cheaper than the servers it drives (the bare relay once
 * saturated it), so it does no per-frame JSON: the frame is serialised once and sent
 * as text from that buffer, and an arrival is recognised by its first bytes. Both
 * servers write a typing frame with `type` first, as JSON.stringify does (Parley's
 * fan-out, and the relay echoing TYPING_FRAME), and no other frame starts so.
 */
const TYPING_FRAME = Buffer.from(JSON.stringify({ type: 'typing', is_typing: true }));
const TYPING_PREFIX = Buffer.from('{"type":"typing",');

function isTypingFrame(data: Buffer): boolean {
  return (
    data.length > TYPING_PREFIX.length &&
    data.compare(TYPING_PREFIX, 0, TYPING_PREFIX.length, 0, TYPING_PREFIX.length) === 0
  );
}

/** ws keeps its TCP socket private, as `_socket`. */
type WithTcpSocket = BenchSocket['socket'] & { _socket?: Socket | null };

function uncork(tcp: Socket): void {
  tcp.uncork();
}

/**
 * The frames one sender sends in one tick (several arrivals read in one chunk) leave in
 * one write system call rather than one each, which was most of the generator's CPU.
 */
function sendTyping(sender: BenchSocket): void {
  const tcp = (sender.socket as WithTcpSocket)._socket;
  if (tcp && tcp.writableCorked === 0) {
    tcp.cork();
    process.nextTick(uncork, tcp);
  }
  sender.socket.send(TYPING_FRAME, { binary: false });
}

async function relayTyping(
  pairs: ReadonlyArray<{ sender: BenchSocket; recipient: BenchSocket }>,
  serverPid: number,
  seconds: number,
  window: number,
): Promise<FanoutResult> {
  let delivered = 0;
  let running = true;
  const lanes: Lane[] = pairs.map(({ sender, recipient }) => {
    const lane: Lane = { sender, inFlight: 0, deliveredSinceCheck: 0 };
    // Replaces BenchSocket's parse-every-frame listener for the measurement.
    recipient.socket.removeAllListeners('message');
    recipient.socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || !isTypingFrame(data)) return;
      delivered++;
      lane.deliveredSinceCheck++;
      lane.inFlight = Math.max(0, lane.inFlight - 1);
      if (running) {
        lane.inFlight++;
        sendTyping(sender);
      }
    });
    return lane;
  });
  const fill = (lane: Lane): void => {
    for (; lane.inFlight < window; lane.inFlight++) sendTyping(lane.sender);
  };
  lanes.forEach(fill);
  // A server may drop typing frames under backpressure: refill lanes that went quiet.
  const refill = setInterval(() => {
    for (const lane of lanes) {
      if (lane.deliveredSinceCheck === 0) {
        lane.inFlight = 0;
        fill(lane);
      }
      lane.deliveredSinceCheck = 0;
    }
  }, 250);
  await sleep(500); // warm-up
  const startDelivered = delivered;
  const cpu = new CpuMeter(serverPid);
  await sleep(seconds * 1000);
  const usage = cpu.stop();
  const count = delivered - startDelivered;
  running = false;
  clearInterval(refill);
  await sleep(200);
  for (const { recipient } of pairs) recipient.socket.removeAllListeners('message');
  return {
    deliveredPerSecond: count / usage.wallSeconds,
    generatorCores: usage.generatorCores,
    serverCores: usage.serverCores,
  };
}
