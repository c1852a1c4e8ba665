# Printing over real TCP to fastops-printsim: each station's printer gets
# exactly its station's items, quantities, notes and table, Spanish text
# intact (PC858), one cut per ticket; urgent, modified, cancelled and
# reprinted tickets carry their banner; the order's jobs end "completed"
# and its state "impreso".
. tests/regress/lib.sh
PRINTING=1 mkconf
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1

r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"5",
  "items":[{"product":"hamburguesa","qty":2,"notes":"sin cebolla"},
           {"product":"noquis","qty":1,"notes":"¿sin gluten? ¡ojo! 5 €"},
           {"product":"cana","qty":3},{"product":"Flan de la casa"},
           {"product":"jamon","qty":1,"notes":"á é í ó ú ñ"}]}')
expect "create ok" "$(field "$r" .ok)" true
ID=$(field "$r" .order.id)

wait_until 10 '[ "$(tickets cocina)" -ge 1 ] && [ "$(tickets bar)" -ge 1 ] &&
    [ "$(tickets postres)" -ge 1 ]' || fail "three tickets not printed"
wait_until 5 '[ "$(field "$(req "{\"op\":\"order.get\",\"id\":$ID}")" \
    .order.state)" = impreso ]' || fail "order never reached impreso"
o=$(req '{"op":"order.get","id":'"$ID"'}')
expect "jobs completed" "$(field "$o" '[.order.jobs[].status] | unique | join(",")')" completed
expect "printers" "$(field "$o" '[.order.jobs[] | "\(.station)=\(.printer)"] | sort | join(",")')" \
    "bar=bar1,cocina=cocina1,postres=postres1"
expect "attempts" "$(field "$o" '[.order.jobs[].attempts] | unique | join(",")')" 1

has cocina 1 "MESA 5"
has cocina 1 "COCINA"
has cocina 1 "Pedido M-0001"
has cocina 1 "2 x Hamburguesa"
has cocina 1 "> sin cebolla"
has cocina 1 "1 x Ñoquis con setas"
has cocina 1 "> ¿sin gluten? ¡ojo! 5 €"
has cocina 1 "1 x Jamón ibérico"
has cocina 1 "> á é í ó ú ñ"
hasnt cocina 1 "Caña"
hasnt cocina 1 "Flan"
hasnt cocina 1 "URGENTE"
has bar 1 "3 x Caña de cerveza"
has bar 1 "MESA 5"
hasnt bar 1 "Hamburguesa"
has postres 1 "1 x Flan de la casa"
hasnt postres 1 "Caña"
expect "one cut per ticket (cocina)" "$(tickets cocina)" 1
expect "one cut per ticket (bar)" "$(tickets bar)" 1
# the bytes on the wire really were PC858: "ñ" is 0xa4, "€" is 0xd5,
# and no UTF-8 lead byte (0xc3) reached the printer
LC_ALL=C grep -q "$(printf '\244')" "$T/cocina.raw" || fail "no PC858 ñ"
LC_ALL=C grep -q "$(printf '\325')" "$T/cocina.raw" || fail "no PC858 €"
LC_ALL=C grep -q "$(printf '\303')" "$T/cocina.raw" && fail "UTF-8 sent raw"
expect "printsim log" "$(grep -c '"status":"printed"' "$T/cocina.log")" 1

# urgent: paused printer, order marked urgent, resumed -> URGENTE banner
req '{"op":"printer.pause","printer":"cocina1"}' >/dev/null
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar",
  "items":[{"product":"paella","qty":1}]}')
ID2=$(field "$r" .order.id)
u=$(req '{"op":"order.urgent","id":'"$ID2"'}')
expect "urgent ok" "$(field "$u" .ok)" true
req '{"op":"printer.resume","printer":"cocina1"}' >/dev/null
wait_until 10 '[ "$(tickets cocina)" -ge 2 ]' || fail "urgent ticket not printed"
has cocina 2 "URGENTE"
has cocina 2 "LLEVAR L-0001"
has cocina 2 "1 x Paella valenciana"

# modify after printing: an urgent MODIFICACIÓN delta, only to cocina
m=$(req '{"op":"order.modify","id":'"$ID"',"add":[{"product":"tortilla","qty":1}],
  "remove":[{"product":"hamburguesa","qty":1}]}')
expect "modify ok" "$(field "$m" .ok)" true
wait_until 10 '[ "$(tickets cocina)" -ge 3 ]' || fail "modify ticket not printed"
has cocina 3 "MODIFICACIÓN"
has cocina 3 "+1 x Tortilla española"
has cocina 3 "-1 x Hamburguesa"
sleep 0.3
expect "bar untouched by modify" "$(tickets bar)" 1

# reprint: low priority, REIMPRESIÓN 1, whole station share
p=$(req '{"op":"order.reprint","id":'"$ID"',"station":"bar"}')
expect "reprint ok" "$(field "$p" .ok)" true
wait_until 10 '[ "$(tickets bar)" -ge 2 ]' || fail "reprint not printed"
has bar 2 "REIMPRESIÓN 1"
has bar 2 "3 x Caña de cerveza"

# cancel after printing: CANCELACIÓN to every station
c=$(req '{"op":"order.cancel","id":'"$ID"'}')
expect "cancel ok" "$(field "$c" .ok)" true
wait_until 10 '[ "$(tickets cocina)" -ge 4 ] && [ "$(tickets bar)" -ge 3 ] &&
    [ "$(tickets postres)" -ge 2 ]' || fail "cancel tickets not printed"
has cocina 4 "CANCELACIÓN"
has bar 3 "CANCELACIÓN"
has postres 2 "CANCELACIÓN"
has postres 2 "1 x Flan de la casa"

# every ticket the daemon counts as printed is on paper, and vice versa
s=$(req '{"op":"stats"}')
total=$(( $(tickets cocina) + $(tickets bar) + $(tickets postres) ))
expect "completed = paper" "$(field "$s" .queue.completed)" "$total"
expect "nothing failed" "$(field "$s" .queue.failed)" 0

finish
