#!/bin/sh
# fastops-printsim on its own, no daemon: ESC/POS decoding to text (PC858
# accents, sizes, alignment, buzzer, cut), the raw and log files, DLE EOT
# and GS ( H answers, paper speed and backpressure, one connection at a
# time, faults (offline, paper-out, cover-open, fail=N/M, drop, hang, via
# --fault and via --fault-file + SIGHUP), the pty mode and bad usage.
# The client is a small Perl script (perl-base is in every Debian).
set -u

BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
PS=$BIN/fastops-printsim
T=$(mktemp -d /tmp/fastops-ps.XXXXXX)
PIDS=
FAILS=0

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# expect DESCRIPTION GOT WANT
expect() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
}

# wait_grep FILE PATTERN [TENTHS]: until FILE has a line matching PATTERN.
wait_grep() {
	i=0
	while [ "$i" -lt "${3:-50}" ]; do
		grep -q -e "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# client ADDR FILE NREAD TIMEOUT_S [HOLD_S]: send FILE ('-': nothing) to
# ADDR (HOST:PORT or pty:PATH), read up to NREAD bytes within TIMEOUT_S,
# optionally wait HOLD_S before closing.  Prints "HEX FIRST_MS TOTAL_MS"
# (HEX "-" when nothing came; FIRST_MS -1).
cat >"$T/client.pl" <<'EOF'
use strict;
use warnings;
use Fcntl;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my ($addr, $file, $nread, $timeout, $hold) = @ARGV;
my $fh;
if ($addr =~ /^pty:(.*)$/) {
	sysopen($fh, $1, O_RDWR | O_NOCTTY) or die "open $1: $!\n";
} else {
	$fh = IO::Socket::INET->new(PeerAddr => $addr, Proto => 'tcp')
	    or die "connect $addr: $!\n";
}
binmode $fh;
my $t0 = time;
if ($file ne '-') {
	open(my $in, '<:raw', $file) or die "$file: $!\n";
	local $/;
	my $data = <$in>;
	my $off = 0;
	while ($off < length $data) {
		my $n = syswrite($fh, $data, length($data) - $off, $off);
		last unless defined $n;
		$off += $n;
	}
}
my ($buf, $first) = ('', undef);
while (length($buf) < $nread) {
	my $left = $timeout - (time - $t0);
	last if $left <= 0;
	my $rin = '';
	vec($rin, fileno($fh), 1) = 1;
	last if select(my $rout = $rin, undef, undef, $left) <= 0;
	my $r = sysread($fh, my $chunk, 4096);
	last unless $r;
	$first = time unless defined $first;
	$buf .= $chunk;
}
sleep($hold) if $hold;
printf "%s %d %d\n", length($buf) ? unpack('H*', $buf) : '-',
    defined $first ? ($first - $t0) * 1000 : -1, (time - $t0) * 1000;
EOF
client() {
	perl "$T/client.pl" "$@"
}

# start_ps NAME ARGS...: a printsim on a free port; sets PORT and PID,
# its stderr in $T/NAME.err.
start_ps() {
	name=$1
	shift
	try=0
	while [ "$try" -lt 10 ]; do
		PORT=$(awk -v s=$$ -v t="$try" 'BEGIN { srand();
		    print 20000 + (int(rand() * 40000) + s * 7 + t * 991) % 40000 }')
		"$PS" --listen "tcp://127.0.0.1:$PORT" "$@" 2>"$T/$name.err" &
		PID=$!
		PIDS="$PIDS $PID"
		i=0
		while [ "$i" -lt 50 ]; do
			grep -q 'listening on' "$T/$name.err" 2>/dev/null && return 0
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		if ! grep -q 'Address already in use' "$T/$name.err"; then
			fail "$name: did not start: $(cat "$T/$name.err")"
			return 1
		fi
		try=$((try + 1))
	done
	fail "$name: no free port"
	return 1
}

# stop_ps PID: SIGTERM, and the exit status must be 0.
stop_ps() {
	kill -TERM "$1"
	wait "$1"
	expect "exit status after SIGTERM" "$?" 0
}

hex() {
	echo "${1%% *}"
}

SEP=$(printf '%48s' '' | tr ' ' '=')
DLE_EOT1='\020\004\001'
DLE_EOT2='\020\004\002'
DLE_EOT3='\020\004\003'
DLE_EOT4='\020\004\004'

# --- usage ------------------------------------------------------------------

expect "version" "$("$PS" --version)" "fastops-printsim 0.1.0"
"$PS" --help >"$T/help" 2>&1
expect "help exit" "$?" 0
grep -q -e '--fault-file' "$T/help" || fail "help lacks --fault-file"
for bad in bogus slow=abc fail=3/2 fail=1 fail=1/0 drop=0 drop=x hang-after=; do
	"$PS" --listen tcp://127.0.0.1:1 --out "$T/x" --fault "$bad" \
	    2>"$T/bad.err"
	expect "bad fault $bad: exit" "$?" 2
	grep -q "fault" "$T/bad.err" || fail "bad fault $bad: no message"
done
"$PS" --listen tcp://127.0.0.1:1 --out "$T/x" --fault fail=1 2>&1 |
    grep -q 'fail=N/M' || fail "bad fail=: message does not say fail=N/M"
printf 'offline\nnot-a-fault\n' >"$T/badfaults"
"$PS" --listen tcp://127.0.0.1:1 --out "$T/x" --fault-file "$T/badfaults" \
    2>"$T/bad.err"
expect "bad fault file: exit" "$?" 2
grep -q 'badfaults:2' "$T/bad.err" || fail "bad fault file: no line number"
"$PS" --listen tcp://127.0.0.1:1 2>/dev/null
expect "no --out" "$?" 2
"$PS" --listen tcp://127.0.0.1:1 --pty "$T/p" --out "$T/x" 2>/dev/null
expect "both --listen and --pty" "$?" 2
"$PS" --listen tcp://127.0.0.1:1 --out "$T/x" --width 3 2>/dev/null
expect "bad width" "$?" 2
"$PS" --listen 127.0.0.1:9100 --out "$T/x" 2>/dev/null
expect "listen without tcp://" "$?" 2

# --- decoding -----------------------------------------------------------------

# A ticket in PC858: big centred table, bold centred station, an item,
# the Spanish letters and the euro, a right-aligned total, feed, cut, and
# the buzzer after the cut.
{
	printf '\033@\033t\023'			# init, PC858
	printf '\033a\001\035!\021MESA 5\n\035!\000'	# centred, 2x2
	printf '\033E\001COCINA\033E\000\n'		# centred, bold
	printf '\033a\000\033E\0012 x Hamburguesa\033E\000\n'
	printf '\240 \202 \241 \242 \243 \244 \245 \250 \255 \325\n'
	printf '\033a\002Total 5 \325\n\033a\000'	# right-aligned
	printf '\033d\004\035VB\000'			# feed, cut
	printf '\033B\003\002'			# buzzer
} >"$T/t1.bin"
printf "$DLE_EOT1"'\035(H\006\000\060\060\061\062\063\064' >"$T/q1.bin"
cat "$T/t1.bin" "$T/q1.bin" >"$T/s1.bin"
{
	printf '%18sMESA 5\n' ''
	printf '%21sCOCINA\n' ''
	printf '2 x Hamburguesa\n'
	printf 'á é í ó ú ñ Ñ ¿ ¡ €\n'
	printf '%39sTotal 5 €\n' ''
	printf '[zumbador]\n'
	printf '%s\n' "$SEP"
} >"$T/want1"

start_ps dec --out "$T/out1" --raw "$T/raw1" --log "$T/log1" || exit 1
r=$(client "127.0.0.1:$PORT" "$T/s1.bin" 8 3)
expect "DLE EOT 1 then GS ( H answer" "$(hex "$r")" 1237223132333400
wait_grep "$T/out1" "^$SEP" || fail "decoding: no ticket in --out"
cmp -s "$T/out1" "$T/want1" ||
    fail "decoding: --out differs: $(diff "$T/want1" "$T/out1")"
cmp -s "$T/raw1" "$T/s1.bin" || fail "raw file is not the bytes sent"
bytes=$(($(wc -c <"$T/s1.bin") - 3))	# all but the DLE EOT
grep -q '^{"n":1,"start_ms":[0-9]*,"end_ms":[0-9]*,"lines":6,"bytes":'"$bytes"',"status":"printed","reason":""}$' \
    "$T/log1" || fail "log line: $(cat "$T/log1")"

# A ticket cut short by the client is marked, and logged incomplete.
printf '\033@Pedido M-0001\nSin terminar' >"$T/t2.bin"
client "127.0.0.1:$PORT" "$T/t2.bin" 0 1 >/dev/null
wait_grep "$T/out1" 'conexión perdida' ||
    fail "no incomplete marker: $(cat "$T/out1")"
expect "incomplete ticket" "$(tail -n 3 "$T/out1")" \
    "$(printf 'Pedido M-0001\n[ticket incompleto: conexión perdida]\n%s' "$SEP")"
wait_grep "$T/log1" '"n":2,.*"status":"incomplete"' ||
    fail "incomplete not logged: $(cat "$T/log1")"

# Garbage never kills it; it still answers afterwards.
head -c 40000 /dev/urandom >"$T/junk.bin"
printf '\035V\000'"$DLE_EOT1" >>"$T/junk.bin"
client "127.0.0.1:$PORT" "$T/junk.bin" 0 2 >/dev/null
printf "$DLE_EOT1" >"$T/st1.bin"
r=$(client "127.0.0.1:$PORT" "$T/st1.bin" 1 3)
expect "alive after garbage" "$(hex "$r")" 12
stop_ps "$PID"
grep -q 'printed,.*discarded,.*incomplete,.*bytes received' "$T/dec.err" ||
    fail "no statistics at exit: $(tail -n 2 "$T/dec.err")"

# --- one connection at a time -------------------------------------------------

start_ps one --out "$T/out2" || exit 1
client "127.0.0.1:$PORT" - 0 0 1.2 >/dev/null &
HOLDER=$!
sleep 0.3
r=$(client "127.0.0.1:$PORT" "$T/st1.bin" 1 5)
wait "$HOLDER"
expect "second connection answered" "$(hex "$r")" 12
first=$(echo "$r" | cut -d' ' -f2)
[ "$first" -ge 600 ] ||
    fail "second connection answered while the first was open ($first ms)"
stop_ps "$PID"

# --- faults from the command line -----------------------------------------

printf "$DLE_EOT1$DLE_EOT2$DLE_EOT3$DLE_EOT4" >"$T/st4.bin"
for f in offline:1a121212 paper-out:1a321272 cover-open:1a161212 \
    paper-low:1212121e; do
	name=${f%%:*}
	start_ps "$name" --out "$T/out-$name" --log "$T/log-$name" \
	    --fault "$name" || continue
	r=$(client "127.0.0.1:$PORT" "$T/st4.bin" 4 3)
	expect "$name: DLE EOT 1..4" "$(hex "$r")" "${f#*:}"
	r=$(client "127.0.0.1:$PORT" "$T/s1.bin" 8 1)
	case $name in
	paper-low)
		wait_grep "$T/out-$name" "^$SEP" ||
		    fail "paper-low: ticket not printed"
		;;
	*)
		expect "$name: no GS ( H answer" "$(hex "$r")" \
		    "$(printf '%s' "${f#*:}" | cut -c1-2)"
		wait_grep "$T/log-$name" '"status":"discarded","reason":"'"$name"'"' ||
		    fail "$name: not logged as discarded: $(cat "$T/log-$name")"
		[ -s "$T/out-$name" ] &&
		    fail "$name: printed: $(cat "$T/out-$name")"
		;;
	esac
	stop_ps "$PID"
done

# drop=2: the second ticket is cut off after its first line.
printf '\033@Uno\n\035V\000' >"$T/d1.bin"
printf '\033@Linea 1\nLinea 2\nLinea 3\n\035V\000' >"$T/d2.bin"
start_ps drop --out "$T/out-drop" --log "$T/log-drop" --fault drop=2 ||
    exit 1
client "127.0.0.1:$PORT" "$T/d1.bin" 0 1 >/dev/null
r=$(client "127.0.0.1:$PORT" "$T/d2.bin" 1 3)
expect "drop: connection closed" "$(hex "$r")" -
client "127.0.0.1:$PORT" "$T/d2.bin" 0 1 >/dev/null
wait_grep "$T/log-drop" '"n":3,' || fail "drop: third ticket not logged"
printf 'Uno\n%s\nLinea 1\n[ticket incompleto: conexión perdida]\n%s\nLinea 1\nLinea 2\nLinea 3\n%s\n' \
    "$SEP" "$SEP" "$SEP" >"$T/want-drop"
cmp -s "$T/out-drop" "$T/want-drop" ||
    fail "drop: --out differs: $(diff "$T/want-drop" "$T/out-drop")"
expect "drop: statuses" "$(sed 's/.*"status":"\([a-z]*\)".*/\1/' "$T/log-drop" | tr '\n' ' ')" \
    "printed incomplete printed "
stop_ps "$PID"

# --- faults from a file, changed with SIGHUP -----------------------------------

: >"$T/faults"
start_ps file --out "$T/out-file" --log "$T/log-file" \
    --fault-file "$T/faults" || exit 1
printf '\033@Ticket %s\n\035VB\000\035(H\006\000\060\060\060\060\060%s'"$DLE_EOT3" \
    A 1 >"$T/fA.bin"
for n in B C D; do
	sed "s/Ticket A/Ticket $n/" "$T/fA.bin" >"$T/f$n.bin"
done
r=$(client "127.0.0.1:$PORT" "$T/fA.bin" 8 3)
expect "fail: ticket A confirmed" "$(hex "$r")" 1237223030303100

echo 'fail=1/2   # every other ticket' >"$T/faults"
kill -HUP "$PID"
wait_grep "$T/file.err" 'faults reloaded' || fail "fault file not reloaded"
r=$(client "127.0.0.1:$PORT" "$T/fB.bin" 8 1)
expect "fail: ticket B lost, DLE EOT 3 says unrecoverable" "$(hex "$r")" 32
r=$(client "127.0.0.1:$PORT" "$T/st4.bin" 4 3)
expect "fail: error reported once" "$(hex "$r")" 12121212
r=$(client "127.0.0.1:$PORT" "$T/fC.bin" 8 3)
expect "fail: ticket C printed" "$(hex "$r")" 1237223030303100
r=$(client "127.0.0.1:$PORT" "$T/fD.bin" 8 1)
expect "fail: ticket D lost" "$(hex "$r")" 32
wait_grep "$T/log-file" '"n":4,' || fail "fail: ticket D not logged"
expect "fail: statuses" "$(sed 's/.*"status":"\([a-z]*\)".*/\1/' "$T/log-file" | tr '\n' ' ')" \
    "printed discarded printed discarded "
expect "fail: printed tickets" "$(grep '^Ticket' "$T/out-file" | tr '\n' ' ')" \
    "Ticket A Ticket C "

# hang: no answer at all, until the fault is cleared.
echo hang >"$T/faults"
kill -HUP "$PID"
sleep 0.3
client "127.0.0.1:$PORT" "$T/st1.bin" 1 4 >"$T/hang.r" &
CL=$!
sleep 1
(echo none >"$T/faults"; kill -HUP "$PID")
wait "$CL"
r=$(cat "$T/hang.r")
expect "hang: answered once cleared" "$(hex "$r")" 12
first=$(echo "$r" | cut -d' ' -f2)
[ "$first" -ge 800 ] || fail "hang: answered while hung ($first ms)"
stop_ps "$PID"

# --- speed and backpressure ---------------------------------------------------

# 10 lines at 250 mm/s (170 ms) and a 300 ms cut: GS ( H answers after
# both, DLE EOT at once.
{
	printf '\033@'
	for i in 1 2 3 4 5 6 7 8 9 10; do printf 'Linea %s\n' "$i"; done
	printf '\035VB\000\035(H\006\000\060\060\071\071\071\071'"$DLE_EOT1"
} >"$T/slow.bin"
start_ps speed --out "$T/out-speed" --speed 250 --cut-ms 300 || exit 1
r=$(client "127.0.0.1:$PORT" "$T/slow.bin" 8 5)
expect "speed: answers" "$(hex "$r")" 1237223939393900
first=$(echo "$r" | cut -d' ' -f2)
total=$(echo "$r" | cut -d' ' -f3)
[ "$first" -lt 150 ] || fail "speed: DLE EOT waited for the paper ($first ms)"
[ "$total" -ge 420 ] || fail "speed: GS ( H before the cut ($total ms)"
stop_ps "$PID"

# 100 lines (425 mm at 1000 mm/s) through a 1024-byte buffer: a DLE EOT
# behind them is read only once most of them are printed.
awk 'BEGIN { printf "\033@"; for (i = 0; i < 100; i++)
    printf "%-40s\n", "Linea " i; printf "\020\004\001" }' >"$T/big.bin"
start_ps bp --out "$T/out-bp" --speed 1000 --buffer 1024 || exit 1
r=$(client "127.0.0.1:$PORT" "$T/big.bin" 1 5)
expect "backpressure: answer" "$(hex "$r")" 12
first=$(echo "$r" | cut -d' ' -f2)
[ "$first" -ge 200 ] || fail "backpressure: read ahead of the buffer ($first ms)"
stop_ps "$PID"
start_ps nobp --out "$T/out-nobp" --speed 1000 --buffer 65536 || exit 1
r=$(client "127.0.0.1:$PORT" "$T/big.bin" 1 5)
first=$(echo "$r" | cut -d' ' -f2)
[ "$first" -lt 150 ] || fail "big buffer: status waited ($first ms)"
stop_ps "$PID"

# --- pty ----------------------------------------------------------------------

ln -s /nonexistent "$T/p0"		# a stale link is replaced
"$PS" --pty "$T/p0" --out "$T/out-pty" --log "$T/log-pty" 2>"$T/pty.err" &
PID=$!
PIDS="$PIDS $PID"
wait_grep "$T/pty.err" 'pseudo-terminal' || fail "pty: did not start"
case $(readlink "$T/p0") in
/dev/pts/*) ;;
*) fail "pty: $T/p0 -> $(readlink "$T/p0")" ;;
esac
r=$(client "pty:$T/p0" "$T/s1.bin" 8 3)
expect "pty: answers" "$(hex "$r")" 1237223132333400
# closed and opened again, as a worker does
r=$(client "pty:$T/p0" "$T/fA.bin" 8 3)
expect "pty: answers after reopening" "$(hex "$r")" 1237223030303100
wait_grep "$T/log-pty" '"n":2,' || fail "pty: second ticket not logged"
head -n 7 "$T/out-pty" | cmp -s - "$T/want1" ||
    fail "pty: --out differs: $(cat "$T/out-pty")"
expect "pty: second ticket" "$(tail -n 2 "$T/out-pty" | head -n 1)" "Ticket A"
# idle with the client gone: no busy loop on the master
t0=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
sleep 1
t1=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
[ $((t1 - t0)) -le 5 ] || fail "pty: busy while idle ($((t1 - t0)) ticks/s)"
stop_ps "$PID"
[ -e "$T/p0" ] || [ -L "$T/p0" ] && fail "pty: link left behind"
: >"$T/regular"
"$PS" --pty "$T/regular" --out "$T/x" 2>/dev/null
expect "pty over a regular file refused" "$?" 1

[ "$FAILS" -eq 0 ]
