# fastops-pos, the waiter's terminal, driven in tmux against a real
# daemon and three simulated printers: PIN login (a wrong PIN refused),
# an order built from the menu with notes and sent; the acknowledgement
# with number and queue position; the state reaching "impreso" by itself;
# urgent, reprint, modify and cancel each putting the right ticket on
# paper; an empty order and an unknown product refused, changing nothing;
# a ticket that went to the kitchen screen announced; the draft surviving
# a daemon restart (sent once) and a restart of the terminal; 80x24 and a
# large screen, colour, monochrome and a non-UTF-8 terminal, resizes; no
# CPU spent while idle.
. tests/ui/lib.sh

PRINTING=1 mkconf "workers.max_attempts=1" "workers.retry_delay_ms=100" \
    "workers.print_timeout_ms=1000" "turbo.print_timeout_ms=800"
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1
r=$(req '{"op":"users.add","name":"ana","role":"waiter","pin":"1234"}')
expect "waiter added" "$(field "$r" .ok)" true

POS="XDG_STATE_HOME=$T/xdg $BIN/fastops-pos -f $T/fastops.ini"
# what the program says on stderr (sanitizer reports): nothing
ERR="2>>$T/pos.err"
# sane_exit: no sanitizer report so far
sane_exit() {
	if [ -s "$T/pos.err" ]; then
		fail "fastops-pos wrote on stderr:"
		head -40 "$T/pos.err" | sed 's/^/    | /' >&2
		: >"$T/pos.err"
	fi
}

norders() {
	field "$(req '{"op":"order.list","per_page":100}')" .total
}
# see NAME TEXT: TEXT is on the screen now
see() {
	ui_screen "$1" | grep -qF -- "$2" || {
		fail "screen $1 lacks '$2'"
		ui_screen "$1" | sed 's/^/    | /' >&2
	}
}
# add NAME TEXT: search the menu for TEXT and add the first match
add() {
	ui_keys "$1" /
	ui_keys "$1" -l "$2"
	ui_keys "$1" Enter
}
# login NAME [USER PIN]: without USER, the user came with -u
login() {
	ui_wait "$1" "Usuario:" || return 1
	if [ $# -gt 1 ]; then
		ui_keys "$1" -l "$2"
		ui_keys "$1" Tab
	fi
	ui_keys "$1" -l "${3:-1234}"
	ui_keys "$1" Enter
}

# --- the command line ---------------------------------------------------
expect "--version" "$("$BIN/fastops-pos" --version)" "fastops-pos 0.1.0"
"$BIN/fastops-pos" --help | grep -q "usage: fastops-pos \[-f file\] \[--mono\] \[-u user\]" ||
    fail "--help lacks the synopsis"
"$BIN/fastops-pos" --bogus 2>/dev/null
expect "bad option" "$?" 2

# --- login: a wrong PIN is refused ------------------------------------------
ui_start pos 80 24 "$POS $ERR"
login pos ana 9999
ui_wait pos "Usuario o PIN incorrecto"
see pos "conectado"
ui_screen pos | grep -q 9999 && fail "the PIN is shown on screen"
ui_keys pos -l 1234
ui_keys pos Enter
ui_wait pos "Pedido nuevo" || exit 1
see pos "FastOps TPV — ana"
see pos "Entradas"
see pos "Jamón ibérico"
see pos "18,50 €"
expect "no bell yet" "$(tm display -p -t pos '#{window_bell_flag}')" 0

# --- refusals change nothing -------------------------------------------------
ui_keys pos e
ui_wait pos "El pedido está vacío"
add pos xyzzy
ui_wait pos "Producto desconocido: «xyzzy»"
ui_keys pos Escape
see pos "(vacío"
expect "no order from refusals" "$(norders)" 0

# an order without a table is refused too
add pos hambur
ui_wait pos "1 x Hamburguesa"
ui_keys pos e
ui_wait pos "Falta el número de mesa"
expect "no order without a table" "$(norders)" 0

# --- an order with notes ---------------------------------------------------------
ui_keys pos m
ui_wait pos "Mesa nº:"
ui_keys pos -l 5
ui_keys pos Enter
ui_wait pos "Mesa 5"
ui_keys pos +
ui_wait pos "2 x Hamburguesa"
ui_keys pos n
ui_wait pos "Nota:"
ui_keys pos -l "sin cebolla"
ui_keys pos Enter
ui_wait pos "> sin cebolla"
add pos caña
ui_wait pos "1 x Caña de cerveza"
# by category: Postres is the third tab, flan its first product
ui_keys pos 3
ui_keys pos Enter
ui_wait pos "1 x Flan de la casa"
ui_wait pos "Total: 31,50 €"
# the draft is on disk, with its uuid, before it is sent
[ -s "$T/xdg/fastops/pos-ana.json" ] || fail "draft not saved"
UUID1=$(jq -r .uuid "$T/xdg/fastops/pos-ana.json")

# the kitchen printer is paused: the order waits in the queue
req '{"op":"printer.pause","printer":"cocina1"}' >/dev/null
ui_keys pos F10
ui_wait pos "Recibido M-0001 — En cola: " || exit 1
see pos "de "
expect "one order" "$(norders)" 1
o=$(req '{"op":"order.get","id":1}')
expect "uuid kept from the draft" "$(field "$o" .order.uuid)" "$UUID1"
expect "waiter" "$(field "$o" .order.waiter)" ana
expect "items" "$(field "$o" '[.order.items[] | "\(.qty) \(.product) \(.notes)"] | join(",")')" \
    "2 hamburguesa sin cebolla,1 cana ,1 flan "
[ -e "$T/xdg/fastops/pos-ana.json" ] && fail "draft kept after the order was acknowledged"

# the state moves by itself: "Mis pedidos"
ui_keys pos o
ui_wait pos "Mis pedidos (1)"
ui_wait pos "en cola"
req '{"op":"printer.resume","printer":"cocina1"}' >/dev/null
ui_wait pos "impreso ✓" || exit 1
# the bell rang when the tickets printed
wait_until 5 '[ "$(tm display -p -t pos "#{window_bell_flag}")" = 1 ]' ||
    fail "no bell when the ticket printed"
see pos "Mesa 5"
see pos "31,50 €"
see pos "cocina               impreso (cocina1)"
wait_until 5 '[ "$(tickets cocina)" -ge 1 ] && [ "$(tickets bar)" -ge 1 ] &&
    [ "$(tickets postres)" -ge 1 ]' || fail "tickets not printed"
has cocina 1 "MESA 5"
has cocina 1 "Pedido M-0001"
has cocina 1 "2 x Hamburguesa"
has cocina 1 "> sin cebolla"
hasnt cocina 1 "Caña"
has bar 1 "1 x Caña de cerveza"
has postres 1 "1 x Flan de la casa"

# --- urgent --------------------------------------------------------------------
req '{"op":"printer.pause","printer":"cocina1"}' >/dev/null
ui_keys pos Escape
ui_wait pos "Tipo:"
ui_keys pos l
add pos paella
ui_wait pos "1 x Paella valenciana"
ui_keys pos e
ui_wait pos "Recibido L-0001"
ui_keys pos o
ui_wait pos "L-0001"
ui_keys pos Home
ui_keys pos u
ui_wait pos "L-0001 marcado URGENTE"
see pos "URGENTE"
req '{"op":"printer.resume","printer":"cocina1"}' >/dev/null
wait_until 10 '[ "$(tickets cocina)" -ge 2 ]' || fail "urgent ticket not printed"
has cocina 2 "URGENTE"
has cocina 2 "LLEVAR L-0001"
has cocina 2 "1 x Paella valenciana"

# --- reprint (M-0001, the second line) -----------------------------------------
ui_keys pos Down
ui_keys pos r
ui_wait pos "Reimpresión de M-0001 pedida"
wait_until 10 '[ "$(tickets bar)" -ge 2 ] && [ "$(tickets cocina)" -ge 3 ]' ||
    fail "reprint not printed"
has bar 2 "REIMPRESIÓN 1"
has bar 2 "1 x Caña de cerveza"
has cocina 3 "REIMPRESIÓN 1"
has cocina 3 "Pedido M-0001"

# --- modify: one hamburger less, a tortilla more --------------------------------
ui_keys pos m
ui_wait pos "Modificando M-0001"
see pos "2 x Hamburguesa"
add pos tortilla
ui_wait pos "+1 x Tortilla española"
ui_keys pos Tab Home
ui_keys pos Up Up Up Up
ui_keys pos -
ui_wait pos "1 x Hamburguesa (-1)"
ui_keys pos F10
ui_wait pos "Cambios de M-0001 enviados"
ui_wait pos "Mis pedidos"
wait_until 10 '[ "$(tickets cocina)" -ge 4 ]' || fail "modify ticket not printed"
has cocina 4 "MODIFICACIÓN"
has cocina 4 "+1 x Tortilla española"
has cocina 4 "-1 x Hamburguesa"
sleep 0.3
expect "bar untouched by modify" "$(tickets bar)" 2
o=$(req '{"op":"order.get","id":1}')
expect "modified items" "$(field "$o" '[.order.items[] | "\(.qty) \(.product)"] | join(",")')" \
    "1 hamburguesa,1 cana,1 flan,1 tortilla"

# --- cancel, with confirmation ------------------------------------------------------
ui_keys pos x
ui_wait pos "¿Cancelar el pedido M-0001?"
ui_keys pos n
ui_wait pos "No se ha cancelado nada"
sleep 0.3
expect "not cancelled on 'n'" "$(field "$(req '{"op":"order.get","id":1}')" .order.state)" impreso
ui_keys pos x
ui_wait pos "¿Cancelar el pedido M-0001?"
ui_keys pos s
ui_wait pos "M-0001 cancelado"
ui_wait pos "cancelado"
wait_until 10 '[ "$(tickets cocina)" -ge 5 ] && [ "$(tickets bar)" -ge 3 ] &&
    [ "$(tickets postres)" -ge 3 ]' || fail "cancel tickets not printed"
has cocina 5 "CANCELACIÓN"
has bar 3 "CANCELACIÓN"
has postres 3 "CANCELACIÓN"

# --- a ticket that no printer could print -----------------------------------------
stop_printsim postres
ui_keys pos Escape
ui_wait pos "Tipo:"
ui_keys pos d
add pos churros
ui_wait pos "1 x Churros con chocolate"
ui_keys pos e
ui_wait pos "Recibido D-0001"
ui_wait pos "¡Ticket de postres de D-0001 en PANTALLA, no impreso!" 15
ui_keys pos o
ui_wait pos "¡EN PANTALLA!"
see pos "EN PANTALLA, no impreso"
start_printsim postres "$P3" || exit 1

# --- the draft survives a daemon restart -----------------------------------------
ui_keys pos Escape
ui_wait pos "Tipo:"
ui_keys pos m
ui_wait pos "Mesa nº:"
ui_keys pos -l 7
ui_keys pos Enter
add pos croquetas
ui_wait pos "1 x Croquetas caseras"
before=$(norders)
stop_daemon
ui_wait pos "SIN CONEXIÓN" || exit 1
add pos gazpacho
ui_wait pos "1 x Gazpacho andaluz"
start_daemon || exit 1
ui_wait pos "conectado" 15 || exit 1
req '{"op":"printer.pause","printer":"cocina1"}' >/dev/null
ui_keys pos e
ui_wait pos "Recibido M-0002" || exit 1
expect "one order after the restart" "$(norders)" $((before + 1))
o=$(req '{"op":"order.list","per_page":1}')
expect "restart order items" "$(field "$o" '[.orders[0].items[] | .product] | join(",")')" \
    "croquetas,gazpacho"
# events flow again after the restart: the state moves by itself, long
# before the next resynchronisation (30 s)
ui_keys pos o
ui_wait pos "Mis pedidos"
sleep 2
req '{"op":"printer.resume","printer":"cocina1"}' >/dev/null
wait_until 5 'ui_screen pos | grep -q "M-0002 .*impreso"' ||
    fail "M-0002 never shown printed after the restart"
ui_keys pos Escape
ui_wait pos "Tipo:"

# sent while disconnected: it goes by itself on reconnection, once
before=$(norders)
stop_daemon
ui_wait pos "SIN CONEXIÓN" || exit 1
ui_keys pos m
ui_wait pos "Mesa nº:"
ui_keys pos -l 9
ui_keys pos Enter
add pos pulpo
ui_wait pos "1 x Pulpo a la gallega"
ui_keys pos e
ui_wait pos "se enviará solo al reconectar"
ui_wait pos "Pendiente de envío"
jq -e .pending "$T/xdg/fastops/pos-ana.json" >/dev/null ||
    fail "pending draft not saved as pending"
start_daemon || exit 1
ui_wait pos "Recibido M-0003" 15 || exit 1
sleep 1
expect "sent once on reconnection" "$(norders)" $((before + 1))

# --- the draft survives a restart of the terminal ---------------------------------
# even one sent without a connection: it goes after logging in again, once
before=$(norders)
ui_keys pos Escape
ui_wait pos "Tipo:"
stop_daemon
ui_wait pos "SIN CONEXIÓN" || exit 1
ui_keys pos l
add pos agua
ui_wait pos "1 x Agua mineral"
ui_keys pos e
ui_wait pos "Pendiente de envío"
ui_keys pos q
ui_wait pos "¿Salir del TPV?"
ui_keys pos s
ui_gone pos "FastOps TPV"
sane_exit
tm rename-session -t pos gone1
jq -e '.pending and .items[0].product == "agua"' "$T/xdg/fastops/pos-ana.json" \
    >/dev/null || fail "pending draft not on disk"
start_daemon || exit 1
ui_start pos 80 24 "$POS -u ana $ERR"
ui_wait pos "Usuario:"
see pos "ana"
ui_keys pos -l 1234
ui_keys pos Enter
ui_wait pos "Recibido L-0002" || exit 1
sleep 1
expect "sent once after the terminal restart" "$(norders)" $((before + 1))
[ -e "$T/xdg/fastops/pos-ana.json" ] && fail "draft kept after it was sent"
# and one just being written comes back as it was
ui_keys pos Escape
add pos flan
ui_wait pos "1 x Flan de la casa"
# a crash of the terminal this time
kill -KILL "$(pgrep -P "$(ui_pid pos)" fastops-pos)"
tm rename-session -t pos gone2
ui_start pos 80 24 "$POS -u ana $ERR"
login pos
ui_wait pos "Borrador recuperado"
see pos "1 x Flan de la casa"
ui_keys pos o
ui_wait pos "M-0003"
see pos "D-0001"

# --- sizes, resizes, CPU while idle ---------------------------------------------------
ui_resize pos 120 40
ui_wait pos "Mis pedidos"
ui_resize pos 60 20
ui_wait pos "Terminal demasiado pequeña"
ui_resize pos 80 24
ui_wait pos "Mis pedidos"
ui_keys pos '?'
ui_wait pos "marcar URGENTE"
ui_keys pos Escape
ui_wait pos "Mis pedidos"
pid=$(pgrep -P "$(ui_pid pos)" fastops-pos | head -1)
if [ -n "$pid" ]; then
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 3
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	[ $((t1 - t0)) -le 5 ] || fail "busy while idle: $((t1 - t0)) ticks in 3 s"
else
	fail "no fastops-pos process"
fi

ui_start big 200 60 "$POS -u ana $ERR"
login big
ui_wait big "Pedido nuevo"
see big "Tipo:"
see big "Calamares a la romana, con alioli"
ui_keys big o
ui_wait big "M-0003"

# monochrome: a terminal without colours, and --mono
UI_TERM=xterm-mono ui_start mono 80 24 "$POS -u ana $ERR"
login mono
ui_wait mono "Pedido nuevo"
see mono "Jamón ibérico"
ui_start mono2 80 24 "$POS --mono -u ana $ERR"
login mono2
ui_wait mono2 "Pedido nuevo"

# a terminal without UTF-8: ASCII only
ui_start ascii 80 24 "LC_ALL=C LANG=C $POS -u ana $ERR"
login ascii
ui_wait ascii "Jamon iberico"
see ascii "18,50 EUR"
ui_screen ascii | LC_ALL=C grep -q "$(printf '\303')" &&
    fail "UTF-8 on a non-UTF-8 terminal"

# everybody leaves cleanly: F12 and confirm, or F12 on the login screen
for s in pos big mono mono2 ascii; do
	ui_keys $s F12
	ui_keys $s s
	ui_gone $s "FastOps TPV"
done
sleep 0.5
sane_exit

finish
