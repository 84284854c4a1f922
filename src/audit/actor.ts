/** The person behind a request, as the domain sees it (the Slack surface decides who it is: src/slack/actors.ts). */
export interface Actor {
  userId: string;
  teamId: string;
  /** A member of Fleet's own workspace (not, e.g., a customer's HR admin in a Slack Connect channel). */
  internal: boolean;
  /**
   * Set for a customer acting from their private progress page (src/portal): the address the link was issued
   * to. `userId` is then `email:<address>` and `teamId` is `email`, so the audit trail names them as such.
   */
  email?: string;
}

/** The actor of a private-page request: the recipient the link was issued to. */
export function emailActor(email: string): Actor {
  return { userId: `email:${email}`, teamId: "email", internal: false, email };
}

// Where a user belongs is decided beside our Slack identity (src/context.ts), where every layer can ask.
export { isOurUser, type UserOrigin } from "../context.ts";
