import { createServer } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { corkUntilTickEnd } from '../src/chat/ws/tick-cork';

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

wss.on('connection', (socket, request) => {
  const room = (request.url ?? '/').split('/').pop() ?? '';
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  const peers = members;
  peers.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const peer of peers)
      if (peer !== socket && peer.readyState === WebSocket.OPEN) {
        // Parley's own corking: the baseline must not lose on batching alone.
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
