-- report-failures.sql: what failed on a day, printer by printer
-- (fastops-ctl report failures).
--
-- $1 company name, $2 branch name or NULL for all the company's branches,
-- $3 the day (a date), or NULL for today, in the session's time zone.
--
-- Rows as in report-printers.sql: a printer's under its station, then the
-- station's (printer NULL, counting also what named no printer), the
-- branch's (station NULL), and for all the branches the company's (branch
-- NULL).  Only printers and stations with something to report.
--   retries               failed attempts to be tried again (job.retry)
--   failures              tickets given up on (job.failed)
--   fallbacks             tickets handed to a kitchen screen (job.fallback):
--                         a station's figure, NULL on a printer's row
--   failed_now            tickets that failed that day and are failed still
--                         (neither retried nor cleared since)
--   last_error_at         when the last of those retries and failures
--                         happened, ISO 8601 in the session's time zone
--   last_error            its error, as the printer's worker reported it
WITH scope AS (
	SELECT b.company_id, b.id AS branch_id, b.name AS branch
	FROM branches b JOIN companies c ON c.id = b.company_id
	WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
), day AS (
	SELECT d::timestamptz AS t0, (d + 1)::timestamptz AS t1
	FROM (SELECT coalesce($3::date, current_date) AS d) x
), facts AS (
	SELECT s.branch, e.data->>'station' AS station,
	    CASE WHEN e.kind <> 'job.fallback' THEN e.data->>'printer' END
		AS printer,
	    e.kind, e.created_at AS t, e.id, e.data->>'error' AS error
	FROM events e JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE e.kind IN ('job.retry', 'job.failed', 'job.fallback')
	  AND e.created_at >= day.t0 AND e.created_at < day.t1
	UNION ALL
	SELECT s.branch, q.station, q.printer, 'failed_now', q.completed_at,
	    NULL, NULL
	FROM print_queue q JOIN scope s USING (company_id, branch_id)
	CROSS JOIN day
	WHERE q.status = 'failed'
	  AND q.completed_at >= day.t0 AND q.completed_at < day.t1
)
SELECT branch, station, printer,
    count(*) FILTER (WHERE kind = 'job.retry') AS retries,
    count(*) FILTER (WHERE kind = 'job.failed') AS failures,
    CASE WHEN grouping(printer) = 1 THEN
	count(*) FILTER (WHERE kind = 'job.fallback') END AS fallbacks,
    count(*) FILTER (WHERE kind = 'failed_now') AS failed_now,
    to_char(max(t) FILTER (WHERE kind IN ('job.retry', 'job.failed')),
	'YYYY-MM-DD"T"HH24:MI:SSTZHTZM') AS last_error_at,
    (array_agg(error ORDER BY t DESC, id DESC)
	FILTER (WHERE kind IN ('job.retry', 'job.failed')))[1] AS last_error
FROM facts
GROUP BY GROUPING SETS ((branch, station, printer), (branch, station),
    (branch), ())
-- as in report-printers.sql
HAVING count(*) > 0 AND ($2::text IS NULL OR grouping(branch) = 0)
   AND (grouping(printer) = 1 OR printer IS NOT NULL)
   AND (grouping(station) = 1 OR station IS NOT NULL)
ORDER BY branch NULLS LAST, station NULLS LAST, printer NULLS LAST;
