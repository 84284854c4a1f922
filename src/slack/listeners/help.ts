/** `/fleet help [subcommand]` (and `/fleet` alone): the usage, for anyone, inside the acknowledgement. */
import { helpText, USAGE } from "../commands/parse.ts";
import type { SubcommandsOf } from "./fleet-command.ts";

/** The `help` subcommand. */
export function subcommands() {
  return {
    help: { answer: (cmd) => (cmd.topic ? USAGE[cmd.topic] : helpText()) },
  } satisfies SubcommandsOf<"help">;
}
