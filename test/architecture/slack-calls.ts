/**
 * Finds Web API calls written out in a source file (`client.chat.update(…)`, `ctx.slack.pins.add(…)`,
 * `slack.apiCall(…)`), so a rule can keep them in src/slack-gateway: the domain names what it wants done and
 * the gateway knows Slack's methods.
 */
import ts from "typescript";

/** Slack Web API method families, as the SDK's WebClient names them. */
const FAMILIES = new Set([
  "admin",
  "bookmarks",
  "chat",
  "conversations",
  "files",
  "pins",
  "reactions",
  "usergroups",
  "users",
  "views",
]);
/** WebClient methods called directly on the client. */
const DIRECT = new Set(["apiCall", "filesUploadV2", "paginate"]);

/** One written-out Web API call. */
export interface SlackCall {
  file: string;
  line: number;
  call: string;
}

/** Every written-out Web API call in `text` (`x.family.method(…)`, `x.apiCall(…)` …). */
export function slackCallsOf(file: string, text: string): SlackCall[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const calls: SlackCall[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const callee = node.expression;
      const family = ts.isPropertyAccessExpression(callee.expression) ? callee.expression.name.text : null;
      if ((family && FAMILIES.has(family)) || DIRECT.has(callee.name.text)) {
        calls.push({
          file,
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          call: callee.getText(source),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return calls;
}
