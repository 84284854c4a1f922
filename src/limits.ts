/** Limits shared by every ingress: Slack's (Bolt's HTTPReceiver) and the app's own HTTP routes. */

/** The largest request body accepted anywhere; larger ones get 413 before they are read. */
export const ONE_MEGABYTE = 1024 * 1024;
