/** Web API methods about the bot and the people of the workspace. */
import type { AuthTestResponse, UsergroupsUsersListResponse, UsersInfoResponse } from "@slack/web-api";
import { apiUser } from "../api-shapes.ts";
import { type Args, type MethodHandler, SlackApiError } from "../web-api-args.ts";
import type { SlackWorkspace } from "../workspace.ts";

/** auth.test, users.info, usergroups.users.list methods by Web API name. */
export function userMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["auth.test", () => authTest(ws)],
    ["users.info", (a) => usersInfo(ws, a)],
    ["usergroups.users.list", (a) => usergroupsUsersList(ws, a)],
  ];
}

function authTest(ws: SlackWorkspace): AuthTestResponse {
  return {
    ok: true,
    url: `https://${ws.homeTeam.domain}.slack.com/`,
    team: ws.homeTeam.name,
    user: ws.botName,
    team_id: ws.homeTeam.id,
    user_id: ws.botUserId,
    bot_id: ws.botId,
    ...(ws.enterpriseId ? { enterprise_id: ws.enterpriseId } : {}),
    is_enterprise_install: false,
  };
}

function usersInfo(ws: SlackWorkspace, args: Args): UsersInfoResponse {
  return { ok: true, user: apiUser(ws, ws.requireUser(args.required("user", "user_not_found"))) };
}

function usergroupsUsersList(ws: SlackWorkspace, args: Args): UsergroupsUsersListResponse {
  const group = ws.userGroups.get(args.required("usergroup", "no_such_subteam"));
  if (!group) throw new SlackApiError("no_such_subteam");
  return { ok: true, users: [...group.users] };
}
