/*
 * Fuzz target for the ticket renderer: render_ticket() and render_text().
 *
 * The first byte of the input picks the options (width 32, 42 or 48, code
 * page, buzzer, urgency, flags, a process id), the rest is the payload.
 * Besides never crashing, it checks (abort() on violation):
 *  - a refused payload leaves the output as it was and says why;
 *  - both renderers accept or refuse the same payloads;
 *  - the ESC/POS output starts with ESC @ ESC t n, uses only the commands
 *    render emits, and no printed line is wider than the paper holds in
 *    the character size in force, and the cut comes after the last line;
 *  - every text line fits the width and ends with '\n'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codepage.h"
#include "config.h"
#include "render.h"
#include "shmq.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "render_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* Walk the ESC/POS stream as a printer would. */
static void
check_escpos(const struct rbuf *b, int width, int codepage)
{
	size_t	i = 5, cols = 0, cut = 0;
	int	size = 0;

	check(b->len >= 5 && b->p[0] == 0x1b && b->p[1] == '@' &&
	    b->p[2] == 0x1b && b->p[3] == 't' && b->p[4] == codepage,
	    "starts with ESC @ ESC t n");
	while (i < b->len) {
		uint8_t	c = b->p[i];

		if (c == 0x1b || c == 0x1d) {
			check(i + 1 < b->len, "command cut short");
			switch (c << 8 | b->p[i + 1]) {
			case 0x1b61: case 0x1b45: case 0x1d42:
				check(cut == 0, "mode after the cut");
				i += 3;
				break;
			case 0x1b64:
				i += 3;
				break;
			case 0x1d21:
				check(cut == 0, "size after the cut");
				check(i + 2 < b->len, "GS ! cut short");
				size = b->p[i + 2];
				i += 3;
				break;
			case 0x1d56:
				check(i + 3 < b->len && b->p[i + 2] == 66 &&
				    b->p[i + 3] == 0, "GS V 66 0");
				cut = i;
				i += 4;
				break;
			case 0x1b42:
				check(cut != 0, "buzzer before the cut");
				i += 4;
				break;
			case 0x1b70:
				check(cut != 0, "pulse before the cut");
				i += 5;
				break;
			case 0x1d28:
				check(cut != 0 && i + 11 == b->len,
				    "GS ( H last");
				i += 11;
				break;
			default:
				check(0, "unknown command");
			}
			continue;
		}
		check(cut == 0, "text after the cut");
		if (c == '\n')
			cols = 0;
		else {
			check(c >= 0x20, "control byte in text");
			cols++;
			check(cols <= (size_t)((size & 0x10) ? width / 2 :
			    width), "line too wide");
		}
		i++;
	}
	check(cut != 0, "no cut");
	check(i == b->len, "trailing bytes");
}

static void
check_text(const struct rbuf *b, int width)
{
	size_t	i, start = 0;

	check(b->len > 0 && b->p[b->len - 1] == '\n', "text ends a line");
	for (i = 0; i < b->len; i++) {
		if (b->p[i] != '\n')
			continue;
		check(utf8_columns((const char *)b->p + start, i - start) <=
		    (size_t)width, "text line too wide");
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	widths[] = { 32, 42, 48, 24 };
	static const int	pages[] = { CODEPAGE_PC858, CODEPAGE_PC437,
				    CODEPAGE_WPC1252, 255 };
	struct render_opts	o;
	struct rbuf		b, t;
	char			err[128];
	uint8_t			k;
	int			r1, r2;

	if (size < 1)
		return 0;
	k = data[0];
	memset(&o, 0, sizeof(o));
	o.width = widths[k & 3];
	o.codepage = pages[(k >> 2) & 3];
	o.buzzer = (k >> 4) % 3;
	o.urgent = (k >> 5) & 1;
	o.flags = (k & 0x40) ? SHMQ_F_MAYBE_PRINTED : 0;
	o.attempt = (k >> 6) + 1;
	o.process_id = (k & 0x80) ? 7777u * k : 0;

	rbuf_init(&b);
	rbuf_init(&t);
	rbuf_add(&b, "x", 1);
	rbuf_add(&t, "y", 1);
	err[0] = '\0';
	r1 = render_ticket((const char *)data + 1, size - 1, &o, &b, err,
	    sizeof(err));
	if (r1 == -1)
		check(err[0] != '\0' && b.len == 1 && b.p[0] == 'x',
		    "refused: message, output unchanged");
	err[0] = '\0';
	r2 = render_text((const char *)data + 1, size - 1, &o, &t, err,
	    sizeof(err));
	if (r2 == -1)
		check(err[0] != '\0' && t.len == 1 && t.p[0] == 'y',
		    "refused: message, output unchanged");
	check(r1 == r2, "ticket and text agree");
	if (r1 == 0) {
		struct rbuf	bb = { b.p + 1, b.len - 1, b.cap };
		struct rbuf	tt = { t.p + 1, t.len - 1, t.cap };

		check_escpos(&bb, o.width, o.codepage);
		check_text(&tt, o.width);
	}
	rbuf_free(&b);
	rbuf_free(&t);
	return 0;
}
