/**
 * The one place that starts the Slack and Finch stand-ins together, with the workspaces, people and channels
 * a caller needs: sandbox mode, the test harness and the benchmark all start them here.
 */
import { FinchStandIn } from "./finch/index.ts";
import {
  type ChannelInput,
  manifestBotScopes,
  SlackStandIn,
  type SlackStandInOptions,
  type StandInTeam,
  type StandInUser,
} from "./slack/index.ts";

/** What to start: the Slack side's options plus Finch's client credentials and who is there at the start. */
export interface StandInsOptions extends Omit<SlackStandInOptions, "scopes"> {
  /** The bot token's scopes; default: those manifest.yml asks for, so the stand-in refuses what Slack would. */
  scopes?: string[];
  finchClientId: string;
  finchClientSecret: string;
  /** Slack Connect partner workspaces. */
  teams?: StandInTeam[];
  /** People of the home team or of `teams`. */
  users?: StandInUser[];
  channels?: ChannelInput[];
}

/** Both stand-ins, listening on 127.0.0.1. */
export interface StandIns {
  slack: SlackStandIn;
  finch: FinchStandIn;
  /** Stops both. */
  stop(): Promise<void>;
}

/** Starts the Slack and Finch stand-ins and registers the given teams, users and channels. */
export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const {
    finchClientId,
    finchClientSecret,
    teams = [],
    users = [],
    channels = [],
    scopes = manifestBotScopes(),
    ...slackOptions
  } = options;
  const slack = await SlackStandIn.start({ ...slackOptions, scopes });
  for (const team of teams) slack.addTeam(team);
  for (const user of users) slack.addUser(user);
  for (const channel of channels) slack.addChannel(channel);
  const finch = await FinchStandIn.start({ clientId: finchClientId, clientSecret: finchClientSecret });
  return {
    slack,
    finch,
    stop: async () => {
      await slack.stop();
      await finch.stop();
    },
  };
}
