# [menu] source = postgres: a chain keeps one menu, and its staff, in the
# database.  fastops-ctl menu import fills the products table (checked as
# the daemon checks menu.csv, all or nothing); the daemon fetches its
# branch's active products at start-up and on SIGHUP into a cached
# menu-postgres.csv, starts from that copy while the database is down and
# refuses to start with neither; users of the branch reach its journal at
# start-up.  A real server and a real daemon, both stopped on exit.
. tests/pg/synclib.sh
: >"$T/daemon.log"

# a daemon that died fails a request in 3 s, not the default 5
fctl() {
	"$BIN/fastops-ctl" -f "$T/fastops.ini" --timeout 3000 "$@"
}

# stop_daemon, which must exit 0: a sanitizer's report (make DEBUG=1) is
# a failure too
stop_ok() {
	[ -n "$DPID" ] || return 0
	stop_daemon
	[ "$DSTATUS" -eq 0 ] || fail "the daemon exited $DSTATUS"
}

# The daemon's log since the last mark_log.
mark_log() {
	MARK=$(wc -l <"$T/daemon.log")
}
new_log() {
	tail -n +$((MARK + 1)) "$T/daemon.log"
}

# What the daemon takes, sorted: "id price name" lines.
menu_now() {
	fctl menu | sed 's/ category=[^ ]* station=[^ ]* price_cents=/ /' |
	    sort
}

products() {
	psql_q "SELECT count(*) FROM products p JOIN branches b ON
	    b.company_id = p.company_id AND b.id = p.branch_id
	    WHERE b.name = '$1' AND p.active"
}

# Everything in the products table, to see that a refusal changed nothing.
table_sum() {
	psql_q "SELECT count(*) || ':' || coalesce(md5(string_agg(p::text, ','
	    ORDER BY p.branch_id, p.id)), '') FROM products p"
}

# The shipped configuration with this test's paths, its printers paused
# (tickets stay queued: no printer is needed), the menu from PostgreSQL.
pgconf menu.source=postgres
NMENU=$(grep -v '^#' "$SRC/etc/menu.csv" | grep -c ',')
NMENU=$((NMENU - 1))	# the header

# --- menu import ----------------------------------------------------------

# A file with mistakes: each reported as FILE:LINE, nothing written, not
# even the company.
cp "$SRC/etc/menu.csv" "$T/bad.csv"
printf 'paella,Otra paella,principales,12.50\n' >>"$T/bad.csv"
printf 'vino,Vino,vinos,300\n' >>"$T/bad.csv"
printf 'zumo,"Zumo,natural,bebidas,300\n' >>"$T/bad.csv"
n=$(wc -l <"$T/bad.csv")
fctl menu import "$T/bad.csv" >"$T/out" 2>"$T/err"
expect "import of a bad file: status" "$?" 1
expect "import of a bad file: output" "$(cat "$T/out")" ""
grep -qF "$T/bad.csv:$((n - 2)): price_cents '12.50' is not a whole" \
    "$T/err" || fail "no FILE:LINE for the price: $(cat "$T/err")"
grep -qF "$T/bad.csv:$n: a quoted field is not closed" "$T/err" ||
    fail "no FILE:LINE for the quote: $(cat "$T/err")"
expect "companies after a bad import" \
    "$(psql_q "SELECT count(*) FROM companies")" 0

# The configuration's own branch is created; another must exist.
out=$(fctl menu import "$SRC/etc/menu.csv" 2>"$T/err")
expect "import" "$out" \
    "$NMENU products imported, 0 deactivated (branch centro)"
expect "active products of centro" "$(products centro)" "$NMENU"
expect "company and branch" "$(psql_q "SELECT c.name || '/' || b.name
    FROM branches b JOIN companies c ON c.id = b.company_id")" "demo/centro"
fctl menu import --branch norte "$SRC/etc/menu.csv" >/dev/null 2>"$T/err"
expect "import to a missing branch: status" "$?" 1
grep -q "has no branch norte" "$T/err" ||
    fail "import to a missing branch: $(cat "$T/err")"
fctl menu import --branch norte --all-branches "$SRC/etc/menu.csv" \
    >/dev/null 2>&1
expect "--branch with --all-branches" "$?" 2

# The same mistakes once the table has rows: still nothing changes.
before=$(table_sum)
fctl menu import "$T/bad.csv" >/dev/null 2>&1
expect "products after a bad import" "$(table_sum)" "$before"

# Every branch of the company: a short menu deactivates the others, and
# the full one brings them back.
psql_q "INSERT INTO branches (company_id, name)
    SELECT id, 'norte' FROM companies WHERE name = 'demo'"
printf 'id,name,category,price_cents\nagua,Agua,bebidas,200\n' >"$T/short.csv"
printf 'flan,Flan,postres,500\npaella,Paella,principales,1650\n' \
    >>"$T/short.csv"
out=$(fctl menu import --all-branches "$T/short.csv" 2>"$T/err")
expect "import to every branch" "$out" \
    "3 products imported, $((NMENU - 3)) deactivated (branch centro)
3 products imported, 0 deactivated (branch norte)"
expect "active products of centro (short)" "$(products centro)" 3
out=$(fctl menu import "$SRC/etc/menu.csv" 2>"$T/err")
expect "import again" "$out" \
    "$NMENU products imported, 0 deactivated (branch centro)"
expect "active products of centro (again)" "$(products centro)" "$NMENU"
expect "active products of norte" "$(products norte)" 3

# A product only PostgreSQL has, with a name that needs quoting in CSV.
TORRIJA='Torrija "de la abuela", con azúcar'
psql_q "INSERT INTO products (company_id, branch_id, id, name, category,
    price_cents) SELECT company_id, id, 'torrija', \$\$$TORRIJA\$\$,
    'postres', 480 FROM branches WHERE name = 'centro'"

# --- the daemon -----------------------------------------------------------

if ! start_daemon; then
	fail "the daemon did not start"
	finish
fi
[ -f "$T/state/menu-postgres.csv" ] || fail "no menu-postgres.csv"
expect "products the daemon takes" "$(fctl menu | wc -l)" $((NMENU + 1))
expect "the torrija" "$(fctl menu | grep '^torrija ')" "torrija \
category=postres station=postres price_cents=480 name=\"Torrija \\\"de la \
abuela\\\", con azúcar\""
fctl order create --type llevar --item torrija:2 >"$T/out" 2>"$T/err"
expect "an order for the torrija: status" "$?" 0
grep -q '^L-' "$T/out" || fail "order for the torrija: $(cat "$T/err")"

# A new price and a product taken off the menu, applied by SIGHUP.
psql_q "UPDATE products SET price_cents = 1999 WHERE id = 'paella';
    UPDATE products SET active = false WHERE id = 'flan'"
kill -HUP "$DPID"
wait_until 10 'fctl menu | grep -q "^paella .*price_cents=1999 "' ||
    fail "reload: no new price: $(fctl menu | grep '^paella ')"
fctl menu | grep -q '^flan ' && fail "reload: the flan is still on the menu"
expect "products after the reload" "$(fctl menu | wc -l)" "$NMENU"
fctl order create --type llevar --item flan >/dev/null 2>"$T/err"
expect "an order for the flan: status" "$?" 1
grep -q "ENOENT" "$T/err" || fail "order for the flan: $(cat "$T/err")"

# A user the daemon has and PostgreSQL has not (kept), and one that only
# PostgreSQL has, its PIN hash made by fastops-ctl user hash as an admin
# would.
echo 1234 | fctl user add solo --role kitchen >/dev/null ||
    fail "user add solo"
HASH=$(printf '4321\n' | ctl user hash)
expect_match "user hash" "$HASH" '^\$argon2id\$'
out=$(printf '12a\n' | ctl user hash 2>/dev/null)
expect "user hash of 12a: status" "$?" 2
expect "user hash of 12a: output" "$out" ""
psql_q "INSERT INTO users (company_id, branch_id, name, role, pin_hash)
    SELECT company_id, id, 'ana', 'waiter', '$HASH' FROM branches
    WHERE name = 'centro'"
menu_before=$(menu_now)
# A daemon that writes its journal into PostgreSQL (pgsync) puts solo
# there too: once it has, take solo out while the daemon is stopped.
if fctl --json stats | jq -e .pgsync >/dev/null 2>&1; then
	wait_until 10 '[ "$(psql_q "SELECT count(*) FROM users
	    WHERE name = '"'solo'"'")" = 1 ]' ||
	    fail "pgsync did not write solo"
fi
stop_ok
psql_q "DELETE FROM users WHERE name = 'solo'"
start_daemon || fail "restart: $(tail -5 "$T/daemon.log")"
tok=$(echo 4321 | fctl login ana 2>"$T/err")
[ -n "$tok" ] || fail "ana cannot log in: $(cat "$T/err")"
expect "users" "$(fctl user list | sort)" "ana role=waiter
solo role=kitchen"
grep -q "users: solo is not in PostgreSQL; kept" "$T/daemon.log" ||
    fail "solo not logged as kept"
fctl journal dump "$T/state/journal" 2>/dev/null | grep user.put |
    grep -q '"ana"' || fail "no user.put record for ana"

# A restart without changes journals nothing more.
stop_ok
start_daemon || fail "restart: $(tail -5 "$T/daemon.log")"
expect "user.put records for ana" "$(fctl journal dump "$T/state/journal" \
    2>/dev/null | grep user.put | grep -c '"ana"')" 1

# --- without PostgreSQL ---------------------------------------------------

pg_stop || fail "pg_ctl stop"
kill -HUP "$DPID"
wait_until 10 'grep -q "reload: menu not fetched" "$T/daemon.log"' ||
    fail "reload without the database: no warning"
expect "the menu after a reload without the database" "$(menu_now)" \
    "$menu_before"

stop_ok
mark_log
start_daemon || fail "start without the database: $(new_log)"
new_log | grep -q "menu: PostgreSQL: .*; using $T/state/menu-postgres.csv" ||
    fail "no warning about the cached menu: $(new_log)"
new_log | grep -q "users: not read from" ||
    fail "no warning about the users"
expect "the menu from the cache" "$(menu_now)" "$menu_before"
tok=$(echo 4321 | fctl login ana 2>"$T/err")
[ -n "$tok" ] || fail "ana cannot log in without the database"

# Without the database and without a copy: no menu, no daemon.
stop_ok
rm -f "$T/state/menu-postgres.csv"
mark_log
# (start_daemon's report of a daemon that died is the expected outcome)
if start_daemon 2>/dev/null; then
	fail "the daemon started without a menu"
	stop_ok
else
	expect "start without a menu: status" "${DSTATUS:-}" 1
	new_log | grep -q "from an earlier fetch to fall back on" ||
	    fail "no reason given: $(new_log)"
fi

finish
