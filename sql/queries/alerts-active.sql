-- alerts-active.sql: the alerts not yet over (000 section 15.3.5,
-- "alerts").
--
-- $1 company name, $2 branch name or NULL for all the company's branches.
--
-- One row per alert, critical first, then oldest first: branch, kind,
-- level, printer (NULL when the alert is not about one), message,
-- raised_at.
SELECT b.name AS branch, a.kind, a.level, a.printer, a.message, a.raised_at
FROM alerts a
JOIN branches b ON b.company_id = a.company_id AND b.id = a.branch_id
JOIN companies c ON c.id = b.company_id
WHERE c.name = $1::text AND ($2::text IS NULL OR b.name = $2)
  AND a.cleared_at IS NULL
ORDER BY a.level = 'critical' DESC, a.raised_at, a.id;
