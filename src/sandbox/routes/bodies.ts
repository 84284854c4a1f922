/** The JSON bodies the sandbox page posts, as zod schemas: the API refuses anything else. */
import { z } from "zod";

export const userIdSchema = z.string().regex(/^[UW][A-Z0-9]{2,30}$/, "a Slack user id");
export const channelIdSchema = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, "a Slack channel id");
export const tsSchema = z.string().regex(/^\d{1,12}\.\d{1,6}$/, "a Slack ts");
export const uuidSchema = z.uuid();

export const commandBody = z.object({
  text: z.string().max(4000),
  as: userIdSchema.optional(),
  channelId: channelIdSchema.optional(),
  command: z
    .string()
    .regex(/^\/[a-z0-9_-]{1,32}$/)
    .optional(),
});
export const messageBody = z.object({
  as: userIdSchema,
  channelId: channelIdSchema,
  text: z.string().min(1).max(4000),
  threadTs: tsSchema.optional(),
});
export const actionSchema = z
  .object({
    action_id: z.string().min(1).max(255),
    block_id: z.string().max(255).optional(),
    type: z.string().max(64).optional(),
  })
  .catchall(z.unknown());
export const stateValuesSchema = z.record(
  z.string(),
  z.record(z.string(), z.record(z.string(), z.unknown())),
);
export const actionBody = z.object({
  as: userIdSchema,
  container: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("message"), channelId: channelIdSchema, ts: tsSchema }),
    z.object({ kind: z.literal("ephemeral"), channelId: channelIdSchema, ts: tsSchema }),
    z.object({ kind: z.literal("note"), id: z.string().max(40) }),
    z.object({ kind: z.literal("view"), viewId: z.string().max(64) }),
  ]),
  action: actionSchema,
  stateValues: stateValuesSchema.optional(),
});
export const viewSubmitBody = z.object({
  as: userIdSchema,
  viewId: z.string().max(64),
  values: stateValuesSchema,
});
export const viewCloseBody = z.object({ as: userIdSchema, viewId: z.string().max(64) });
export const asBody = z.object({ as: userIdSchema });
export const onboardingBody = z.object({ onboardingId: uuidSchema });
export const advanceBody = z.object({
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
});
