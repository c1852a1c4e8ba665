/*
 * escpos_decode — ESC/POS bytes to events, one state machine.
 *
 * A command is read in two phases: its header (prefix, command byte and
 * fixed parameters, at most sizeof(dec->cmd) bytes, whose length
 * header_need() knows from the bytes seen so far), then, for commands that
 * carry data, the data is passed over without being stored: a count of
 * bytes (ST_SKIP), bytes up to a terminator (ST_UNTIL), or blocks whose
 * sizes are read as they come (ESC & and FS q).  The event of a command
 * with data is sent when its last byte is consumed, so every event knows
 * how many stream bytes it took.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codepage.h"
#include "escpos_decode.h"

#define NUL	0x00
#define EOT	0x04
#define ENQ	0x05
#define HT	0x09
#define LF	0x0a
#define DLE	0x10
#define DC4	0x14
#define ESC	0x1b
#define FS	0x1c
#define GS	0x1d

#define BARCODE_HEIGHT	162	/* GS h default, dots */
#define NV_IMAGE_HEIGHT	80	/* FS p: the size is in the printer */

enum {
	ST_GROUND,	/* between commands */
	ST_HEADER,	/* collecting dec->cmd */
	ST_SKIP,	/* passing over dec->skip data bytes */
	ST_UNTIL,	/* passing over bytes up to dec->term */
	ST_AMP_X,	/* ESC &: the next block's column count */
	ST_FSQ,		/* FS q: the next block's 4-byte size */
};

static int	 emit(struct escpos *, struct escpos_event *);
static int	 emit_kind(struct escpos *, enum escpos_kind);
static int	 ground(struct escpos *, uint8_t);
static size_t	 header_need(const uint8_t *, size_t);
static size_t	 esc_need(const uint8_t *);
static size_t	 gs_need(const uint8_t *, size_t);
static size_t	 dle_need(const uint8_t *, size_t);
static size_t	 fs_need(const uint8_t *);
static int	 header_done(struct escpos *);
static int	 esc_done(struct escpos *);
static int	 gs_done(struct escpos *);
static int	 dle_done(struct escpos *);
static int	 fs_done(struct escpos *);
static int	 data(struct escpos *, uint64_t, enum escpos_kind, int);
static int	 data_done(struct escpos *);
static void	 until(struct escpos *, uint8_t, unsigned, size_t,
		    enum escpos_kind, int);

/* ESC commands by the number of parameter bytes they take. */
static const char	esc_params0[] = "2<@LSimv\x0c";
static const char	esc_params1[] = " !%-3=?EGJMRTUVadertu{";
static const char	esc_params2[] = "$\\Bc";
/* GS commands likewise. */
static const char	gs_params0[] = ":c\x0c";
static const char	gs_params1[] = "!/BEHITabfhrwZ";
static const char	gs_params2[] = "$LPW\\";

void
escpos_mode_reset(struct escpos_mode *m)
{
	memset(m, 0, sizeof(*m));
	m->codepage = CODEPAGE_PC437;
	m->align = ESCPOS_ALIGN_LEFT;
	m->width = 1;
	m->height = 1;
}

void
escpos_init(struct escpos *dec, escpos_cb cb, void *arg)
{
	memset(dec, 0, sizeof(*dec));
	escpos_mode_reset(&dec->mode);
	dec->cb = cb;
	dec->arg = arg;
	dec->state = ST_GROUND;
}

void
escpos_abort(struct escpos *dec)
{
	dec->state = ST_GROUND;
	dec->ncmd = 0;
	dec->nbytes = 0;
	dec->skip = 0;
	dec->blocks = 0;
	dec->loop = ST_GROUND;
}

size_t
escpos_partial(const struct escpos *dec)
{
	return dec->state == ST_GROUND ? 0 : dec->nbytes;
}

const char *
escpos_kind_name(enum escpos_kind k)
{
	static const char *const names[] = {
		"text", "tab", "lf", "feed-lines", "feed-units", "cut",
		"buzzer", "pulse", "image", "status", "recover",
		"process-id", "printer-id", "paper-status", "init", "mode",
		"ignored",
	};

	if ((size_t)k >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[k];
}

size_t
escpos_feed(struct escpos *dec, const uint8_t *buf, size_t len)
{
	size_t		i = 0;
	uint64_t	n;
	uint8_t		b;
	int		stop;

	while (i < len) {
		b = buf[i];
		stop = 0;
		switch (dec->state) {
		case ST_GROUND:
			i++;
			dec->nbytes = 1;
			stop = ground(dec, b);
			break;
		case ST_HEADER:
			/*
			 * DLE starts a command only before EOT, ENQ or DC4;
			 * otherwise it is a stray byte, and b starts afresh.
			 */
			if (dec->cmd[0] == DLE && dec->ncmd == 1 &&
			    b != EOT && b != ENQ && b != DC4) {
				stop = emit_kind(dec, ESCPOS_IGNORED);
				break;
			}
			i++;
			dec->nbytes++;
			dec->cmd[dec->ncmd++] = b;
			if (dec->ncmd >= header_need(dec->cmd, dec->ncmd))
				stop = header_done(dec);
			break;
		case ST_SKIP:
			n = len - i;
			if (n > dec->skip)
				n = dec->skip;
			i += n;
			dec->nbytes += n;
			dec->skip -= n;
			if (dec->skip == 0)
				stop = data_done(dec);
			break;
		case ST_UNTIL:
			i++;
			dec->nbytes++;
			if ((b == dec->term && --dec->nterm == 0) ||
			    --dec->left == 0)
				stop = emit(dec, &dec->after);
			break;
		case ST_AMP_X:
			i++;
			dec->nbytes++;
			dec->blocks--;
			dec->skip = (uint64_t)dec->y * b;
			dec->state = ST_SKIP;
			if (dec->skip == 0)
				stop = data_done(dec);
			break;
		case ST_FSQ:
			i++;
			dec->nbytes++;
			dec->cmd[dec->ncmd++] = b;
			if (dec->ncmd < 4)
				break;
			dec->blocks--;
			dec->skip = (uint64_t)(dec->cmd[0] | dec->cmd[1] << 8) *
			    (uint64_t)(dec->cmd[2] | dec->cmd[3] << 8) * 8;
			dec->state = ST_SKIP;
			if (dec->skip == 0)
				stop = data_done(dec);
			break;
		}
		if (stop)
			break;
	}
	return i;
}

/* Send ev as the end of the current command. */
static int
emit(struct escpos *dec, struct escpos_event *ev)
{
	struct escpos_event	e = *ev;

	e.nbytes = dec->nbytes;
	dec->nbytes = 0;
	dec->ncmd = 0;
	dec->state = ST_GROUND;
	return dec->cb(dec->arg, &e) == -1;
}

static int
emit_kind(struct escpos *dec, enum escpos_kind kind)
{
	struct escpos_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	return emit(dec, &ev);
}

/* A byte outside any command: text, a control or a command prefix. */
static int
ground(struct escpos *dec, uint8_t b)
{
	struct escpos_event	ev;

	switch (b) {
	case ESC:
	case GS:
	case FS:
	case DLE:
		dec->cmd[0] = b;
		dec->ncmd = 1;
		dec->state = ST_HEADER;
		return 0;
	case LF:
		return emit_kind(dec, ESCPOS_LF);
	case HT:
		return emit_kind(dec, ESCPOS_TAB);
	}
	if (b < 0x20)		/* CR, FF, CAN, ...: nothing in line mode */
		return emit_kind(dec, ESCPOS_IGNORED);
	memset(&ev, 0, sizeof(ev));
	ev.kind = ESCPOS_TEXT;
	codepage_decode(dec->mode.codepage, b, ev.text);
	return emit(dec, &ev);
}

/* The header length of the command in c (n bytes of it known, n >= 1). */
static size_t
header_need(const uint8_t *c, size_t n)
{
	if (n < 2)
		return 2;
	switch (c[0]) {
	case ESC:
		return esc_need(c);
	case GS:
		return gs_need(c, n);
	case DLE:
		return dle_need(c, n);
	case FS:
		return fs_need(c);
	}
	return n;
}

static size_t
esc_need(const uint8_t *c)
{
	if (c[1] == NUL)
		return 2;
	if (strchr(esc_params0, c[1]) != NULL)
		return 2;
	if (strchr(esc_params1, c[1]) != NULL)
		return 3;
	if (strchr(esc_params2, c[1]) != NULL)
		return 4;
	switch (c[1]) {
	case 'p':		/* ESC p m t1 t2 */
	case '(':		/* ESC ( fn pL pH */
	case '*':		/* ESC * m nL nH */
	case '&':		/* ESC & y c1 c2 */
		return 5;
	case 'W':		/* ESC W xL xH yL yH dxL dxH dyL dyH */
		return 10;
	}
	return 2;		/* ESC D, and those we do not know */
}

static size_t
gs_need(const uint8_t *c, size_t n)
{
	size_t	plen;

	if (c[1] == NUL)
		return 2;
	if (strchr(gs_params0, c[1]) != NULL)
		return 2;
	if (strchr(gs_params1, c[1]) != NULL)
		return 3;
	if (strchr(gs_params2, c[1]) != NULL)
		return 4;
	switch (c[1]) {
	case 'V':		/* GS V m [n] */
		if (n < 3)
			return 3;
		switch (c[2]) {
		case 65: case 66: case 97: case 98: case 103: case 104:
			return 4;
		}
		return 3;
	case '(':		/* GS ( fn pL pH [payload of GS ( H] */
		if (n < 5)
			return 5;
		plen = c[3] | (size_t)c[4] << 8;
		if (c[2] == 'H' && plen <= 16)
			return 5 + plen;
		return 5;
	case 'v':		/* GS v 0 m xL xH yL yH */
		if (n < 3)
			return 3;
		return c[2] == '0' ? 8 : 3;
	case '*':		/* GS * x y */
		return 4;
	case '8':		/* GS 8 L p1 p2 p3 p4 */
		return 7;
	case 'k':		/* GS k m [n] */
		if (n < 3)
			return 3;
		return c[2] >= 65 ? 4 : 3;
	case 'C':		/* counters */
		if (n < 3)
			return 3;
		switch (c[2]) {
		case '0':
		case '2':
			return 5;
		case '1':
			return 9;
		}
		return 3;
	case 'g':		/* GS g 0|2 m nL nH */
		if (n < 3)
			return 3;
		return c[2] == '0' || c[2] == '2' ? 6 : 3;
	case '^':		/* GS ^ r t m */
		return 5;
	case 'z':		/* GS z 0 t1 t2 */
		return 5;
	}
	return 2;
}

static size_t
dle_need(const uint8_t *c, size_t n)
{
	switch (c[1]) {
	case EOT:		/* DLE EOT n [a] */
		if (n < 3)
			return 3;
		return c[2] == 7 || c[2] == 8 ? 4 : 3;
	case ENQ:		/* DLE ENQ n */
		return 3;
	case DC4:		/* DLE DC4 fn ... */
		if (n < 3)
			return 3;
		switch (c[2]) {
		case 1:
		case 2:
			return 5;
		case 3:
			return 8;
		case 7:
			return 4;
		case 8:
			return 10;
		}
		return 3;
	}
	return 2;
}

static size_t
fs_need(const uint8_t *c)
{
	switch (c[1]) {
	case '&':
	case '.':
		return 2;
	case '!':
	case '-':
	case 'C':
	case 'W':
	case 'q':		/* FS q n, then n images */
		return 3;
	case 'S':
	case 'p':		/* FS p n m */
	case '2':		/* FS 2 c1 c2, then 72 bytes */
		return 4;
	case '(':		/* FS ( fn pL pH */
		return 5;
	}
	return 2;
}

/*
 * Pass over len bytes of data, then send kind (parameter n); a zero-length
 * block ends the command at once.
 */
static int
data(struct escpos *dec, uint64_t len, enum escpos_kind kind, int n)
{
	memset(&dec->after, 0, sizeof(dec->after));
	dec->after.kind = kind;
	dec->after.n = n;
	dec->skip = len;
	dec->state = ST_SKIP;
	if (len == 0)
		return data_done(dec);
	return 0;
}

/* The end of a data block: the next block of ESC & or FS q, or the end. */
static int
data_done(struct escpos *dec)
{
	if (dec->blocks > 0) {
		dec->ncmd = 0;
		dec->state = dec->loop;
		return 0;
	}
	return emit(dec, &dec->after);
}

/* Pass over bytes up to the nterm-th term, at most left of them. */
static void
until(struct escpos *dec, uint8_t term, unsigned nterm, size_t left,
    enum escpos_kind kind, int n)
{
	memset(&dec->after, 0, sizeof(dec->after));
	dec->after.kind = kind;
	dec->after.n = n;
	dec->term = term;
	dec->nterm = nterm;
	dec->left = left;
	dec->state = ST_UNTIL;
}

static int
header_done(struct escpos *dec)
{
	dec->blocks = 0;
	dec->y = 0;
	switch (dec->cmd[0]) {
	case ESC:
		return esc_done(dec);
	case GS:
		return gs_done(dec);
	case DLE:
		return dle_done(dec);
	case FS:
		return fs_done(dec);
	}
	return emit_kind(dec, ESCPOS_IGNORED);
}

static int
esc_done(struct escpos *dec)
{
	struct escpos_mode	*m = &dec->mode;
	struct escpos_event	 ev;
	const uint8_t		*c = dec->cmd;
	uint64_t		 k;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ESCPOS_MODE;
	switch (c[1]) {
	case '@':
		escpos_mode_reset(m);
		ev.kind = ESCPOS_INIT;
		break;
	case '!':
		m->font = c[2] & 0x01;
		m->bold = (c[2] & 0x08) != 0;
		m->height = (c[2] & 0x10) ? 2 : 1;
		m->width = (c[2] & 0x20) ? 2 : 1;
		m->underline = (c[2] & 0x80) ? 1 : 0;
		break;
	case 'E':
		m->bold = c[2] & 0x01;
		break;
	case '-':
		if (c[2] == 0 || c[2] == '0')
			m->underline = 0;
		else if (c[2] == 1 || c[2] == '1')
			m->underline = 1;
		else if (c[2] == 2 || c[2] == '2')
			m->underline = 2;
		break;
	case 'M':
		if (c[2] <= 1 || c[2] == '0' || c[2] == '1')
			m->font = c[2] & 0x01;
		break;
	case 'a':
		if (c[2] <= 2)
			m->align = c[2];
		else if (c[2] >= '0' && c[2] <= '2')
			m->align = c[2] - '0';
		break;
	case 't':
		m->codepage = c[2];
		break;
	case 'd':
		ev.kind = ESCPOS_FEED_LINES;
		ev.n = c[2];
		break;
	case 'J':
		ev.kind = ESCPOS_FEED_UNITS;
		ev.n = c[2];
		break;
	case 'i':
	case 'm':
		ev.kind = ESCPOS_CUT;
		ev.m = c[1] == 'i' ? 0 : 1;
		break;
	case 'B':
		ev.kind = ESCPOS_BUZZER;
		ev.n = c[2];
		ev.m = c[3];
		break;
	case 'p':
		ev.kind = ESCPOS_PULSE;
		ev.m = c[2];
		ev.n = (c[3] + c[4]) * 2;	/* on + off time */
		break;
	case 'D':		/* tab positions, NUL-terminated */
		until(dec, NUL, 1, 33, ESCPOS_MODE, 0);
		return 0;
	case '*':		/* bit image into the line buffer */
		k = c[3] | (uint64_t)c[4] << 8;
		if (c[2] == 32 || c[2] == 33)
			k *= 3;
		return data(dec, k, ESCPOS_IGNORED, 0);
	case '(':
		return data(dec, c[3] | (uint64_t)c[4] << 8, ESCPOS_IGNORED,
		    0);
	case '&':		/* user-defined characters */
		dec->y = c[2];
		if (c[4] >= c[3]) {
			dec->blocks = c[4] - c[3] + 1;
			dec->loop = dec->state = ST_AMP_X;
			memset(&dec->after, 0, sizeof(dec->after));
			dec->after.kind = ESCPOS_IGNORED;
			return 0;
		}
		ev.kind = ESCPOS_IGNORED;
		break;
	case '2': case '3': case 'G': case 'V': case '{': case ' ':
	case 'R': case 'T': case 'S': case 'L': case 'W': case '$':
	case '\\': case 'U':
		break;		/* modes with no bearing on the text */
	default:
		ev.kind = ESCPOS_IGNORED;
		break;
	}
	return emit(dec, &ev);
}

static int
gs_done(struct escpos *dec)
{
	struct escpos_mode	*m = &dec->mode;
	struct escpos_event	 ev;
	const uint8_t		*c = dec->cmd;
	uint64_t		 k;
	size_t			 plen;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ESCPOS_MODE;
	switch (c[1]) {
	case '!':
		m->width = ((c[2] >> 4) & 0x07) + 1;
		m->height = (c[2] & 0x07) + 1;
		break;
	case 'B':
		m->reverse = c[2] & 0x01;
		break;
	case 'V':
		ev.kind = ESCPOS_CUT;
		ev.m = c[2];
		ev.n = dec->ncmd == 4 ? c[3] : 0;
		break;
	case '(':
		plen = c[3] | (size_t)c[4] << 8;
		if (c[2] != 'H' || plen > 16)
			return data(dec, plen, ESCPOS_IGNORED, 0);
		ev.kind = ESCPOS_IGNORED;
		if (plen == 6 && c[5] == 48) {
			ev.kind = ESCPOS_PROCESS_ID;
			ev.m = c[6];
			memcpy(ev.d, c + 7, 4);
		}
		break;
	case 'I':
		ev.kind = ESCPOS_PRINTER_ID;
		ev.n = c[2];
		break;
	case 'r':
		ev.kind = ESCPOS_PAPER_STATUS;
		ev.n = c[2];
		break;
	case 'v':
		if (dec->ncmd != 8) {
			ev.kind = ESCPOS_IGNORED;
			break;
		}
		k = (c[4] | (uint64_t)c[5] << 8) * (c[6] | (uint64_t)c[7] << 8);
		return data(dec, k, ESCPOS_IMAGE, c[6] | c[7] << 8);
	case '/':
		ev.kind = ESCPOS_IMAGE;
		break;
	case '*':
		return data(dec, (uint64_t)c[2] * c[3] * 8, ESCPOS_IGNORED, 0);
	case '8':
		k = c[3] | (uint64_t)c[4] << 8 | (uint64_t)c[5] << 16 |
		    (uint64_t)c[6] << 24;
		return data(dec, k, ESCPOS_IGNORED, 0);
	case 'k':
		if (dec->ncmd == 4)
			return data(dec, c[3], ESCPOS_IMAGE, BARCODE_HEIGHT);
		until(dec, NUL, 1, 256, ESCPOS_IMAGE, BARCODE_HEIGHT);
		return 0;
	case 'C':
		if (c[2] == ';') {
			until(dec, ';', 5, 64, ESCPOS_IGNORED, 0);
			return 0;
		}
		ev.kind = ESCPOS_IGNORED;
		break;
	case 'E': case 'H': case 'T': case 'b': case 'f': case 'h': case 'w':
	case 'L': case 'P': case 'W': case '$': case '\\':
		break;		/* modes with no bearing on the text */
	default:
		ev.kind = ESCPOS_IGNORED;
		break;
	}
	return emit(dec, &ev);
}

static int
dle_done(struct escpos *dec)
{
	struct escpos_event	 ev;
	const uint8_t		*c = dec->cmd;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ESCPOS_IGNORED;
	switch (c[1]) {
	case EOT:
		ev.kind = ESCPOS_STATUS;
		ev.n = c[2];
		break;
	case ENQ:
		ev.kind = ESCPOS_RECOVER;
		ev.n = c[2];
		break;
	case DC4:
		if (c[2] == 1) {
			ev.kind = ESCPOS_PULSE;
			ev.m = c[3];
			/* t x 100 ms on and off, 1 <= t <= 8 */
			ev.n = (c[4] > 8 ? 8 : c[4]) * 200;
		}
		break;
	}
	return emit(dec, &ev);
}

static int
fs_done(struct escpos *dec)
{
	struct escpos_event	 ev;
	const uint8_t		*c = dec->cmd;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ESCPOS_IGNORED;
	switch (c[1]) {
	case 'p':
		ev.kind = ESCPOS_IMAGE;
		ev.n = NV_IMAGE_HEIGHT;
		break;
	case 'q':
		if (c[2] == 0)
			break;
		dec->blocks = c[2];
		dec->ncmd = 0;
		dec->loop = dec->state = ST_FSQ;
		memset(&dec->after, 0, sizeof(dec->after));
		dec->after.kind = ESCPOS_IGNORED;
		return 0;
	case '2':
		return data(dec, 72, ESCPOS_IGNORED, 0);
	case '(':
		return data(dec, c[3] | (uint64_t)c[4] << 8, ESCPOS_IGNORED,
		    0);
	}
	return emit(dec, &ev);
}
