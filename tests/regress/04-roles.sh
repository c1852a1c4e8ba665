# Users, PINs, tokens, roles and tenants.  Over tcp nobody is trusted:
# every request needs a token, and a token only works at its own branch.
. tests/regress/lib.sh
PORT=$((26100 + $$ % 2000))
mkconf "daemon.listen=tcp://127.0.0.1:$PORT"
start_daemon || exit 1

# the local owner (same uid) is admin without a PIN
r=$(req '{"op":"users.add","name":"ana","role":"waiter","pin":"1234"}')
expect "add waiter" "$(field "$r" .ok)" true
req '{"op":"users.add","name":"luis","role":"kitchen","pin":"5678"}' >/dev/null
req '{"op":"users.add","name":"jefa","role":"admin","pin":"9999"}' >/dev/null
r=$(req '{"op":"users.add","name":"Bad Name","role":"waiter","pin":"1234"}')
expect "bad name" "$(field "$r" .error.code)" EINVAL
r=$(req '{"op":"users.add","name":"x","role":"waiter","pin":"12a4"}')
expect "bad pin" "$(field "$r" .error.code)" EINVAL
r=$(req '{"op":"users.add","name":"x","role":"chef","pin":"1234"}')
expect "bad role" "$(field "$r" .error.code)" EINVAL
expect "users" "$(field "$(req '{"op":"users.list"}')" '[.users[].name] | sort | join(",")')" ana,jefa,luis

treq() {
	nngcat --req0 --dial "tcp://127.0.0.1:$PORT" --data "$1" --raw \
	    --recv-timeout 10 2>>"$T/nngcat.err"
}
# anonymous over tcp: only login and health
expect "anon create" "$(field "$(treq '{"op":"order.get","id":1}')" .error.code)" EAUTH
expect "anon health" "$(field "$(treq '{"op":"health"}')" .ok)" true
expect "wrong pin" "$(field "$(treq '{"op":"login","user":"ana","pin":"0000"}')" .error.code)" EAUTH
expect "no such user" "$(field "$(treq '{"op":"login","user":"nadie","pin":"0000"}')" .error.code)" EAUTH
r=$(treq '{"op":"login","user":"ana","pin":"1234"}')
expect "login" "$(field "$r" .user.role)" waiter
expect "login branch" "$(field "$r" .branch)" centro
TW=$(field "$r" .token)
TK=$(field "$(treq '{"op":"login","user":"luis","pin":"5678"}')" .token)
TA=$(field "$(treq '{"op":"login","user":"jefa","pin":"9999"}')" .token)

o=$(treq '{"op":"order.create","token":"'"$TW"'","uuid":"'"$(uuid)"'","type":"mesa","table":"3","items":[{"product":"paella"}]}')
expect "waiter creates" "$(field "$o" .order.waiter)" ana
OID=$(field "$o" .order.id)
expect "waiter no users.add" "$(field "$(treq '{"op":"users.add","token":"'"$TW"'","name":"eve","role":"admin","pin":"1111"}')" .error.code)" EPERM
expect "waiter no bump" "$(field "$(treq '{"op":"order.bump","token":"'"$TW"'","id":'"$OID"'}')" .error.code)" EPERM
expect "kitchen no create" "$(field "$(treq '{"op":"order.create","token":"'"$TK"'","uuid":"'"$(uuid)"'","type":"llevar","items":[{"product":"paella"}]}')" .error.code)" EPERM
expect "kitchen bumps" "$(field "$(treq '{"op":"order.bump","token":"'"$TK"'","id":'"$OID"'}')" .order.state)" listo
expect "admin users.list" "$(field "$(treq '{"op":"users.list","token":"'"$TA"'"}')" .ok)" true
expect "garbage token" "$(field "$(treq '{"op":"stats","token":"v1.ana.waiter.demo.centro.9999999999.AAAA"}')" .error.code)" EAUTH
expect "token not string" "$(field "$(treq '{"op":"stats","token":5}')" .error.code)" EINVAL
# logout revokes the token
treq '{"op":"logout","token":"'"$TA"'"}' >/dev/null
expect "after logout" "$(field "$(treq '{"op":"stats","token":"'"$TA"'"}')" .error.code)" EAUTH
# a deleted user's token stops working
req '{"op":"users.del","name":"luis"}' >/dev/null
expect "deleted user" "$(field "$(treq '{"op":"stats","token":"'"$TK"'"}')" .error.code)" EAUTH

# five wrong PINs lock the user, even the right PIN is refused for a while
for i in 1 2 3 4 5; do treq '{"op":"login","user":"jefa","pin":"0001"}' >/dev/null; done
expect "locked" "$(field "$(treq '{"op":"login","user":"jefa","pin":"9999"}')" .error.code)" EBUSY

# users survive a restart (journal), and tokens too (stateless)
stop_daemon
start_daemon || exit 1
expect "token after restart" "$(field "$(treq '{"op":"order.get","token":"'"$TW"'","id":'"$OID"'}')" .order.number)" M-0001

# another branch with the same signing key still refuses this token:
# the token names its tenant
T2=$T/norte
mkdir -p "$T2/state"
cp "$T/state/token.key" "$T2/state/"
PORT2=$((PORT + 1))
sed -e "s|^branch = .*|branch = norte|" \
    -e "s|^state_dir = .*|state_dir = $T2/state|" \
    -e "s|^runtime_dir = .*|runtime_dir = $T2/run|" \
    -e "s|^instance = .*|instance = $INSTANCE-n|" \
    -e "s|^listen = .*|listen = tcp://127.0.0.1:$PORT2|" \
    "$T/fastops.ini" >"$T2/fastops.ini"
cp "$T/menu.csv" "$T2/"
"$BIN/fastops-queued" -d -f "$T2/fastops.ini" >>"$T/daemon2.log" 2>&1 &
P2=$!
sleep 0.5
r=$(nngcat --req0 --dial "tcp://127.0.0.1:$PORT2" --data '{"op":"stats","token":"'"$TW"'"}' --raw --recv-timeout 10 2>/dev/null)
expect "other branch refuses" "$(field "$r" .error.code)" EAUTH
kill "$P2"; wait "$P2"
rm -f "/dev/shm/fastops.$INSTANCE-n"
finish
