/**
 * An SMTP stand-in for tests: a real SMTP server (`smtp-server`) on 127.0.0.1 that keeps every message, read
 * back with a real MIME parser (`mailparser`). A witness, stricter than friendly: it refuses a message whose
 * envelope sender or recipients disagree with its From/To headers, and one without a Message-ID or Date.
 */
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message as received: the envelope, the parsed message and its raw source. */
export interface ReceivedMail {
  from: string;
  to: string[];
  parsed: ParsedMail;
  raw: string;
}

/** The running stand-in. */
export interface SmtpStandIn {
  url: string;
  mails: ReceivedMail[];
  stop(): Promise<void>;
}

const addressesOf = (field: ParsedMail["to"]): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) =>
    a.value.map((v) => (v.address ?? "").toLowerCase()),
  );

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS offered (nodemailer would upgrade to the server's self-signed cert).
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const parsed = await simpleParser(raw);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : "";
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const headerFrom = parsed.from?.value[0]?.address?.toLowerCase() ?? "";
        const headerTo = addressesOf(parsed.to);
        if (from !== headerFrom || to.join() !== headerTo.join())
          return callback(new Error("envelope and headers disagree"));
        if (!parsed.messageId || !parsed.date) return callback(new Error("Message-ID and Date are required"));
        mails.push({ from, to, parsed, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
