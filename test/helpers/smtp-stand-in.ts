/** The SMTP stand-in lives with the other stand-ins (src/sandbox/smtp): the sandbox starts it too. */
export { type ReceivedMail, type SmtpStandIn, startSmtpStandIn } from "../../src/sandbox/smtp/index.ts";
