-- queue-status.sql: what is waiting for the printers, by priority (000
-- section 15.5, "queue-status").
--
-- $1 company name, $2 branch name or NULL for all the company's branches.
--
-- One row: urgent, normal, low and total, counting the tickets pending or
-- being printed.  (The seed's workers_active comes from the daemon.)
SELECT
    count(*) FILTER (WHERE q.priority = 'urgent') AS urgent,
    count(*) FILTER (WHERE q.priority = 'normal') AS normal,
    count(*) FILTER (WHERE q.priority = 'low') AS low,
    count(*) AS total
FROM print_queue q
JOIN branches b ON b.company_id = q.company_id AND b.id = q.branch_id
JOIN companies c ON c.id = b.company_id
WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
  AND q.status IN ('pending', 'processing');
