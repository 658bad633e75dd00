import { openAll } from './bench-socket';
import { TypingLanes } from './typing-lanes';

/** What P3's coordinator (`figures/typing-fanout.ts`) asks of this process, over IPC. */
export type TypingClientsCommand =
  | { type: 'open'; senderUrls: string[]; recipientUrls: string[]; waitForConnected: boolean; window: number }
  | { type: 'start' }
  | { type: 'read' }
  | { type: 'stop' };

/** What this process answers. `cpuMicros`: its own CPU time so far (user + system). */
export type TypingClientsReply =
  | { type: 'opened' }
  | { type: 'count'; delivered: number; cpuMicros: number }
  | { type: 'stopped' }
  | { type: 'error'; error: string };

let lanes: TypingLanes | null = null;
let closeAll: () => void = () => undefined;

function reply(message: TypingClientsReply): void {
  process.send?.(message);
}

/**
 * A child process that drives part of P3's conversations, so that no single generator
 * process saturates a core before the server does (one process could not keep up with
 * the bare relay). Opens its sockets, then starts, reports and stops when told.
 */
process.on('message', (command: TypingClientsCommand) => {
  switch (command.type) {
    case 'open':
      Promise.all([
        openAll(command.senderUrls, command.waitForConnected),
        openAll(command.recipientUrls, command.waitForConnected),
      ]).then(
        ([senders, recipients]) => {
          lanes = new TypingLanes(
            senders.map((sender, index) => ({ sender, recipient: recipients[index] })),
            command.window,
          );
          closeAll = () => [...senders, ...recipients].forEach((socket) => socket.close());
          reply({ type: 'opened' });
        },
        (error: unknown) => reply({ type: 'error', error: String(error) }),
      );
      return;
    case 'start':
      lanes?.start();
      return;
    case 'read': {
      const cpu = process.cpuUsage();
      reply({ type: 'count', delivered: lanes?.delivered ?? 0, cpuMicros: cpu.user + cpu.system });
      return;
    }
    case 'stop':
      lanes?.stop();
      closeAll();
      reply({ type: 'stopped' });
      return;
  }
});
process.on('disconnect', () => process.exit(0));
