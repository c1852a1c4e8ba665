-- orders-per-hour.sql: the dashboard's trend, orders taken per hour over
-- the last 24 hours (000 section 15.3.5, "orders_trend").
--
-- $1 company name, $2 branch name or NULL for all the company's branches.
--
-- One row per hour that had orders, oldest first: hour (the start of the
-- hour, in the session's time zone), orders.
SELECT date_trunc('hour', o.created_at) AS hour, count(*) AS orders
FROM orders o
JOIN branches b ON b.company_id = o.company_id AND b.id = o.branch_id
JOIN companies c ON c.id = b.company_id
WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
  AND o.created_at >= now() - interval '24 hours'
GROUP BY 1
ORDER BY 1;
