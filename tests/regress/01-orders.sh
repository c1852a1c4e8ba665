# Orders across stations: one ticket per station holding only that
# station's items; numbers consecutive per type; idempotent retries;
# modify / cancel / urgent / reprint / bump make the right tickets.
. tests/regress/lib.sh
mkconf
start_daemon || exit 1

U1=$(uuid)
r=$(req '{"op":"order.create","uuid":"'"$U1"'","type":"mesa","table":"5",
  "items":[{"product":"hamburguesa","qty":2,"notes":"sin cebolla"},
           {"product":"cana","qty":3},{"product":"Flan de la casa"},
           {"product":"croquetas","qty":1,"notes":"¿sin gluten? ¡ojo! 5 €"}]}')
expect "create ok" "$(field "$r" .ok)" true
expect "number" "$(field "$r" .order.number)" M-0001
expect "state" "$(field "$r" .order.state)" en_cola
expect "total" "$(field "$r" .order.total_cents)" $((2*1200 + 3*250 + 500 + 850))
expect "jobs" "$(field "$r" '.order.jobs | length')" 3
expect "stations" "$(field "$r" '[.order.jobs[].station] | sort | join(",")')" \
    bar,cocina,postres
expect "priorities" "$(field "$r" '[.order.jobs[].priority] | unique | join(",")')" normal
expect "position reported" "$(field "$r" '.order.queue_position >= 1')" true
ID1=$(field "$r" .order.id)

# the same uuid again: the same order, no second ticket
r2=$(req '{"op":"order.create","uuid":"'"$U1"'","type":"mesa","table":"5",
  "items":[{"product":"agua"}]}')
expect "retry ok" "$(field "$r2" .ok)" true
expect "retry same id" "$(field "$r2" .order.id)" "$ID1"
expect "retry same number" "$(field "$r2" .order.number)" M-0001
expect "retry duplicate flag" "$(field "$r2" .duplicate)" true
q=$(req '{"op":"queue.status"}')
expect "queue normal after retry" "$(field "$q" .queue.normal)" 3

# numbering per type
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar",
  "items":[{"product":"paella"}]}')
expect "llevar number" "$(field "$r" .order.number)" L-0001
expect "llevar one job" "$(field "$r" '.order.jobs | length')" 1
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"7",
  "items":[{"product":"tortilla"}]}')
expect "second mesa" "$(field "$r" .order.number)" M-0002
ID3=$(field "$r" .order.id)

# the ticket payloads carry the station's items only (jobs.list shows them
# by id; the shm payload is checked through order.get's items by station)
g=$(req '{"op":"order.get","id":'"$ID1"'}')
expect "get items" "$(field "$g" '.order.items | length')" 4
expect "get notes utf-8" "$(field "$g" '.order.items[3].notes')" "¿sin gluten? ¡ojo! 5 €"
expect "cocina items" "$(field "$g" '[.order.items[] | select(.station=="cocina") | .product] | join(",")')" \
    hamburguesa,croquetas

# modify: add a dessert, remove one beer.  Nothing is printed yet, so the
# waiting bar and postres tickets are replaced by updated urgent tickets
# (a MODIFICACIÓN delta could print before the ticket it modifies); the
# kitchen's ticket is untouched.
m=$(req '{"op":"order.modify","id":'"$ID1"',"add":[{"product":"helado","qty":2}],
  "remove":[{"product":"cana","qty":1}]}')
expect "modify ok" "$(field "$m" .ok)" true
expect "replaced tickets" "$(field "$m" '[.order.jobs[] | select(.status=="cancelled") | .station] | sort | join(",")')" \
    bar,postres
expect "replacements" "$(field "$m" '[.order.jobs[] | select(.status=="pending" and .priority=="urgent") | "\(.station)/\(.kind)"] | sort | join(",")')" \
    bar/new,postres/new
expect "cocina untouched" "$(field "$m" '[.order.jobs[] | select(.station=="cocina") | "\(.kind)/\(.priority)/\(.status)"] | join(",")')" \
    new/normal/pending
expect "beer now 2" "$(field "$m" '[.order.items[] | select(.product=="cana") | .qty] | add')" 2
q=$(req '{"op":"queue.status"}')
expect "queue after modify" "$(field "$q" '"\(.queue.urgent)/\(.queue.normal)"')" 2/3
# removing more than there is: refused, nothing changed
m=$(req '{"op":"order.modify","id":'"$ID1"',"remove":[{"product":"cana","qty":5}]}')
expect "over-remove refused" "$(field "$m" .error.code)" EINVAL
g=$(req '{"op":"order.get","id":'"$ID1"'}')
expect "beer still 2" "$(field "$g" '[.order.items[] | select(.product=="cana") | .qty] | add')" 2

# urgent: pending normal tickets become urgent
u=$(req '{"op":"order.urgent","id":'"$ID3"'}')
expect "urgent ok" "$(field "$u" .ok)" true
expect "urgent prio" "$(field "$u" '.order.jobs[0].priority')" urgent
u=$(req '{"op":"order.urgent","id":'"$ID3"'}')
expect "urgent twice" "$(field "$u" .error.code)" EBUSY

# reprint: a low ticket marked REIMPRESIÓN 1 per station
p=$(req '{"op":"order.reprint","id":'"$ID3"'}')
expect "reprint kind" "$(field "$p" '[.order.jobs[] | select(.kind=="reprint") | "\(.priority)/\(.reprint)"] | join(",")')" low/1
p=$(req '{"op":"order.reprint","id":'"$ID3"',"station":"cocina"}')
expect "reprint 2" "$(field "$p" '[.order.jobs[] | select(.kind=="reprint") | .reprint] | max')" 2
p=$(req '{"op":"order.reprint","id":'"$ID3"',"station":"bar"}')
expect "reprint other station" "$(field "$p" .error.code)" EINVAL
p=$(req '{"op":"order.reprint","id":'"$ID3"',"station":"terraza"}')
expect "reprint unknown station" "$(field "$p" .error.code)" ENOENT
p=$(req '{"op":"order.bump","id":'"$ID3"',"station":7}')
expect "bump station not a name" "$(field "$p" .error.code)" EINVAL

# cancel: nothing printed yet, so tickets leave the queue, no CANCELACIÓN
before=$(field "$(req '{"op":"queue.status"}')" '.queue.normal + .queue.urgent + .queue.low')
c=$(req '{"op":"order.cancel","id":'"$ID1"'}')
expect "cancel ok" "$(field "$c" .order.state)" cancelado
expect "no cancel tickets" "$(field "$c" '[.order.jobs[] | select(.kind=="cancel")] | length')" 0
expect "jobs cancelled" "$(field "$c" '[.order.jobs[] | select(.status=="cancelled")] | length')" 5
after=$(field "$(req '{"op":"queue.status"}')" '.queue.normal + .queue.urgent + .queue.low')
expect "queue shrank by 3" "$after" $((before - 3))
c=$(req '{"op":"order.cancel","id":'"$ID1"'}')
expect "cancel twice" "$(field "$c" .error.code)" EBUSY

# bump (kitchen): listo
b=$(req '{"op":"order.bump","id":'"$ID3"'}')
expect "bump" "$(field "$b" .order.state)" listo

# pagination: 25 more orders, pages of 10, newest first
for i in $(seq 1 25); do
	req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"domicilio",
	  "items":[{"product":"agua"}]}' >/dev/null
done
l=$(req '{"op":"order.list","page":1,"per_page":10}')
expect "list total" "$(field "$l" .total)" 28
expect "list page size" "$(field "$l" '.orders | length')" 10
expect "newest first" "$(field "$l" '.orders[0].number')" D-0025
l=$(req '{"op":"order.list","page":3,"per_page":10}')
expect "last page" "$(field "$l" '.orders | length')" 8
expect "oldest last" "$(field "$l" '.orders[7].number')" M-0001
l=$(req '{"op":"order.list","state":"cancelado"}')
expect "filter state" "$(field "$l" .total)" 1
l=$(req '{"op":"order.list","per_page":101}')
expect "per_page bound" "$(field "$l" .error.code)" EINVAL
finish
