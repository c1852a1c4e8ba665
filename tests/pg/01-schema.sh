# Migrations: an empty database gets every table at the latest version; a
# second run changes nothing; sql/schema.sql is what the migrations add up
# to; db status; a failing migration leaves no trace; two migrates at once;
# a database ahead of the files; where the SQL and the conninfo come from;
# connection and usage errors and their exit statuses.
. tests/pg/lib.sh
pg_start

SQL=$SRC/sql
latest=$(ls "$SQL"/migrations/[0-9][0-9][0-9]_*.sql | wc -l)
next=$(printf '%03d' $((latest + 1)))
TABLES="alerts branches companies events order_items orders print_queue \
printers products schema_version stations sync_cursor users"
TABLES=$(echo $TABLES)
migrate() { ctl db migrate --conninfo "$CONNINFO" --sql "$SQL" "$@"; }
status() { ctl db status --conninfo "$CONNINFO" --sql "$SQL" "$@"; }
schema_line() { echo "$1" | grep '^schema ' | cut -d' ' -f1-5; }

# --- an empty database --------------------------------------------------

out=$(status)
expect "status of an empty database exits 1" "$?" 1
expect "status of an empty database" "$(schema_line "$out")" \
    "schema version=0 latest=$latest pending=$latest state=behind"
expect "status lists 001 as pending" \
    "$(echo "$out" | grep '^migration version=1 ')" \
    "migration version=1 name=initial file=001_initial.sql applied=-"

out=$(migrate 2>"$T/err")
expect "migrate exit" "$?" 0
expect "migrate applies each" "$(echo "$out" | grep -c '^applied ')" "$latest"
expect "migrate applies 001 first" \
    "$(echo "$out" | grep '^applied ' | head -1 | cut -d' ' -f1-3)" \
    "applied version=1 name=initial"
expect "migrate ends up to date" "$(echo "$out" | tail -1 | cut -d' ' -f1-5)" \
    "schema version=$latest latest=$latest pending=0 state=up-to-date"
expect "migrate is quiet" "$(cat "$T/err")" ""
expect "schema_version" \
    "$(psql_q 'SELECT max(version), count(*) FROM schema_version')" \
    "$latest|$latest"
expect "schema_version of 001" \
    "$(psql_q 'SELECT name FROM schema_version WHERE version = 1')" initial
expect "every table" "$(psql_q "SELECT string_agg(tablename, ' '
    ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")" \
    "$TABLES"
expect "the tables belong to the role that migrated" \
    "$(psql_q "SELECT DISTINCT tableowner FROM pg_tables
    WHERE schemaname = 'public'")" fastops
# 000 section 15.3.1's indexes, and the one pending tickets print by
expect "idx_print_queue_status" "$(psql_q "SELECT indexdef FROM pg_indexes
    WHERE indexname = 'idx_print_queue_status'")" \
    "CREATE INDEX idx_print_queue_status ON public.print_queue USING btree (company_id, branch_id, status, priority)"
expect "idx_print_queue_created" "$(psql_q "SELECT indexdef FROM pg_indexes
    WHERE indexname = 'idx_print_queue_created'")" \
    "CREATE INDEX idx_print_queue_created ON public.print_queue USING btree (created_at)"
expect "idx_print_queue_pending" "$(psql_q "SELECT indexdef FROM pg_indexes
    WHERE indexname = 'idx_print_queue_pending'")" \
    "CREATE INDEX idx_print_queue_pending ON public.print_queue USING btree (company_id, branch_id, priority, created_at) WHERE (status = 'pending'::text)"

# --- a second run changes nothing ---------------------------------------

schema_dump fastops >"$T/dump1"
psql_q "SELECT version, name, applied_at FROM schema_version
    ORDER BY version" >"$T/versions1"
out=$(migrate)
expect "second migrate exit" "$?" 0
expect "second migrate applies nothing" "$(echo "$out" | grep -c '^applied ')" 0
expect "second migrate says up to date" "$(schema_line "$out")" \
    "schema version=$latest latest=$latest pending=0 state=up-to-date"
schema_dump fastops >"$T/dump2"
psql_q "SELECT version, name, applied_at FROM schema_version
    ORDER BY version" >"$T/versions2"
cmp -s "$T/dump1" "$T/dump2" || fail "the second migrate changed the schema"
cmp -s "$T/versions1" "$T/versions2" ||
    fail "the second migrate changed schema_version"

out=$(status)
expect "status up to date exits 0" "$?" 0
expect "status up to date" "$(schema_line "$out")" \
    "schema version=$latest latest=$latest pending=0 state=up-to-date"
expect_match "status shows when 001 was applied" \
    "$(echo "$out" | grep '^migration version=1 ')" \
    '^migration version=1 name=initial file=001_initial.sql applied=[0-9]{4}-[0-9]{2}-[0-9]{2}T'
expect "status lists each" "$(echo "$out" | grep -c '^migration ')" "$latest"
j=$(ctl --json db status --conninfo "$CONNINFO" --sql "$SQL")
expect "status --json" \
    "$(echo "$j" | jq -r '[.version, .latest, .pending, .state,
    .migrations[0].name, (.migrations[0].applied | type)] | join(" ")')" \
    "$latest $latest 0 up-to-date initial number"
j=$(ctl --json db migrate --conninfo "$CONNINFO" --sql "$SQL")
expect "migrate --json" "$(echo "$j" | jq -r '[.state, (.applied |
    length)] | join(" ")')" "up-to-date 0"

# --- schema.sql is what the migrations add up to -------------------------

pg_createdb fromfile
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -1 -d "$(conninfo fromfile)" \
    -f "$SQL/schema.sql" >"$T/load.out" 2>&1 ||
    fail "schema.sql does not load: $(cat "$T/load.out")"
schema_dump fromfile >"$T/dump3"
if ! diff -u "$T/dump1" "$T/dump3" >"$T/schema.diff"; then
	fail "schema.sql and the migrations differ (< migrations, > schema.sql):"
	head -40 "$T/schema.diff" >&2
fi
expect "schema.sql records the migrations" \
    "$(psql_q fromfile 'SELECT version, name FROM schema_version
    ORDER BY version')" \
    "$(psql_q 'SELECT version, name FROM schema_version ORDER BY version')"
out=$(ctl db migrate --conninfo "$(conninfo fromfile)" --sql "$SQL")
expect "a database from schema.sql is up to date" \
    "$(echo "$out" | grep -c '^applied ') $(schema_line "$out")" \
    "0 schema version=$latest latest=$latest pending=0 state=up-to-date"

# --- two at once ---------------------------------------------------------

# A migrate waits for one already running (the advisory lock, held here
# by psql until its input closes), then does the work itself.
pg_createdb held
mkfifo "$T/hold"
"$PGBIN/psql" -X -q -d "$(conninfo held)" <"$T/hold" >/dev/null 2>&1 &
HOLDER=$!
exec 3>"$T/hold"
echo "SELECT pg_advisory_lock(5071461598782059264);" >&3
n=0
while [ "$(psql_q held "SELECT count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND granted")" != 1 ] && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
# (without fd 3, or psql would never see its input end; not through the
# function ctl, for which the shell would keep a copy of fd 3)
"$BIN/fastops-ctl" db migrate --conninfo "$(conninfo held)" --sql "$SQL" \
    >"$T/held.out" 2>"$T/held.err" 3>&- &
M=$!
n=0
while ! grep -qs waiting "$T/held.err" && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
expect_match "migrate says it waits" "$(cat "$T/held.err")" \
    'another db migrate is running on this database; waiting'
kill -0 $M 2>/dev/null || fail "migrate did not wait for the lock"
expect "nothing applied while waiting" \
    "$(psql_q held "SELECT to_regclass('schema_version') IS NULL")" t
exec 3>&-
wait $HOLDER
wait $M
expect "migrate after the wait exits 0" "$?" 0
expect "migrate after the wait applied all" \
    "$(grep -c '^applied ' "$T/held.out")" "$latest"

# Two started together: one applies, the other finds it done.
pg_createdb race
ctl db migrate --conninfo "$(conninfo race)" --sql "$SQL" >"$T/r1" 2>&1 &
R1=$!
ctl db migrate --conninfo "$(conninfo race)" --sql "$SQL" >"$T/r2" 2>&1 &
R2=$!
wait $R1
r1=$?
wait $R2
r2=$?
expect "racing migrates exit 0" "$r1 $r2" "0 0"
expect "racing migrates apply each once" \
    "$(cat "$T/r1" "$T/r2" | grep -c '^applied ')" "$latest"
expect "racing migrates: schema_version" \
    "$(psql_q race 'SELECT count(*) FROM schema_version')" "$latest"

# --- a migration that fails leaves no trace --------------------------------

mkdir -p "$T/sql"
cp -R "$SQL/migrations" "$T/sql/"
printf '%s\n' "CREATE TABLE broken_first (id integer);" "-- the next line" \
    "CREATE TABLEX oops (id integer);" >"$T/sql/migrations/${next}_broken.sql"
ctl db migrate --conninfo "$CONNINFO" --sql "$T/sql" >"$T/out" 2>"$T/err"
expect "failing migration exits 1" "$?" 1
expect_match "the error names the file and line" "$(cat "$T/err")" \
    "${next}_broken.sql:3: syntax error at or near \"TABLEX\" \\(SQLSTATE 42601\\)"
expect_match "the error says nothing was applied" "$(cat "$T/err")" \
    "not applied; the database is still at version $latest"
expect "nothing of it stays" \
    "$(psql_q "SELECT to_regclass('broken_first') IS NULL")" t
expect "schema_version unchanged" \
    "$(psql_q 'SELECT max(version) FROM schema_version')" "$latest"
out=$(ctl db status --conninfo "$CONNINFO" --sql "$T/sql")
expect "status with a pending migration exits 1" "$?" 1
expect "status with a pending migration" "$(schema_line "$out")" \
    "schema version=$latest latest=$((latest + 1)) pending=1 state=behind"
expect "status lists the pending one" \
    "$(echo "$out" | grep "^migration version=$((latest + 1)) ")" \
    "migration version=$((latest + 1)) name=broken file=${next}_broken.sql applied=-"

# repaired, it applies alone
rm "$T/sql/migrations/${next}_broken.sql"
echo "CREATE TABLE extra (id integer PRIMARY KEY);" \
    >"$T/sql/migrations/${next}_extra.sql"
out=$(FASTOPS_SQLDIR=$T/sql ctl db migrate --conninfo "$CONNINFO")
expect "FASTOPS_SQLDIR: exit" "$?" 0
expect "FASTOPS_SQLDIR: only the new one" \
    "$(echo "$out" | grep '^applied ' | cut -d' ' -f1-3)" \
    "applied version=$((latest + 1)) name=extra"
expect "FASTOPS_SQLDIR: used" "$(echo "$out" | tail -1 | sed 's/.* sql=//')" \
    "$T/sql"

# the files of an older FastOps: the database is ahead
out=$(status)
expect "status ahead exits 1" "$?" 1
expect "status ahead" "$(schema_line "$out")" \
    "schema version=$((latest + 1)) latest=$latest pending=0 state=ahead"
expect "status ahead lists the unknown one" \
    "$(echo "$out" | grep "^migration version=$((latest + 1)) " |
    cut -d' ' -f1-4)" "migration version=$((latest + 1)) name=extra file=-"
migrate >/dev/null 2>"$T/err"
expect "migrate ahead exits 1" "$?" 1
expect_match "migrate ahead says why" "$(cat "$T/err")" \
    "the database is at version $((latest + 1)), newer than"

# another history under the same number
mv "$T/sql/migrations/${next}_extra.sql" "$T/sql/migrations/${next}_other.sql"
ctl db migrate --conninfo "$CONNINFO" --sql "$T/sql" >/dev/null 2>"$T/err"
expect "migrate of another history exits 1" "$?" 1
expect_match "another history is named" "$(cat "$T/err")" \
    "had migration ${next} as \"extra\""

# broken directories
mkdir -p "$T/bad1/migrations" "$T/bad2/migrations" "$T/bad3"
cp "$SQL/migrations/001_initial.sql" "$T/bad1/migrations/"
echo "SELECT 1;" >"$T/bad1/migrations/003_gap.sql"
echo "SELECT 1;" >"$T/bad2/migrations/1_short.sql"
for d in bad1 bad2 bad3 nonexistent; do
	ctl db status --conninfo "$CONNINFO" --sql "$T/$d" >/dev/null 2>"$T/err"
	expect "--sql $d exits 3" "$?" 3
done
ctl db status --conninfo "$CONNINFO" --sql "$T/bad1" 2>&1 | grep -q \
    "migration 002 is missing" || fail "a gap is not named"
ctl db status --conninfo "$CONNINFO" --sql "$T/bad2" 2>&1 | grep -q \
    "1_short.sql: a migration is named NNN_name.sql" ||
    fail "a misnamed file is not named"

# a database that cannot hold the staff's Spanish
psql_admin postgres "CREATE DATABASE latin1 OWNER fastops ENCODING 'LATIN1'
    TEMPLATE template0" >/dev/null
ctl db migrate --conninfo "$(conninfo latin1)" --sql "$SQL" >/dev/null \
    2>"$T/err"
expect "a LATIN1 database exits 1" "$?" 1
expect_match "a LATIN1 database is refused" "$(cat "$T/err")" \
    'FastOps needs a UTF8 database; this one is LATIN1'
expect "a LATIN1 database stays empty" \
    "$(psql_q latin1 "SELECT to_regclass('schema_version') IS NULL")" t

# --- where the conninfo comes from; errors --------------------------------

# (fastops is ahead of sql/ by now; fromfile is not)
printf '[postgres]\nconninfo = %s\n' "$(conninfo fromfile)" >"$T/pg.ini"
out=$(ctl -f "$T/pg.ini" db status --sql "$SQL")
expect "[postgres] conninfo of -f: exit" "$?" 0
expect "[postgres] conninfo of -f" "$(schema_line "$out")" \
    "schema version=$latest latest=$latest pending=0 state=up-to-date"
out=$(FASTOPS_CONFIG=$T/pg.ini ctl db status --sql "$SQL")
expect "[postgres] conninfo of FASTOPS_CONFIG: exit" "$?" 0

printf '[daemon]\ncompany = demo\n' >"$T/nopg.ini"
ctl -f "$T/nopg.ini" db status --sql "$SQL" >/dev/null 2>"$T/err"
expect "no [postgres] section exits 3" "$?" 3
expect "no [postgres] section says so" "$(cat "$T/err")" \
    "fastops-ctl: $T/nopg.ini has no [postgres] section: add one with its conninfo, or give --conninfo"
ctl -f "$T/missing.ini" db status --sql "$SQL" >/dev/null 2>"$T/err"
expect "no configuration exits 3" "$?" 3

ctl db migrate --conninfo "host=$T port=1 dbname=fastops user=fastops" \
    --sql "$SQL" >"$T/out" 2>"$T/err"
expect "no server exits 3" "$?" 3
expect_match "no server says so" "$(head -1 "$T/err")" \
    '^fastops-ctl: PostgreSQL: connection to server on socket ".*/\.s\.PGSQL\.1" failed'
expect "no server prints nothing" "$(cat "$T/out")" ""
ctl db status --conninfo "$(conninfo nosuchdb)" --sql "$SQL" 2>"$T/err"
expect "no database exits 3" "$?" 3
expect_match "no database says so" "$(cat "$T/err")" \
    'database "nosuchdb" does not exist'
ctl db status --conninfo "hots=$T" --sql "$SQL" 2>"$T/err"
expect "bad conninfo exits 3" "$?" 3
expect "bad conninfo says so" "$(cat "$T/err")" \
    'fastops-ctl: PostgreSQL: invalid connection option "hots"'
ctl db migrate --conninfo "password=s3cret host=$T port=1" --sql "$SQL" \
    2>"$T/err"
grep -q s3cret "$T/err" && fail "a password was printed: $(cat "$T/err")"

ctl db migrate --conninfo "$CONNINFO" now 2>"$T/err"
expect "an operand exits 2" "$?" 2
expect "usage" "$(tail -1 "$T/err")" \
    "usage: fastops-ctl db migrate [--conninfo STRING] [--sql DIR]"
ctl db status --frobnicate 2>/dev/null
expect "an unknown option exits 2" "$?" 2
ctl db migrate --sql "" 2>/dev/null
expect "an empty --sql exits 2" "$?" 2

finish
