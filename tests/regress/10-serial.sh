# A serial printer: fastops-printsim on a real pseudo-terminal, which the
# worker opens through libserialport like a USB-serial kitchen printer.
# The same ticket content as over TCP; the status round trip works.
. tests/regress/lib.sh
PRINTING=1 mkconf "printer cocina1.uri=serial:$T/cocina.tty?baud=19200"
start_printsim cocina pty || exit 1
start_daemon || exit 1

r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"domicilio",
  "items":[{"product":"paella","qty":2,"notes":"¡muy hecha! sin limón"},
           {"product":"tortilla","qty":1}]}')
expect "create ok" "$(field "$r" .ok)" true
ID=$(field "$r" .order.id)
wait_until 10 '[ "$(tickets cocina)" -ge 1 ]' || fail "serial ticket not printed"
out=$(awk -v sep="$SEP" '$0 == sep { exit } { print }' "$T/cocina.out")
for want in "DOMICILIO D-0001" "COCINA" "2 x Paella valenciana" \
    "> ¡muy hecha! sin limón" "1 x Tortilla española"; do
	echo "$out" | grep -qF -- "$want" || fail "serial ticket lacks '$want'"
done
wait_until 5 '[ "$(field "$(req "{\"op\":\"order.get\",\"id\":$ID}")" \
    ".order.jobs[0].status")" = completed ]' || fail "job not completed"
o=$(req '{"op":"order.get","id":'"$ID"'}')
expect "printer" "$(field "$o" '.order.jobs[0].printer')" cocina1
expect "one attempt" "$(field "$o" '.order.jobs[0].attempts')" 1

# a second ticket on the same port (the worker keeps it open)
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"12",
  "items":[{"product":"croquetas","qty":4}]}')
wait_until 10 '[ "$(tickets cocina)" -ge 2 ]' || fail "second serial ticket"
awk -v sep="$SEP" '$0 == sep { k++; next } k == 1' "$T/cocina.out" |
    grep -qF "4 x Croquetas caseras" || fail "second ticket content"
finish
