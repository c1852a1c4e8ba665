# Priorities at a printer that is slower than the orders: with a backlog
# queued, an urgent ticket is the next one printed; a low-priority reprint
# is not starved by a stream of normal tickets (aging, low_max_wait_s).
. tests/regress/lib.sh
PRINTING=1 mkconf "daemon.low_max_wait_s=1" "workers.scale_up_at=1000" \
    "turbo.auto=no"
start_printsim cocina "$P1" --speed 250 --cut-ms 300 || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1

i=1
while [ $i -le 8 ]; do
	req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"'$i'",
	  "items":[{"product":"fabada","qty":'$i'}]}' >/dev/null
	i=$((i + 1))
done
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"99",
  "items":[{"product":"pulpo","qty":1}]}')
ID=$(field "$r" .order.id)
u=$(req '{"op":"order.urgent","id":'"$ID"'}')
expect "urgent ok" "$(field "$u" .ok)" true
done_then=$(tickets cocina)
wait_until 30 'grep -q "MESA 99" "$T/cocina.out"' || fail "urgent not printed"
pos=$(awk -v sep="$SEP" '$0 == sep { k++ } /MESA 99/ { print k + 1; exit }' "$T/cocina.out")
# printed or being printed when it arrived, then the urgent one
[ "$pos" -le $((done_then + 2)) ] ||
    fail "urgent printed as ticket $pos, $done_then were done when it came"
wait_until 30 '[ "$(tickets cocina)" -ge 9 ]' || fail "backlog not printed"

# aging: a reprint (low) waits behind normals only up to low_max_wait_s
req '{"op":"printer.pause","printer":"cocina1"}' >/dev/null
p=$(req '{"op":"order.reprint","id":'"$ID"',"station":"cocina"}')
expect "reprint ok" "$(field "$p" .ok)" true
i=1
while [ $i -le 5 ]; do
	req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar",
	  "items":[{"product":"merluza","qty":'$i'}]}' >/dev/null
	i=$((i + 1))
done
sleep 1.2	# past low_max_wait_s: the reprint competes by its age
before=$(tickets cocina)
req '{"op":"printer.resume","printer":"cocina1"}' >/dev/null
wait_until 30 '[ "$(tickets cocina)" -ge $((before + 6)) ]' ||
    fail "reprint and normals not printed"
first=$(awk -v sep="$SEP" -v n="$before" '$0 == sep { k++; next } k == n' "$T/cocina.out")
echo "$first" | grep -q "REIMPRESIÓN 1" ||
    fail "aged reprint was not served first: $(echo "$first" | head -3)"
s=$(req '{"op":"stats"}')
expect "aged counted" "$(field "$s" '.queue.completed >= 15')" true
finish
