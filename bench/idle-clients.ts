import { openAll } from './bench-socket';

/**
 * A child process that holds idle sockets for P5 (one process cannot hold
 * 15,000 with `ulimit -n` 20,000 and the server on the same box). Gets its URLs
 * over IPC, answers how many it opened, and holds them until told to exit.
 */
process.on('message', (message: { urls: string[]; waitForConnected: boolean }) => {
  openAll(message.urls, message.waitForConnected, 50)
    .then((sockets) => process.send?.({ opened: sockets.length }))
    .catch((error: unknown) => process.send?.({ error: String(error) }));
});
process.on('disconnect', () => process.exit(0));
