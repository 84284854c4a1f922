// The server end of RFC 6455 WebSockets, as much as the Socket Mode stand-in needs: the opening handshake,
// masked client frames (text, ping, close; fragments reassembled), unmasked server frames and the closing
// handshake. Written here because the project has no WebSocket server package; the client end is undici's,
// the one @slack/socket-mode itself uses.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_MESSAGE = 1024 * 1024;

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** What a server connection reports to its owner. */
export interface WebSocketHandlers {
  onText(text: string): void;
  /** Called once, when the TCP socket is gone (after a closing handshake or not). */
  onClose(code: number | undefined): void;
}

/** Answers an upgrade request with the handshake, or refuses a malformed one (400); null when refused. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  handlers: WebSocketHandlers,
): WebSocketConnection | null {
  const key = req.headers["sec-websocket-key"];
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  if (typeof key !== "string" || upgrade !== "websocket" || req.headers["sec-websocket-version"] !== "13") {
    refuseUpgrade(socket, 400, "Bad Request");
    return null;
  }
  const accept = createHash("sha1").update(`${key}${HANDSHAKE_GUID}`).digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WebSocketConnection(socket, handlers);
}

/** Ends an upgrade request with a plain HTTP error. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** One open server-side WebSocket. */
export class WebSocketConnection {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private closeSent = false;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly handlers: WebSocketHandlers,
  ) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.finish(undefined));
  }

  /** Whether text can still be sent. */
  get isOpen(): boolean {
    return !this.closeSent && !this.closed;
  }

  /** Sends one text message. */
  sendText(text: string): void {
    if (this.isOpen) this.socket.write(frame(OP_TEXT, Buffer.from(text, "utf8")));
  }

  /** Starts the closing handshake; the socket ends when the peer answers (or after a grace period). */
  close(code = 1000, reason = ""): void {
    if (!this.isOpen) return;
    this.closeSent = true;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.socket.write(frame(OP_CLOSE, body));
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  /** Drops the TCP connection without a closing handshake (a network failure). */
  terminate(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseFrame(this.buffer);
      if (parsed === "incomplete") return;
      if (parsed === "invalid") {
        this.fail(1002);
        return;
      }
      this.buffer = this.buffer.subarray(parsed.length);
      this.handleFrame(parsed.fin, parsed.opcode, parsed.payload);
      if (this.closed) return;
    }
  }

  private handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      this.socket.write(frame(OP_PONG, payload));
    } else if (opcode === OP_CLOSE) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
      if (!this.closeSent) {
        this.closeSent = true;
        this.socket.write(frame(OP_CLOSE, payload.subarray(0, 2)));
      }
      this.socket.end();
      this.finish(code);
    } else if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      if (opcode !== OP_CONTINUATION) {
        this.fragmentOpcode = opcode;
        this.fragments = [];
      }
      this.fragments.push(payload);
      if (this.fragments.reduce((n, f) => n + f.length, 0) > MAX_MESSAGE) {
        this.fail(1009);
        return;
      }
      if (!fin) return;
      const message = Buffer.concat(this.fragments);
      this.fragments = [];
      // Socket Mode speaks JSON text; a binary message is ignored, as Slack's SDK ignores one.
      if (this.fragmentOpcode === OP_TEXT && this.isOpen) this.handlers.onText(message.toString("utf8"));
    }
  }

  private fail(code: number): void {
    this.close(code);
    this.socket.end();
  }

  private finish(code: number | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(code);
  }
}

type Frame = { fin: boolean; opcode: number; payload: Buffer; length: number };

/** One client frame from the start of `data`; clients must mask (RFC 6455 §5.1). */
function parseFrame(data: Buffer): Frame | "incomplete" | "invalid" {
  if (data.length < 2) return "incomplete";
  const first = data[0]!;
  const second = data[1]!;
  if ((second & 0x80) === 0 || (first & 0x70) !== 0) return "invalid";
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return "incomplete";
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return "incomplete";
    const big = data.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE)) return "invalid";
    length = Number(big);
    offset = 10;
  }
  if (data.length < offset + 4 + length) return "incomplete";
  const mask = data.subarray(offset, offset + 4);
  const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, length: offset + 4 + length };
}

/** An unmasked, unfragmented server frame. */
function frame(opcode: number, payload: Buffer): Buffer {
  const head =
    payload.length < 126 ? Buffer.alloc(2) : payload.length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (payload.length < 126) {
    head[1] = payload.length;
  } else if (payload.length < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([head, payload]);
}
