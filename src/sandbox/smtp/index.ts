/**
 * An SMTP stand-in for the sandbox and the tests: a real SMTP server (`smtp-server`) on 127.0.0.1 that keeps
 * every message, read back with a real MIME parser (`mailparser`); the sandbox page's mailbox lists them. A witness, stricter than friendly: it refuses a message whose
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

/** One message as the sandbox page's mailbox shows it (src/sandbox/routes/mailbox-routes.ts). */
export interface MailboxView {
  to: string;
  subject: string;
  at: Date;
  text?: string;
  html?: string;
  calendar?: string;
}

/** The running stand-in. */
export interface SmtpStandIn {
  url: string;
  mails: ReceivedMail[];
  /** The same messages, as the mailbox shows them (parts read back from the parsed MIME). */
  mailbox: MailboxView[];
  /**
   * Answers the next `count` recipients with a transient failure (451 at RCPT TO, as a busy or greylisting
   * server does, RFC 5321 §4.2.1 "4yz"): the client should try again later. Refused mail is not kept.
   */
  refuseNext(count: number): void;
  /** Recipients refused so far by {@link refuseNext}. */
  refused: string[];
  stop(): Promise<void>;
}

const addressesOf = (field: ParsedMail["to"]): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) =>
    a.value.map((v) => (v.address ?? "").toLowerCase()),
  );

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const mails: ReceivedMail[] = [];
  const mailbox: MailboxView[] = [];
  const refused: string[] = [];
  let toRefuse = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS offered (nodemailer would upgrade to the server's self-signed cert).
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (toRefuse <= 0) return callback();
      toRefuse--;
      refused.push(address.address.toLowerCase());
      const busy = Object.assign(new Error("4.3.0 Try again later"), { responseCode: 451 });
      callback(busy);
    },
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
        mailbox.push(viewOf(to, parsed));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    mailbox,
    refused,
    refuseNext: (count) => {
      toRefuse = count;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The mailbox's view of a parsed message: text, HTML and the `text/calendar` alternative (mailparser lists it). */
function viewOf(to: string[], parsed: ParsedMail): MailboxView {
  const calendar = parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"));
  return {
    to: to.join(", "),
    subject: parsed.subject ?? "",
    at: parsed.date ?? new Date(),
    ...(parsed.text ? { text: parsed.text } : {}),
    ...(typeof parsed.html === "string" ? { html: parsed.html } : {}),
    ...(calendar ? { calendar: calendar.content.toString("utf8") } : {}),
  };
}
