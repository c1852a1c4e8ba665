# fastops-kds: an order shows on its station's screen only, with its
# items and notes; a ticket no printer could print shows red until a cook
# acknowledges it (the order's "preparing" says so); bumping by number
# takes the card off and makes the station ready; recall brings it back;
# urgent and cancelled orders are marked; 80x24 and a large terminal,
# colour and monochrome, large-text mode; SIN CONEXIÓN and a refetch when
# the daemon comes back.
. tests/ui/lib.sh

# postres1 is never started: its tickets go to the kitchen screen fast
PRINTING=1 mkconf "workers.retry_delay_ms=100" "workers.max_attempts=2" \
    "breaker.failures=2" "workers.print_timeout_ms=1000" \
    "turbo.print_timeout_ms=800"
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_daemon || exit 1

# sanitizer reports (make DEBUG=1) go to files, not to the screen
KDS="env ASAN_OPTIONS=log_path=$T/kds-asan UBSAN_OPTIONS=log_path=$T/kds-ubsan $BIN/fastops-kds -f $T/fastops.ini"

order() {
	req '{"op":"order.get","id":'"$1"'}'
}

# screen_has NAME TEXT: is TEXT on the screen now?
screen_has() {
	ui_screen "$1" | grep -qF -- "$2"
}

ui_start cocina 80 24 "$KDS -s cocina"
ui_start bar 80 24 "$KDS -s bar"
ui_wait cocina "KDS COCINA" || finish
ui_wait bar "KDS BAR" || finish
ui_wait cocina "No hay pedidos pendientes"

# --- an order reaches the right station --------------------------------
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
  "table":"5","items":[{"product":"hamburguesa","qty":2,
  "notes":"sin cebolla"},{"product":"cana","qty":1}]}')
ID1=$(field "$r" .order.id)
N1=$(field "$r" .order.number)
expect "order created" "$N1" M-0001
ui_wait cocina "2 x Hamburguesa"
ui_wait cocina "sin cebolla"
ui_wait cocina "M-0001"
ui_wait cocina "Mesa 5"
screen_has cocina "Caña" && fail "cocina shows the bar's Caña"
ui_wait bar "1 x Caña de cerveza"
screen_has bar "Hamburguesa" && fail "bar shows the kitchen's burger"
# printed on paper: the card says so, in green time
ui_wait cocina "impreso"
# the age timer runs (0:0x -> later)
# (not on the title line: its clock reads 10:05 from 10:00 to 10:09)
a1=$(ui_screen cocina | sed 1d | grep -o '0:0[0-9]' | head -1)
sleep 1.2
a2=$(ui_screen cocina | sed 1d | grep -o '0:0[0-9]' | head -1)
[ -n "$a1" ] && [ "$a1" != "$a2" ] || fail "age timer did not tick ($a1, $a2)"

# --- fallback: the postres printer is off ------------------------------
ui_start postres 80 24 "$KDS -s postres"
ui_wait postres "KDS POSTRES" || finish
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar",
  "items":[{"product":"tarta_queso","qty":2,"notes":"dos cucharas"}]}')
ID2=$(field "$r" .order.id)
N2=$(field "$r" .order.number)
ui_wait postres "NO IMPRESO" 20
ui_wait postres "2 x Tarta de queso"
ui_wait postres "dos cucharas"
ui_wait postres "Llevar"
expect "job is fallback" "$(field "$(order "$ID2")" .order.jobs[0].status)" \
    fallback
# acknowledge: no longer red; the order is being prepared there
ui_keys postres a
ui_gone postres "NO IMPRESO"
ui_wait postres "en preparación"
wait_until 5 '[ "$(field "$(order "$ID2")" ".order.preparing | index(\"postres\")")" = 0 ]' ||
    fail "preparing lacks postres: $(field "$(order "$ID2")" .order.preparing)"
expect "state en_preparacion" "$(field "$(order "$ID2")" .order.state)" \
    en_preparacion

# --- bump by number, then recall ---------------------------------------
n=$(printf '%s' "$N1" | tr -cd 0-9 | sed 's/^0*//')
ui_keys cocina -l "$n"
ui_wait cocina "Nº $n"
ui_keys cocina Enter
ui_gone cocina "2 x Hamburguesa"
ui_wait cocina "$N1 listo"
wait_until 5 '[ "$(field "$(order "$ID1")" ".order.ready | index(\"cocina\")")" = 0 ]' ||
    fail "ready lacks cocina: $(field "$(order "$ID1")" .order.ready)"
# the bar has not bumped: the order is not listo yet, and the bar still
# shows its card
expect "not yet listo" "$(field "$(order "$ID1")" .order.state)" \
    en_preparacion
ui_wait bar "1 x Caña de cerveza"
ui_keys cocina r
ui_wait cocina "2 x Hamburguesa"
ui_wait cocina "RECUPERADO"
# bumped again: off once more (the daemon is told again, harmlessly)
ui_keys cocina Enter
ui_gone cocina "2 x Hamburguesa"
# the bar bumps its share (selected card, b): the order is ready
ui_keys bar b
ui_gone bar "Caña de cerveza"
wait_until 5 '[ "$(field "$(order "$ID1")" .order.state)" = listo ]' ||
    fail "order not listo: $(field "$(order "$ID1")" .order.state)"
# a number nobody has
ui_keys cocina -l 999
ui_keys cocina Enter
ui_wait cocina "No hay ningún pedido"

# --- urgent, modified and cancelled cards ------------------------------
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
  "table":"7","items":[{"product":"paella","qty":1}]}')
ID3=$(field "$r" .order.id)
N3=$(field "$r" .order.number)
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
  "table":"8","items":[{"product":"tortilla","qty":1}]}')
ID4=$(field "$r" .order.id)
N4=$(field "$r" .order.number)
ui_wait cocina "1 x Tortilla española"
ui_wait cocina "1 x Paella valenciana"
# once printed, a modification: urgent delta ticket
wait_until 10 '[ "$(field "$(order "$ID4")" .order.jobs[0].status)" = completed ]' ||
    fail "tortilla not printed"
r=$(req '{"op":"order.modify","id":'"$ID4"',"add":[{"product":"croquetas","qty":3}]}')
expect "modify ok" "$(field "$r" .ok)" true
ui_wait cocina "MODIFICACIÓN"
ui_wait cocina "URGENTE"
ui_wait cocina "3 x Croquetas caseras"
# urgent first: the modified order is before the older one
first=$(ui_screen cocina | grep -o 'M-[0-9]*' | head -1)
expect "urgent card first" "$first" "$N4"
r=$(req '{"op":"order.cancel","id":'"$ID3"'}')
expect "cancel ok" "$(field "$r" .ok)" true
ui_wait cocina "CANCELACIÓN"
# a cancelled order cannot be bumped in the daemon: the card goes locally
ui_keys cocina -l "$(printf '%s' "$N3" | tr -cd 0-9 | sed 's/^0*//')"
ui_keys cocina Enter
ui_gone cocina "CANCELACIÓN"
ui_gone cocina "Paella"

# --- help, large text, resize, all stations ------------------------------
ui_keys cocina '?'
ui_wait cocina "esta ayuda"
ui_keys cocina Space
ui_gone cocina "esta ayuda"
ui_keys cocina L
ui_wait cocina "$N4 · MESA 8"
ui_wait cocina "███"
ui_resize cocina 160 50
ui_wait cocina "3 x Croquetas caseras"
ui_keys cocina L
ui_wait cocina "3 x Croquetas caseras"
screen_has cocina "███" && fail "large mode still on after L"
ui_resize cocina 80 24
ui_wait cocina "3 x Croquetas caseras"
# a terminal too small says so, and recovers
ui_resize cocina 60 20
ui_wait cocina "demasiado pequeña"
ui_resize cocina 80 24
ui_wait cocina "3 x Croquetas caseras"

ui_start all 200 50 "$KDS --large"
ui_wait all "KDS TODAS" || finish
ui_wait all "3 x Croquetas caseras"
ui_wait all "POSTRES"
ui_wait all "COCINA"

# --- monochrome: a terminal without colours, and --mono -------------------
UI_TERM=xterm-mono ui_start mono 80 24 "$KDS -s postres"
ui_wait mono "2 x Tarta de queso" || finish
ui_start mono2 80 24 "$KDS --mono -s cocina"
ui_wait mono2 "3 x Croquetas caseras"
# ASCII fallback when the locale is not UTF-8
ui_start ascii 80 24 "LC_ALL=C LANG=C $KDS -s cocina"
ui_wait ascii "MODIFICACION"
ui_wait ascii "3 x Croquetas caseras"

# --- the daemon goes away and comes back ----------------------------------
stop_daemon
ui_wait cocina "SIN CONEXI" 10
start_daemon || exit 1
ui_gone cocina "SIN CONEXI" 15
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
  "table":"9","items":[{"product":"fabada","qty":1}]}')
ui_wait cocina "1 x Fabada asturiana"

# --- kitchen users log in with a PIN; waiters may look but not bump -------
req '{"op":"users.add","name":"luis","role":"kitchen","pin":"5678"}' >/dev/null
req '{"op":"users.add","name":"ana","role":"waiter","pin":"1234"}' >/dev/null
ui_start luis 80 24 "$KDS -s bar -u luis"
ui_wait luis "PIN de luis" || finish
ui_keys luis -l 5678
ui_keys luis Enter
ui_wait luis "KDS BAR" || finish
ui_start ana 80 24 "$KDS -s bar -u ana"
ui_wait ana "PIN de ana" || finish
ui_keys ana -l 1234
ui_keys ana Enter
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
  "table":"12","items":[{"product":"cerveza","qty":4}]}')
ID5=$(field "$r" .order.id)
N5=$(field "$r" .order.number)
ui_wait ana "4 x Cerveza tercio"
ui_keys ana -l "$(printf '%s' "$N5" | tr -cd 0-9 | sed 's/^0*//')"
ui_keys ana Enter
ui_wait ana "sin permiso"
ui_wait luis "4 x Cerveza tercio"
ui_keys luis -l "$(printf '%s' "$N5" | tr -cd 0-9 | sed 's/^0*//')"
ui_keys luis Enter
ui_gone luis "4 x Cerveza tercio"
ui_gone ana "4 x Cerveza tercio"
expect "kitchen user bumped" "$(field "$(order "$ID5")" .order.state)" listo
ui_start nopin 80 24 "$KDS -s bar -u luis"
ui_wait nopin "PIN de luis" || finish
ui_keys nopin -l 0000
ui_keys nopin Enter
ui_wait nopin "EAUTH"

# --- quit ---------------------------------------------------------------
ui_keys cocina q
ui_wait cocina "Salir"
ui_keys cocina s
pane=$(ui_pid cocina)
wait_until 5 '! pgrep -P "$pane" -x fastops-kds >/dev/null' ||
    fail "q s did not quit"
for f in "$T"/kds-asan.* "$T"/kds-ubsan.*; do
	[ -e "$f" ] || continue
	fail "sanitizer report $f"
	cat "$f" >&2
done
"$BIN/fastops-kds" --version | grep -qx "fastops-kds 0.1.0" ||
    fail "--version"
"$BIN/fastops-kds" -f "$T/fastops.ini" -s nada 2>&1 | grep -q 'no station' ||
    fail "unknown station accepted"
finish
