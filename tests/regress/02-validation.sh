# Every kind of bad input gets its stable error code and changes nothing.
. tests/regress/lib.sh
mkconf
start_daemon || exit 1

state() {
	s=$(req '{"op":"stats"}')
	echo "$(field "$s" .orders) $(field "$s" .queue.enqueued) $(field "$s" .journal.last_lsn)"
}
before=$(state)

code() {
	field "$(req "$1")" .error.code
}
ok_item='[{"product":"paella"}]'
U=$(uuid)
expect "bad json" "$(code '{"op":')" EINVAL
expect "not an object" "$(code '[1,2]')" EINVAL
expect "no op" "$(code '{"x":1}')" EINVAL
expect "op not string" "$(code '{"op":5}')" EINVAL
expect "unknown op" "$(code '{"op":"order.explode"}')" ENOSYS
expect "duplicate key" "$(code '{"op":"health","op":"stats"}')" EINVAL
expect "missing uuid" "$(code '{"op":"order.create","type":"llevar","items":'"$ok_item"'}')" EINVAL
expect "bad uuid" "$(code '{"op":"order.create","uuid":"1234","type":"llevar","items":'"$ok_item"'}')" EINVAL
expect "missing type" "$(code '{"op":"order.create","uuid":"'"$U"'","items":'"$ok_item"'}')" EINVAL
expect "bad type" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"barra","items":'"$ok_item"'}')" EINVAL
expect "mesa without table" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"mesa","items":'"$ok_item"'}')" EINVAL
expect "table too long" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"mesa","table":"12345678901234567","items":'"$ok_item"'}')" EINVAL
expect "table wrong type" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"mesa","table":5,"items":'"$ok_item"'}')" EINVAL
expect "no items" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[]}')" EINVAL
expect "items not array" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":{}}')" EINVAL
expect "unknown product" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"caviar"}]}')" ENOENT
expect "qty 0" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","qty":0}]}')" EINVAL
expect "qty 1000" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","qty":1000}]}')" EINVAL
expect "qty string" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","qty":"2"}]}')" EINVAL
expect "qty float" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","qty":1.5}]}')" EINVAL
expect "unknown item field" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","quantity":2}]}')" EINVAL
long=$(printf 'x%.0s' $(seq 1 141))
expect "notes too long" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","notes":"'"$long"'"}]}')" EINVAL
expect "control char" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":[{"product":"paella","notes":"a\u0007b"}]}')" EINVAL
items=$(printf '{"product":"agua"},%.0s' $(seq 1 51))
expect "51 items" "$(code '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":['"${items%,}"']}')" EINVAL
expect "get no id" "$(code '{"op":"order.get"}')" EINVAL
expect "get bad id" "$(code '{"op":"order.get","id":"7"}')" EINVAL
expect "get missing" "$(code '{"op":"order.get","id":999}')" ENOENT
expect "cancel missing" "$(code '{"op":"order.cancel","id":999}')" ENOENT
expect "page 0" "$(code '{"op":"order.list","page":0}')" EINVAL
# an oversized request (> 64 KiB) is answered, not dropped
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
expect "oversized" "$(code '{"op":"health","pad":"'"$big"'"}')" E2BIG

after=$(state)
expect "nothing changed" "$after" "$before"
# and the daemon still works
r=$(req '{"op":"order.create","uuid":"'"$U"'","type":"llevar","items":'"$ok_item"'}')
expect "valid order after all that" "$(field "$r" .order.number)" L-0001
finish
