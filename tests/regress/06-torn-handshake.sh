# Local clients that hang up in the middle of the nng handshake must not
# leave control.ipc deaf (nng 1.5.2 bug #1518: its listener stops
# accepting).  The daemon's self-check notices and listens again.
. tests/regress/lib.sh
mkconf
start_daemon || exit 1
stuck=0
for round in 1 2 3 4 5; do
	# the nng SP header of a REQ peer, then hang up at once
	perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1;
		syswrite($s, "\0SP\0\0\x30\0\0"); close($s);' "$CTL"
	ok=
	i=0
	while [ $i -lt 80 ]; do		# 8 s: a self-check comes every 2 s
		if [ "$(field "$(nngcat --req0 --dial "ipc://$CTL" \
		    --data '{"op":"health"}' --raw --recv-timeout 1 \
		    2>/dev/null)" .ok 2>/dev/null)" = true ]; then
			ok=1
			break
		fi
		[ $i -eq 0 ] && stuck=$((stuck + 1))
		i=$((i + 1))
		sleep 0.1
	done
	[ -n "$ok" ] || fail "round $round: control.ipc stopped answering"
done
echo "stalls seen and recovered from: $stuck of 5 rounds"
if [ "$stuck" -gt 0 ]; then
	grep -q "restarting its listener" "$T/daemon.log" ||
	    fail "stall recovered without the self-check saying so"
fi
finish
