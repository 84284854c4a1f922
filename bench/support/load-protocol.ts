/** The messages between the bench and its load generator process (bench/support/load-child.ts). */

/** One request of a run: a slash command (its form fields) or a tick (template, user, trigger). */
export type PlannedRequest =
  | { kind: "command"; fields: Record<string, string> }
  | { kind: "tick"; template: string; userId: string; triggerId: string; responseUrl: string };

/** Placeholders in tick templates (URL-safe, so they survive form encoding unchanged). */
export const PLACEHOLDER = {
  userId: "ZZUSERIDZZ",
  userName: "zzusernamezz",
  triggerId: "ZZTRIGGERZZ",
  responseUrl: "ZZRESPONSEURLZZ",
  actionTs: "ZZACTIONTSZZ",
} as const;

export interface InitMessage {
  type: "init";
  url: string;
  signingSecret: string;
  /** Form-encoded `payload=…` bodies with {@link PLACEHOLDER}s, by name. */
  templates: Record<string, string>;
}
export interface RunMessage {
  type: "run";
  rate: number;
  requests: PlannedRequest[];
  /** A request that has no answer after this long counts as an error. */
  timeoutMs: number;
}
/** Per request: [lateness of the start (ms), ack latency from the scheduled time (ms), HTTP status or 0]. */
export interface DoneMessage {
  type: "done";
  /** Epoch ms (performance.timeOrigin + now) at which request 0 was due; request i is due at + i·1000/rate. */
  startEpochMs: number;
  /** Epoch ms at which the last request was due. */
  endEpochMs: number;
  results: Array<[number, number, number]>;
  /** The first few answers other than 200: request index, HTTP status (0: no answer) and what it said. */
  errorSamples: ErrorSample[];
}

/** One failed request, as the generator saw it. */
export interface ErrorSample {
  index: number;
  status: number;
  detail: string;
}
