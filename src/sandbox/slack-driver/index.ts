/** The Slack driver: plays Slack towards the app (tests, the benchmark, the sandbox page). */
export { SlackDriver } from "./driver.ts";
export { signSlackRequest } from "./signing.ts";
export type {
  ActionInput,
  BlockActionsInput,
  BlockActionsPayload,
  BlockSuggestionInput,
  CommandInput,
  DeliveryOptions,
  DriverMessage,
  DriverResponse,
  DriverTeam,
  DriverUser,
  DriverView,
  EventEnvelopeInput,
  EventResponse,
  InteractionResponse,
  RawRequestInput,
  SinkEntry,
  SlackDriverOptions,
  SocketModeTransport,
  ViewSubmissionInput,
  ViewSubmissionPayload,
} from "./types.ts";
