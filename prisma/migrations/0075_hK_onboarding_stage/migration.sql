-- Issue 26 (scale): "where customers stall" (src/analytics/figures.ts stalls) counted every idle active
-- onboarding with four probes each (~308,000 at 500,000 onboardings: 2.2 s). Each onboarding now carries
-- where its customer is and the last step ticked, and a partial index on the last customer activity makes the
-- figures an index-only aggregate.
--
-- customer_stage: verified (its connection is verified) | connected (a connection) | accepted (an invitation
-- accepted or approved) | invited (none of these). last_step: item_key of its latest checked tick (at, id).
--
-- Kept by statement-level triggers in the very statement that changes an invitation, the connection (and its
-- verification) or a tick, whoever writes it (the app's ~20 writers, the sandbox and bench seeds, a manual
-- fix): a writer cannot forget them, and a bulk statement refreshes its onboardings once, set-based. Each
-- trigger recomputes from the source rows (not from the change), and writes only when the value differs, so a
-- tick whose statement already set last_step (src/onboarding/checklist-service.ts recordItemChange) costs one
-- index probe and no second row version. Plain PL/pgSQL: PostgreSQL and PGlite.
ALTER TABLE "onboarding" ADD COLUMN "customer_stage" TEXT NOT NULL DEFAULT 'invited',
                         ADD COLUMN "last_step" TEXT;

CREATE FUNCTION "onboarding_customer_stage"(oid UUID) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM finch_connection c WHERE c.onboarding_id = oid AND c.verified_at IS NOT NULL)
      THEN 'verified'
    WHEN EXISTS (SELECT 1 FROM finch_connection c WHERE c.onboarding_id = oid) THEN 'connected'
    WHEN EXISTS (SELECT 1 FROM invite i WHERE i.onboarding_id = oid AND i.status IN ('accepted', 'approved'))
      THEN 'accepted'
    ELSE 'invited' END
$$;

CREATE FUNCTION "onboarding_last_step"(oid UUID) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT t.item_key FROM tick t WHERE t.onboarding_id = oid AND t.checked ORDER BY t.at DESC, t.id DESC LIMIT 1
$$;

-- Refresh the given onboardings. Their rows are locked first, and the source rows read after, by a statement
-- with a fresh snapshot (PL/pgSQL, READ COMMITTED): of two concurrent changes of one onboarding (an invitation
-- accepted while the connection is stored), the second to take the lock sees the first's committed rows, so the
-- last writer computes from both.
CREATE FUNCTION "onboarding_stage_refresh"(ids UUID[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM onboarding WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
  UPDATE onboarding o SET customer_stage = s.stage
    FROM (SELECT x.id, onboarding_customer_stage(x.id) AS stage FROM unnest(ids) AS x(id)) s
   WHERE o.id = s.id AND o.customer_stage IS DISTINCT FROM s.stage;
END
$$;

CREATE FUNCTION "onboarding_last_step_refresh"(ids UUID[]) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM onboarding WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
  UPDATE onboarding o SET last_step = s.step
    FROM (SELECT x.id, onboarding_last_step(x.id) AS step FROM unnest(ids) AS x(id)) s
   WHERE o.id = s.id AND o.last_step IS DISTINCT FROM s.step;
END
$$;

-- Trigger functions, each reading the statement's transition table(s). Inserted and deleted invitations and
-- connections always count; an update only when it changes what the stage reads (an invitation's status, the
-- connection's verified_at being set or not): the connection's polling and health writes lock nothing.
-- (An invitation, connection or tick never moves to another onboarding.)
CREATE FUNCTION "onboarding_stage_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM onboarding_stage_refresh(array(SELECT DISTINCT onboarding_id FROM changed_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION "invite_stage_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM onboarding_stage_refresh(array(
    SELECT DISTINCT n.onboarding_id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.status IS DISTINCT FROM o.status));
  RETURN NULL;
END
$$;

CREATE FUNCTION "finch_connection_stage_updated"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM onboarding_stage_refresh(array(
    SELECT DISTINCT n.onboarding_id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.verified_at IS NULL) <> (o.verified_at IS NULL)));
  RETURN NULL;
END
$$;

CREATE FUNCTION "tick_last_step_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM onboarding_last_step_refresh(array(SELECT DISTINCT onboarding_id FROM changed_rows));
  RETURN NULL;
END
$$;

-- One trigger per event: a trigger with transition tables may name only one.
CREATE TRIGGER "invite_stage_ins" AFTER INSERT ON "invite" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_stage_changed();
CREATE TRIGGER "invite_stage_upd" AFTER UPDATE ON "invite" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION invite_stage_updated();
CREATE TRIGGER "invite_stage_del" AFTER DELETE ON "invite" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_stage_changed();
CREATE TRIGGER "finch_connection_stage_ins" AFTER INSERT ON "finch_connection" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_stage_changed();
CREATE TRIGGER "finch_connection_stage_upd" AFTER UPDATE ON "finch_connection"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION finch_connection_stage_updated();
CREATE TRIGGER "finch_connection_stage_del" AFTER DELETE ON "finch_connection" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_stage_changed();
CREATE TRIGGER "tick_last_step_ins" AFTER INSERT ON "tick" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tick_last_step_changed();
CREATE TRIGGER "tick_last_step_upd" AFTER UPDATE ON "tick" REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tick_last_step_changed();
CREATE TRIGGER "tick_last_step_del" AFTER DELETE ON "tick" REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tick_last_step_changed();

-- Backfill: only rows whose values differ from the defaults are rewritten.
UPDATE onboarding o SET customer_stage = s.stage, last_step = s.step
  FROM (SELECT x.id, onboarding_customer_stage(x.id) AS stage, onboarding_last_step(x.id) AS step
          FROM onboarding x) s
 WHERE o.id = s.id AND (s.stage <> 'invited' OR s.step IS NOT NULL);

-- The stalls figures: active onboardings by last customer activity, stage and step read from the index alone
-- (the two activity columns are included so that PostgreSQL can answer the expression from the index).
-- (Prisma's schema cannot express an expression or partial index; it lives here only.)
CREATE INDEX "onboarding_active_activity_idx" ON "onboarding" ((COALESCE("last_customer_activity_at", "created_at")))
  INCLUDE ("customer_stage", "last_step", "last_customer_activity_at", "created_at") WHERE "status" = 'active';
