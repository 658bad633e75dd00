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

const TYPING_FRAME = { type: 'typing', is_typing: true };

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
    recipient.onFrame = (message) => {
      if (message.type !== 'typing') return;
      delivered++;
      lane.deliveredSinceCheck++;
      lane.inFlight = Math.max(0, lane.inFlight - 1);
      if (running) {
        lane.inFlight++;
        sender.send(TYPING_FRAME);
      }
    };
    return lane;
  });
  const fill = (lane: Lane): void => {
    for (; lane.inFlight < window; lane.inFlight++) lane.sender.send(TYPING_FRAME);
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
  for (const { recipient } of pairs) recipient.onFrame = () => undefined;
  return {
    deliveredPerSecond: count / usage.wallSeconds,
    generatorCores: usage.generatorCores,
    serverCores: usage.serverCores,
  };
}
