/** The person behind a request, as the domain sees it (the Slack surface decides who it is: src/slack/actors.ts). */
export interface Actor {
  userId: string;
  teamId: string;
  /** A member of Fleet's own workspace (not, e.g., a customer's HR admin in a Slack Connect channel). */
  internal: boolean;
}

// Where a user belongs is decided beside our Slack identity (src/context.ts), where every layer can ask.
export { isOurUser, type UserOrigin } from "../context.ts";
