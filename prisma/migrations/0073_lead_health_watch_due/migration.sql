-- The daily health pass selects only connections whose next check is set (src/finch/health-watch.ts):
-- closing an onboarding sets it from now on; closed onboardings' connections never checked yet are due now.
update finch_connection c
   set next_health_check_at = now()
  from onboarding o
 where o.id = c.onboarding_id and o.status = 'done' and c.next_health_check_at is null;
