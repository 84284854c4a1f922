/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the outage tests) that a test can cut:
 * `refuse` drops every open connection and closes new ones at once (the server is gone), `blackhole` drops
 * the open ones and holds new ones without an answer (a network partition: the client waits for its own
 * timeout), `restore` lets traffic through again.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "open" | "refuse" | "blackhole";

export class TcpProxy {
  private mode: ProxyMode = "open";
  private readonly open = new Set<Socket>();
  private readonly held = new Set<Socket>();
  private server: Server | null = null;
  port = 0;
  /** Connections accepted while cut (what the client kept trying). */
  attemptsWhileCut = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this;
  }

  /** Cuts the line: every open connection is dropped, new ones are refused or held. */
  cut(mode: Exclude<ProxyMode, "open">): void {
    this.mode = mode;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  /** Lets traffic through again (held connections are dropped; the client reconnects). */
  restore(): void {
    this.mode = "open";
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    this.cut("refuse");
    this.restore();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => {});
    if (this.mode !== "open") {
      this.attemptsWhileCut += 1;
      if (this.mode === "refuse") client.destroy();
      else this.held.add(client);
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
    this.open.add(client);
    this.open.add(upstream);
    client.on("close", () => {
      this.open.delete(client);
      this.open.delete(upstream);
    });
  }
}
