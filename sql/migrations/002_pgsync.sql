-- 002_pgsync.sql: what the daemon's write-behind (pgsync) needs to keep the
-- tables equal to the branch's journal.
--
-- pgsync applies each journal record as it is, in order, without the
-- daemon's memory: an order's state and a ticket's text are derived here
-- from the rows, by the same rules as src/queued/orders.c (order_recompute
-- and ticket_text).  tests/pg/10-sync.sh compares every order and ticket
-- the daemon shows with these rows.

-- Stations whose cooks said "listo" or "en preparación" (order.bump).
ALTER TABLE orders
	ADD COLUMN ready text[] NOT NULL DEFAULT '{}',
	ADD COLUMN preparing text[] NOT NULL DEFAULT '{}';

-- The reports read the history of attempts by kind and day.
CREATE INDEX idx_events_kind ON events (company_id, kind, created_at);

-- An order's state from its tickets and the kitchen's bumps:
--   cancelado once cancelled; listo when every station of its items said
--   listo; en_preparacion when any said something; else from its tickets
--   (new and modification ones, not cancelled): none -> recibido, all on
--   paper or on a kitchen screen -> impreso, some printing or done ->
--   imprimiendo, else en_cola.
CREATE FUNCTION fastops_order_state(p_company integer, p_branch integer,
    p_order bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	WITH o AS (
		SELECT state, ready, preparing FROM orders
		WHERE company_id = p_company AND branch_id = p_branch AND
		    id = p_order
	), st AS (
		SELECT coalesce(array_agg(DISTINCT station::text), '{}') AS s
		FROM order_items
		WHERE company_id = p_company AND branch_id = p_branch AND
		    order_id = p_order
	), j AS (
		SELECT count(*) AS n,
		    count(*) FILTER (WHERE status = 'processing') AS printing,
		    count(*) FILTER (WHERE status IN ('completed', 'fallback'))
			AS done
		FROM print_queue
		WHERE company_id = p_company AND branch_id = p_branch AND
		    order_id = p_order AND kind IN ('new', 'modify') AND
		    status <> 'cancelled'
	)
	SELECT CASE
		WHEN o.state = 'cancelado' THEN 'cancelado'
		WHEN cardinality(st.s) > 0 AND st.s <@ o.ready THEN 'listo'
		WHEN cardinality(o.ready) > 0 OR cardinality(o.preparing) > 0
		    THEN 'en_preparacion'
		WHEN j.n = 0 THEN 'recibido'
		WHEN j.done = j.n THEN 'impreso'
		WHEN j.printing > 0 OR j.done > 0 THEN 'imprimiendo'
		ELSE 'en_cola'
	END
	FROM o, st, j
$$;

-- A ticket as the printer's worker renders it (the shm slot's payload):
-- the order's header and the lines it carries, which are p_items when
-- given (a modification's delta) or the station's share of the order.
CREATE FUNCTION fastops_ticket(p_company integer, p_branch integer,
    p_order bigint, p_job bigint, p_station text, p_kind text,
    p_reprint integer, p_items jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('v', 1, 'job', p_job, 'order', o.id,
	    'number', o.number, 'type', o.type, 'table', o.table_label,
	    'waiter', o.waiter,
	    'created', extract(epoch FROM o.created_at)::bigint,
	    'station', p_station, 'kind', p_kind, 'reprint', p_reprint,
	    'notes', o.notes,
	    'items', coalesce(p_items, (
		SELECT coalesce(jsonb_agg(jsonb_build_object('qty', i.qty,
		    'name', i.name, 'notes', i.notes) ORDER BY i.line), '[]')
		FROM order_items i
		WHERE i.company_id = p_company AND i.branch_id = p_branch AND
		    i.order_id = p_order AND i.station = p_station)))
	FROM orders o
	WHERE o.company_id = p_company AND o.branch_id = p_branch AND
	    o.id = p_order
$$;
