/** FIN set, opcode 1: a whole text message in one frame (RFC 6455 §5.2). */
const FIN_TEXT = 0x81;

/**
 * A buffer for a server-to-client text frame of `payloadLength` bytes, its header
 * written; the payload goes at the returned offset. Server frames are not masked
 * (RFC 6455 §5.1), so the same bytes serve every socket.
 */
export function allocTextFrame(payloadLength: number): [frame: Buffer, payloadOffset: number] {
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = FIN_TEXT;
  if (payloadLength < 126) {
    frame[1] = payloadLength;
  } else if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    frame.writeUInt32BE(payloadLength >>> 0, 6);
  }
  return [frame, headerLength];
}

/** A server-to-client text frame, header and payload in one buffer. */
export function encodeTextFrame(payload: string): Buffer {
  const [frame, offset] = allocTextFrame(Buffer.byteLength(payload));
  frame.write(payload, offset, 'utf8');
  return frame;
}

/**
 * A server frame serialised once and framed at most once, however many sockets
 * it goes to. Written straight to the TCP socket, a frame costs one buffered write;
 * through ws.send it costs an options object, a header buffer and two writes,
 * which profiling of typing fan-out put among the largest costs per frame.
 */
export class OutgoingTextFrame {
  constructor(
    readonly json: string,
    private encoded: Buffer | null = null,
  ) {}

  get bytes(): Buffer {
    this.encoded ??= encodeTextFrame(this.json);
    return this.encoded;
  }
}
