/** The Slack stand-in: what tests, the benchmark and sandbox mode use. */
export { manifestBotScopes } from "./scopes.ts";
export type {
  EnvelopeType,
  SocketModeDeliveryInput,
  SocketModeDeliveryResult,
  SocketModeEnvelope,
  SocketModeStandIn,
} from "./socket-mode.ts";
export { newAppToken } from "./socket-mode.ts";
export { SlackStandIn } from "./stand-in.ts";
export type {
  ChannelInput,
  ChannelSnapshot,
  FaultSpec,
  MessageMetadata,
  RecordedCall,
  SharedInvite,
  SharedInviteAcceptance,
  SlackStandInOptions,
  StandInEventMap,
  StandInTeam,
  StandInUser,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
} from "./types.ts";
export { channelNameError, isValidEmail, tsToMicros } from "./web-api-args.ts";
