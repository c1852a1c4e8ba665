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
--   cancelado once cancelled; listo when every station of its items
--   (p_stations) said listo; en_preparacion when any said something; else
--   from its tickets, new and modification ones not cancelled: none ->
--   recibido, all on paper or on a kitchen screen (p_done) -> impreso,
--   some printing or done -> imprimiendo, else en_cola.  Of the figures
--   rather than of an order id, so that pgsync computes a whole batch's
--   orders in one statement (a plain CASE: the planner inlines it).
CREATE FUNCTION fastops_state_of(p_state text, p_stations text[],
    p_ready text[], p_preparing text[], p_tickets bigint,
    p_printing bigint, p_done bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_state = 'cancelado' THEN 'cancelado'
		WHEN cardinality(p_stations) > 0 AND p_stations <@ p_ready
		    THEN 'listo'
		WHEN cardinality(p_ready) > 0 OR cardinality(p_preparing) > 0
		    THEN 'en_preparacion'
		WHEN p_tickets = 0 THEN 'recibido'
		WHEN p_done = p_tickets THEN 'impreso'
		WHEN p_printing > 0 OR p_done > 0 THEN 'imprimiendo'
		ELSE 'en_cola'
	END
$$;

-- (PL/pgSQL, not SQL: its plans are kept for the session.)
--
-- A ticket as the printer's worker renders it (the shm slot's payload):
-- the order's header and the lines it carries, which are p_items when
-- given (a modification's delta) or the station's share of the order.
CREATE FUNCTION fastops_ticket(p_company integer, p_branch integer,
    p_order bigint, p_job bigint, p_station text, p_kind text,
    p_reprint integer, p_items jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	o	record;
	items	jsonb := p_items;
BEGIN
	SELECT * INTO o FROM orders
	WHERE company_id = p_company AND branch_id = p_branch AND
	    id = p_order;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF items IS NULL THEN
		SELECT coalesce(jsonb_agg(jsonb_build_object('qty', i.qty,
		    'name', i.name, 'notes', i.notes) ORDER BY i.line), '[]')
		INTO items
		FROM order_items i
		WHERE i.company_id = p_company AND i.branch_id = p_branch AND
		    i.order_id = p_order AND i.station = p_station;
	END IF;
	RETURN jsonb_build_object('v', 1, 'job', p_job, 'order', o.id,
	    'number', o.number, 'type', o.type, 'table', o.table_label,
	    'waiter', o.waiter,
	    'created', extract(epoch FROM o.created_at)::bigint,
	    'station', p_station, 'kind', p_kind, 'reprint', p_reprint,
	    'notes', o.notes, 'items', items);
END
$$;
