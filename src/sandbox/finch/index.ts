/** The Finch stand-in: what tests, the benchmark and sandbox mode use. */
export { FinchStandIn } from "./stand-in.ts";
export type {
  CallRecord,
  CompleteSessionOptions,
  CompleteSessionResult,
  ConnectedEvent,
  ConnectionPatch,
  FaultSpec,
  FinchErrorBody,
  FinchProduct,
  FinchStandInEvents,
  FinchStandInOptions,
  FinchWebhookHeaders,
  JobCompletionEventType,
  StandInAccountUpdateEvent,
  StandInAuthMethod,
  StandInConnection,
  StandInConnectionStatus,
  StandInEntity,
} from "./types.ts";
export { SANDBOX_LOGIN } from "./types.ts";
export {
  buildAccountUpdatedEvent,
  buildJobSucceededEvent,
  signFinchWebhook,
  type WebhookConnectionRef,
} from "./webhooks.ts";
