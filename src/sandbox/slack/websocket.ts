// The server end of the stand-in's WebSockets, on `ws` (the maintained RFC 6455 implementation most Node servers
// use): the handshake, framing, ping/pong and the closing handshake are the library's. The client end is undici's,
// the one @slack/socket-mode itself uses. This file only adapts `ws` to what the Socket Mode stand-in needs.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

const MAX_MESSAGE = 1024 * 1024;
/** One server for every upgrade: `noServer` leaves the HTTP server and its routing to the stand-in. */
const server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false });

/** What a server connection reports to its owner. */
export interface WebSocketHandlers {
  onText(text: string): void;
  /** Called once, when the connection is gone (after a closing handshake or not). */
  onClose(code: number | undefined): void;
}

/** Answers an upgrade request with the handshake (ws refuses a malformed one with 400); null when refused. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  handlers: WebSocketHandlers,
): Promise<WebSocketConnection | null> {
  return new Promise((resolve) => {
    socket.once("close", () => resolve(null)); // refused by ws before the handshake completed
    server.handleUpgrade(req, socket, Buffer.alloc(0), (ws) =>
      resolve(new WebSocketConnection(ws, handlers)),
    );
  });
}

/** Ends an upgrade request with a plain HTTP error. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** One open server-side WebSocket. */
export class WebSocketConnection {
  constructor(
    private readonly ws: WebSocket,
    handlers: WebSocketHandlers,
  ) {
    ws.on("message", (data, isBinary) => {
      // Socket Mode speaks JSON text frames only: a binary frame is refused as unsupported data (RFC 6455 §7.4.1).
      if (isBinary) ws.close(1003, "text frames only");
      else handlers.onText(String(data));
    });
    ws.on("error", () => ws.terminate());
    ws.once("close", (code) => handlers.onClose(code));
  }

  /** Whether text can still be sent. */
  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one text message. */
  sendText(text: string): void {
    if (this.isOpen) this.ws.send(text);
  }

  /** Starts the closing handshake. */
  close(code = 1000, reason = ""): void {
    this.ws.close(code, reason);
  }

  /** Drops the connection without a closing handshake (a network failure, as the client sees it). */
  terminate(): void {
    this.ws.terminate();
  }
}
