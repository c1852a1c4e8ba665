# Sourced by the PostgreSQL tests that run daemons writing into the
# database (pgsync): tests/pg/lib.sh's server plus tests/regress/lib.sh's
# daemon, printers and requests, both cleaned up on exit.
#
#	pgconf [section.key=value...]	regress mkconf plus a [postgres]
#					section for this test's database
#	synced [SECONDS]		wait until the database has every
#					durable record (1 if it never does)
#	daemon_orders			the daemon's orders, one canonical
#					JSON line each, by id
#	pg_orders [BRANCH]		the same from the tables
#	compare_orders LABEL [BRANCH]	fail unless the two are equal
. tests/pg/lib.sh
# this tree's SQL, never an installed copy (migrations, reports)
FASTOPS_SQLDIR=$SRC/sql
export FASTOPS_SQLDIR
pg_start
ctl db migrate --conninfo "$CONNINFO" >/dev/null ||
    { echo "FAIL: db migrate" >&2; exit 1; }
. tests/regress/lib.sh
trap 'cleanup; pg_cleanup' EXIT

pgconf() {
	mkconf "$@"
	printf '\n[postgres]\nconninfo = %s\nbatch_ms = %s\nlag_alert_s = %s\n' \
	    "$CONNINFO" "${BATCH_MS:-50}" "${LAG_ALERT_S:-60}" \
	    >>"$T/fastops.ini"
	[ -n "${BATCH_MAX:-}" ] && printf 'batch_max = %s\n' "$BATCH_MAX" \
	    >>"$T/fastops.ini"
	return 0
}

# pgsync's figures from stats: pgs FIELD
pgs() {
	field "$(req '{"op":"stats"}')" ".pgsync.$1"
}

synced() {
	wait_until "${1:-30}" '[ "$(field "$(req "{\"op\":\"stats\"}")" \
	    ".pgsync | .connected and .lag_records == 0")" = true ]'
}

# The fields both sides know, keys sorted; preparing without the
# stations already ready (as the protocol shows them).
CANON='{id, number, uuid, type, table, waiter, notes, state, total_cents,
    items: [.items[] | {product, name, qty, notes, price_cents, station}],
    jobs: [.jobs | sort_by(.id)[] | {id, station, kind, priority, status,
	attempts, printer, reprint}],
    ready: (.ready | sort), preparing: (.preparing | sort)}'

daemon_orders() {
	_page=1
	while :; do
		_l=$(req '{"op":"order.list","per_page":100,"page":'$_page'}')
		_n=$(field "$_l" '.orders | length')
		[ "$_n" -gt 0 ] 2>/dev/null || break
		printf '%s' "$_l" | jq -cS ".orders[] | $CANON"
		_page=$((_page + 1))
	done | jq -cS -s 'sort_by(.id)[]'
}

pg_orders() {
	psql_q "SELECT jsonb_build_object('id', o.id, 'number', o.number,
	    'uuid', o.uuid::text, 'type', o.type, 'table', o.table_label,
	    'waiter', o.waiter, 'notes', o.notes, 'state', o.state,
	    'total_cents', o.total_cents,
	    'items', (SELECT coalesce(jsonb_agg(jsonb_build_object(
		'product', i.product, 'name', i.name, 'qty', i.qty,
		'notes', i.notes, 'price_cents', i.price_cents,
		'station', i.station) ORDER BY i.line), '[]')
		FROM order_items i WHERE i.company_id = o.company_id AND
		i.branch_id = o.branch_id AND i.order_id = o.id),
	    'jobs', (SELECT coalesce(jsonb_agg(jsonb_build_object(
		'id', q.id, 'station', q.station, 'kind', q.kind,
		'priority', q.priority, 'status', q.status,
		'attempts', q.attempts, 'printer', q.printer,
		'reprint', q.reprint) ORDER BY q.id), '[]')
		FROM print_queue q WHERE q.company_id = o.company_id AND
		q.branch_id = o.branch_id AND q.order_id = o.id),
	    'ready', to_jsonb(o.ready),
	    'preparing', to_jsonb(ARRAY(SELECT x FROM unnest(o.preparing) x
		WHERE x <> ALL (o.ready))))
	    FROM orders o JOIN branches b ON b.id = o.branch_id
	    WHERE b.name = '${1:-centro}' ORDER BY o.id" |
	    jq -cS "$CANON"
}

compare_orders() {
	daemon_orders >"$T/orders.daemon"
	pg_orders "${2:-centro}" >"$T/orders.pg"
	if ! cmp -s "$T/orders.daemon" "$T/orders.pg"; then
		fail "$1: the database's orders differ from the daemon's" \
		    "($(wc -l <"$T/orders.daemon") vs $(wc -l <"$T/orders.pg"))"
		diff "$T/orders.daemon" "$T/orders.pg" | head -10 >&2
	fi
	[ -s "$T/orders.daemon" ] || fail "$1: the daemon has no orders"
}
