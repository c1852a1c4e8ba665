-- report-printers.sql: a day printer by printer (fastops-ctl report
-- printers).
--
-- $1 company name, $2 branch name or NULL for all the company's branches,
-- $3 the day (a date), or NULL for today, in the session's time zone.
--
-- One row per printer that printed or failed that day, under its station;
-- after a station's printers, the station's row (printer NULL), which
-- also counts what named no printer; after a branch's stations, the
-- branch's row (station and printer NULL); for all the branches, the
-- company's row last (branch NULL too).
--   printed               tickets printed, of every kind
--   failed_attempts       attempts that failed (job.retry and job.failed
--                         events)
--   fallbacks             tickets handed to a kitchen screen instead
--                         (job.fallback events): a station's figure, NULL
--                         on a printer's row
--   print_p50_s, print_p95_s
--                         taken by the printer -> on paper, in seconds
--   total_p50_s, total_p95_s, total_p99_s
--                         queued -> on paper, in seconds
-- The times are of the tickets printed that day, interpolated; NULL if
-- none.  A ticket counts for the printer that printed it, an event for the
-- printer it names.
WITH scope AS (
	SELECT b.company_id, b.id AS branch_id, b.name AS branch
	FROM branches b JOIN companies c ON c.id = b.company_id
	WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
), day AS (
	SELECT d::timestamptz AS t0, (d + 1)::timestamptz AS t1
	FROM (SELECT coalesce($3::date, current_date) AS d) x
), facts AS (
	SELECT s.branch, q.station::text AS station, q.printer::text AS printer,
	    1 AS printed, 0 AS failed, 0 AS fallbacks,
	    extract(epoch FROM q.completed_at - q.processed_at)::float8
		AS print_s,
	    extract(epoch FROM q.completed_at - q.created_at)::float8
		AS total_s
	FROM print_queue q JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE q.status = 'completed'
	  AND q.completed_at >= day.t0 AND q.completed_at < day.t1
	UNION ALL
	SELECT s.branch, e.data->>'station',
	    CASE WHEN e.kind <> 'job.fallback' THEN e.data->>'printer' END,
	    0, (e.kind <> 'job.fallback')::integer,
	    (e.kind = 'job.fallback')::integer, NULL, NULL
	FROM events e JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE e.kind IN ('job.retry', 'job.failed', 'job.fallback')
	  AND e.created_at >= day.t0 AND e.created_at < day.t1
)
SELECT branch, station, printer,
    sum(printed)::bigint AS printed,
    sum(failed)::bigint AS failed_attempts,
    CASE WHEN grouping(printer) = 1 THEN sum(fallbacks)::bigint END
	AS fallbacks,
    round(percentile_cont(0.50) WITHIN GROUP (ORDER BY print_s)::numeric, 2)
	AS print_p50_s,
    round(percentile_cont(0.95) WITHIN GROUP (ORDER BY print_s)::numeric, 2)
	AS print_p95_s,
    round(percentile_cont(0.50) WITHIN GROUP (ORDER BY total_s)::numeric, 2)
	AS total_p50_s,
    round(percentile_cont(0.95) WITHIN GROUP (ORDER BY total_s)::numeric, 2)
	AS total_p95_s,
    round(percentile_cont(0.99) WITHIN GROUP (ORDER BY total_s)::numeric, 2)
	AS total_p99_s
FROM facts
GROUP BY GROUPING SETS ((branch, station, printer), (branch, station),
    (branch), ())
-- no row for "no printer" or "no station": their figures are in the
-- totals only; nor a company row of an empty day or of one branch
HAVING count(*) > 0 AND ($2::text IS NULL OR grouping(branch) = 0)
   AND (grouping(printer) = 1 OR printer IS NOT NULL)
   AND (grouping(station) = 1 OR station IS NOT NULL)
ORDER BY branch NULLS LAST, station NULLS LAST, printer NULLS LAST;
