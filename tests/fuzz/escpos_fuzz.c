/*
 * Fuzz target for fastops-printsim's ESC/POS decoder.
 *
 * The decoder takes a byte stream split wherever a read(2) splits it.
 * The first input byte seeds how the rest is cut into pieces.  Besides
 * never crashing, it checks (abort() on violation):
 *  - every byte is accounted for: the events' bytes plus the partial
 *    command at the end equal the input;
 *  - decoding in pieces gives exactly the events of decoding in one go;
 *  - modes stay in their ranges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos_decode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define EVENTS_MAX	4096

struct trace {
	struct escpos_event	ev[EVENTS_MAX];
	size_t			n, bytes;
	const struct escpos	*dec;
};

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "escpos_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

static int
record(void *arg, const struct escpos_event *ev)
{
	struct trace		*t = arg;
	const struct escpos_mode *m = &t->dec->mode;

	check(m->width >= 1 && m->width <= 8 && m->height >= 1 &&
	    m->height <= 8, "character size out of range");
	check(m->align >= 0 && m->align <= 2, "alignment out of range");
	t->bytes += ev->nbytes;
	if (t->n < EVENTS_MAX)
		t->ev[t->n] = *ev;
	t->n++;
	return 0;
}

static void
decode(struct trace *t, struct escpos *dec, const uint8_t *p, size_t len,
    unsigned seed)
{
	size_t	off = 0, piece;

	memset(t, 0, sizeof(*t));
	t->dec = dec;
	escpos_init(dec, record, t);
	while (off < len) {
		piece = seed == 0 ? len - off : 1 + (seed * 7 + off) % 13;
		if (piece > len - off)
			piece = len - off;
		check(escpos_feed(dec, p + off, piece) == piece,
		    "bytes left unconsumed");
		off += piece;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace	whole, pieces;
	struct escpos		d1, d2;
	size_t			i, n;

	if (size < 1)
		return 0;
	decode(&whole, &d1, data + 1, size - 1, 0);
	decode(&pieces, &d2, data + 1, size - 1, data[0] | 1);
	check(whole.bytes + escpos_partial(&d1) == size - 1,
	    "bytes not accounted for");
	check(whole.n == pieces.n, "pieces change the number of events");
	n = whole.n < EVENTS_MAX ? whole.n : EVENTS_MAX;
	for (i = 0; i < n; i++) {
		check(whole.ev[i].kind == pieces.ev[i].kind,
		    "pieces change an event");
		check(strcmp(whole.ev[i].text, pieces.ev[i].text) == 0,
		    "pieces change a character");
	}
	return 0;
}
