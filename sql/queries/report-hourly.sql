-- report-hourly.sql: a day hour by hour (fastops-ctl report hourly).
--
-- $1 company name, $2 branch name or NULL for all the company's branches,
-- $3 the day (a date), or NULL for today.  Days and hours are those of the
-- session's time zone; on the day a clock goes back, the hour it repeats
-- counts as one.
--
-- One row per hour that had something to count, in order, then the day's
-- total (hour NULL).  For all the branches, each hour has a row per branch
-- and then the company's (branch NULL), and the day's totals are likewise
-- one per branch and the company's.
--   branch, hour          NULL: the total over branches, over the day
--   orders, items         orders taken in the hour, and their items (the
--                         sum of the quantities of their lines as they
--                         stand now)
--   printed               tickets printed in the hour, of every kind
--   fallbacks             tickets handed to a kitchen screen in the hour
--                         (job.fallback events: a ticket printed after
--                         all still counts)
--   total_p50_s, total_p95_s, total_p99_s
--                         queued -> on paper of the tickets printed in the
--                         hour, in seconds (interpolated), NULL if none
--   under_5s              the share of those under the 5 s target, 0 to 1
--
-- Each order, ticket and event is a "fact" dated by when it happened, so
-- the hours and the totals come from one grouping and cannot disagree.
WITH scope AS (
	SELECT b.company_id, b.id AS branch_id, b.name AS branch
	FROM branches b JOIN companies c ON c.id = b.company_id
	WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
), day AS (
	SELECT d::timestamptz AS t0, (d + 1)::timestamptz AS t1
	FROM (SELECT coalesce($3::date, current_date) AS d) x
), facts AS (
	SELECT s.branch, o.created_at AS t, 1 AS orders, i.qty AS items,
	    0 AS printed, NULL::float8 AS secs, 0 AS fallbacks
	FROM orders o JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	CROSS JOIN LATERAL (
		SELECT coalesce(sum(qty), 0) AS qty FROM order_items
		WHERE company_id = o.company_id AND branch_id = o.branch_id
		  AND order_id = o.id) i
	WHERE o.created_at >= day.t0 AND o.created_at < day.t1
	UNION ALL
	SELECT s.branch, q.completed_at, 0, 0, 1,
	    extract(epoch FROM q.completed_at - q.created_at)::float8, 0
	FROM print_queue q JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE q.status = 'completed'
	  AND q.completed_at >= day.t0 AND q.completed_at < day.t1
	UNION ALL
	SELECT s.branch, e.created_at, 0, 0, 0, NULL, 1
	FROM events e JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE e.kind = 'job.fallback'
	  AND e.created_at >= day.t0 AND e.created_at < day.t1
), hourly AS (
	SELECT *, extract(hour FROM t)::integer AS hour FROM facts
)
SELECT branch, hour,
    sum(orders)::bigint AS orders,
    sum(items)::bigint AS items,
    sum(printed)::bigint AS printed,
    sum(fallbacks)::bigint AS fallbacks,
    round(percentile_cont(0.50) WITHIN GROUP (ORDER BY secs)::numeric, 2)
	AS total_p50_s,
    round(percentile_cont(0.95) WITHIN GROUP (ORDER BY secs)::numeric, 2)
	AS total_p95_s,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY secs)::numeric, 2)
	AS total_p99_s,
    round(count(*) FILTER (WHERE secs < 5) / nullif(count(secs), 0)::numeric,
	3) AS under_5s
FROM hourly
GROUP BY GROUPING SETS ((branch, hour), (hour), (branch), ())
-- (the empty grouping makes a row of an empty day too); one branch has
-- no company rows
HAVING count(*) > 0 AND ($2::text IS NULL OR grouping(branch) = 0)
ORDER BY hour NULLS LAST, branch NULLS LAST;
