import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The baseline: a bare `ws` server that relays every text frame to the other
 * sockets of its room (`/relay/{room}`), with no auth, storage or validation.
 */
const port = Number(process.argv[2] ?? 9100);
const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((request, response) => {
  response.writeHead(request.url === '/health' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server });

/** ws keeps its TCP socket private, as `_socket`. */
type WithTcpSocket = WebSocket & { _socket?: Socket | null };

function uncork(tcp: Socket): void {
  tcp.uncork();
}

/**
 * Frames sent to one peer in one tick leave in one write system call, as Parley's
 * connections do (tick-cork.ts): the baseline must not lose on batching alone.
 */
function corkUntilTickEnd(socket: WebSocket): void {
  const tcp = (socket as WithTcpSocket)._socket;
  if (!tcp || tcp.writableCorked > 0) return;
  tcp.cork();
  process.nextTick(uncork, tcp);
}

wss.on('connection', (socket, request) => {
  const room = (request.url ?? '/').split('/').pop() ?? '';
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  const peers = members;
  peers.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const peer of peers)
      if (peer !== socket && peer.readyState === WebSocket.OPEN) {
        corkUntilTickEnd(peer);
        peer.send(data, { binary: isBinary });
      }
  });
  socket.on('close', () => peers.delete(socket));
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
});
