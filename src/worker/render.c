/*
 * render — a ticket, as the daemon queues it (JSON), to ESC/POS bytes or to
 * the same lines as plain UTF-8 text.
 *
 * Rendering happens in two steps.  The payload is first parsed and checked
 * into a struct ticket with every field bounded (strings cut on a character
 * boundary, control characters turned into spaces, numbers in range); only
 * then is anything written, so a refused payload leaves the output buffer
 * as it was.  Layout is one set of functions for both outputs: each line is
 * handed to emit_line() with its style, which writes either the ESC/POS
 * commands and code page bytes or the plain text.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "codepage.h"
#include "render.h"
#include "shmq.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

/* What the cook reads: every Spanish word of a ticket, in one place. */
#define T_URGENT	"URGENTE"
#define T_MODIFY	"MODIFICACIÓN"
#define T_CANCEL	"CANCELACIÓN"
#define T_REPRINT	"REIMPRESIÓN"
#define T_MESA		"MESA"
#define T_LLEVAR	"LLEVAR"
#define T_DOMICILIO	"DOMICILIO"
#define T_ORDER		"Pedido"
#define T_WAITER	"Mesero: "
#define T_NOTE		"Nota: "
#define T_ITEM_NOTE	"  > "
#define T_TICKET	"Ticket"
#define T_ATTEMPT	"intento"

/*
 * Bounds.  The daemon already checks what it accepts (protocol.h); these
 * are the renderer's own, a little wider, so that a payload from an older
 * or newer daemon still prints and a corrupted one cannot make it misbehave.
 */
#define PAYLOAD_MAX	(64 * 1024)
#define ITEMS_MAX	100
#define QTY_MAX		999
#define REPRINT_MAX	9999
#define SHORT_MAX	24		/* number, table (bytes) */
#define WHO_MAX		48		/* waiter, station */
#define ITEM_MAX	128		/* item name */
#define NOTES_MAX	280		/* item and order notes */
#define CREATED_MAX	253402300799LL	/* 9999-12-31 23:59:59 UTC */
#define WIDTH_MIN	24
#define WIDTH_MAX	96
#define LINE_BYTES	(4 * WIDTH_MAX + 64)

/* ESC/POS. */
#define ESC		0x1b
#define GS		0x1d
#define SIZE_NORMAL	0x00
#define SIZE_TALL	0x01		/* GS ! double height */
#define SIZE_WIDE	0x10		/* GS ! double width */
#define SIZE_BIG	0x11
#define ALIGN_LEFT	0
#define ALIGN_CENTER	1

enum ticket_type { TYPE_MESA, TYPE_LLEVAR, TYPE_DOMICILIO };
enum ticket_kind { KIND_NEW, KIND_MODIFY, KIND_CANCEL, KIND_REPRINT };

static const char *const type_names[] = { "mesa", "llevar", "domicilio",
    NULL };
static const char *const kind_names[] = { "new", "modify", "cancel",
    "reprint", NULL };

struct item {
	int	qty;
	char	name[ITEM_MAX + 1];
	char	notes[NOTES_MAX + 1];
};

/* A checked payload. */
struct ticket {
	long long	job;
	long long	order;
	int		type;		/* enum ticket_type */
	int		kind;		/* enum ticket_kind */
	int		reprint;
	char		hhmm[8];	/* "" when "created" is absent */
	char		number[SHORT_MAX + 1];
	char		table[SHORT_MAX + 1];
	char		waiter[WHO_MAX + 1];
	char		station[WHO_MAX + 1];
	char		notes[NOTES_MAX + 1];
	struct item	item[ITEMS_MAX];
	int		nitems;
};

/* The print modes of a line (ESC a, GS !, ESC E, GS B). */
struct style {
	uint8_t	align;
	uint8_t	size;
	uint8_t	bold;
	uint8_t	reverse;
	uint8_t	band;		/* pad with spaces to the full width */
};

struct emit {
	struct rbuf		*out;
	int			 text;	/* plain UTF-8 lines, no commands */
	size_t			 width;
	int			 codepage;
	struct style		 cur;	/* the printer's modes */
};

static const struct style st_banner = { ALIGN_CENTER, SIZE_BIG, 0, 1, 1 };
static const struct style st_header = { ALIGN_CENTER, SIZE_BIG, 0, 0, 0 };
static const struct style st_station = { ALIGN_CENTER, SIZE_NORMAL, 1, 0,
    0 };
static const struct style st_plain = { ALIGN_LEFT, SIZE_NORMAL, 0, 0, 0 };
static const struct style st_item = { ALIGN_LEFT, SIZE_TALL, 1, 0, 0 };

static int	 fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 copy_text(char *, size_t, const char *, size_t);
static int	 get_int(json_t *, const char *, int, long long, long long,
		    long long *, char *, size_t);
static int	 get_str(json_t *, const char *, int, char *, size_t, char *,
		    size_t);
static int	 get_name(json_t *, const char *, const char *const *, int,
		    int *, char *, size_t);
static int	 parse_items(json_t *, struct ticket *, char *, size_t);
static int	 parse(const char *, size_t, struct ticket *, char *,
		    size_t);
static size_t	 style_cols(const struct emit *, const struct style *);
static void	 set_style(struct emit *, const struct style *);
static void	 add_spaces(struct rbuf *, size_t);
static void	 emit_line(struct emit *, const struct style *, const char *,
		    size_t);
static void	 emit_wrapped(struct emit *, const struct style *,
		    const char *, const char *);
static void	 emit_lr(struct emit *, const struct style *, const char *,
		    const char *);
static void	 emit_rule(struct emit *);
static void	 layout(struct emit *, const struct ticket *,
		    const struct render_opts *);
static int	 render(const char *, size_t, const struct render_opts *,
		    struct rbuf *, int, char *, size_t);

/* --- byte buffer ---------------------------------------------------------- */

void
rbuf_init(struct rbuf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
rbuf_free(struct rbuf *b)
{
	free(b->p);
	rbuf_init(b);
}

void
rbuf_reset(struct rbuf *b)
{
	b->len = 0;
}

void
rbuf_add(struct rbuf *b, const void *p, size_t n)
{
	size_t	cap;

	if (n == 0)
		return;
	if (n > SIZE_MAX - b->len)
		fatalx("%s: size overflow", __func__);
	if (b->len + n > b->cap) {
		cap = b->cap < 256 ? 256 : b->cap;
		while (cap < b->len + n)
			cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* --- the payload ---------------------------------------------------------- */

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Copy len bytes of UTF-8 (jansson has checked it) into dst, cut on a
 * character boundary to fit, with control characters as spaces: a
 * payload's text must never move the print head or start a command.
 */
static void
copy_text(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t	i;

	if (len > dstsz - 1) {
		len = dstsz - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			dst[i] = ' ';
		else
			dst[i] = s[i];
	}
	dst[len] = '\0';
}

/* An integer member in [min, max]; absent is 0 unless required. */
static int
get_int(json_t *o, const char *key, int required, long long min,
    long long max, long long *v, char *err, size_t errlen)
{
	json_t	*j;

	*v = 0;
	if ((j = json_object_get(o, key)) == NULL || json_is_null(j)) {
		if (required)
			return fail(err, errlen, "\"%s\" is missing", key);
		return 0;
	}
	if (!json_is_integer(j))
		return fail(err, errlen, "\"%s\" is not an integer", key);
	*v = json_integer_value(j);
	if (*v < min || *v > max)
		return fail(err, errlen, "\"%s\" is out of range (%lld..%lld)",
		    key, min, max);
	return 0;
}

/* A string member, cut to fit buf; absent is "" unless required. */
static int
get_str(json_t *o, const char *key, int required, char *buf, size_t bufsz,
    char *err, size_t errlen)
{
	json_t	*j;

	buf[0] = '\0';
	if ((j = json_object_get(o, key)) == NULL || json_is_null(j)) {
		if (required)
			return fail(err, errlen, "\"%s\" is missing", key);
		return 0;
	}
	if (!json_is_string(j))
		return fail(err, errlen, "\"%s\" is not a string", key);
	copy_text(buf, bufsz, json_string_value(j), json_string_length(j));
	return 0;
}

/* A string member that must be one of names; absent is def (or -1). */
static int
get_name(json_t *o, const char *key, const char *const *names, int def,
    int *v, char *err, size_t errlen)
{
	json_t		*j;
	const char	*s;
	int		 i;

	if ((j = json_object_get(o, key)) == NULL || json_is_null(j)) {
		if (def < 0)
			return fail(err, errlen, "\"%s\" is missing", key);
		*v = def;
		return 0;
	}
	if (!json_is_string(j))
		return fail(err, errlen, "\"%s\" is not a string", key);
	s = json_string_value(j);
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*v = i;
			return 0;
		}
	}
	return fail(err, errlen, "\"%s\" is not a known value", key);
}

static int
parse_items(json_t *root, struct ticket *t, char *err, size_t errlen)
{
	json_t		*items, *it;
	struct item	*dst;
	char		 sub[128];
	long long	 v;
	size_t		 i, n;

	if ((items = json_object_get(root, "items")) == NULL)
		return fail(err, errlen, "\"items\" is missing");
	if (!json_is_array(items))
		return fail(err, errlen, "\"items\" is not an array");
	if ((n = json_array_size(items)) > ITEMS_MAX)
		return fail(err, errlen, "%zu items, at most %d", n, ITEMS_MAX);
	for (i = 0; i < n; i++) {
		it = json_array_get(items, i);
		dst = &t->item[i];
		if (!json_is_object(it))
			return fail(err, errlen, "item %zu is not an object", i);
		if (get_int(it, "qty", 1, -QTY_MAX, QTY_MAX, &v, sub,
		    sizeof(sub)) == -1 ||
		    get_str(it, "name", 1, dst->name, sizeof(dst->name), sub,
		    sizeof(sub)) == -1 ||
		    get_str(it, "notes", 0, dst->notes, sizeof(dst->notes), sub,
		    sizeof(sub)) == -1)
			return fail(err, errlen, "item %zu: %s", i, sub);
		dst->qty = (int)v;
	}
	t->nitems = (int)n;
	return 0;
}

/* Check and copy the payload into t. */
static int
parse(const char *payload, size_t len, struct ticket *t, char *err,
    size_t errlen)
{
	json_t		*root;
	json_error_t	 je;
	struct tm	 tm;
	time_t		 when;
	long long	 v;
	int		 rc = -1;

	if (payload == NULL)
		return fail(err, errlen, "no payload");
	if (len > PAYLOAD_MAX)
		return fail(err, errlen, "payload of %zu bytes, at most %d",
		    len, PAYLOAD_MAX);
	root = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return fail(err, errlen, "bad JSON at byte %d: %s",
		    je.position, je.text);
	if (!json_is_object(root)) {
		fail(err, errlen, "payload is not an object");
		goto out;
	}
	if (get_int(root, "v", 1, 1, 1, &v, err, errlen) == -1 ||
	    get_int(root, "job", 1, 0, INT64_MAX, &t->job, err, errlen) == -1 ||
	    get_int(root, "order", 0, 0, INT64_MAX, &t->order, err,
	    errlen) == -1 ||
	    get_name(root, "type", type_names, -1, &t->type, err,
	    errlen) == -1 ||
	    get_name(root, "kind", kind_names, KIND_NEW, &t->kind, err,
	    errlen) == -1 ||
	    get_str(root, "number", 0, t->number, sizeof(t->number), err,
	    errlen) == -1 ||
	    get_str(root, "table", 0, t->table, sizeof(t->table), err,
	    errlen) == -1 ||
	    get_str(root, "waiter", 0, t->waiter, sizeof(t->waiter), err,
	    errlen) == -1 ||
	    get_str(root, "station", 0, t->station, sizeof(t->station), err,
	    errlen) == -1 ||
	    get_str(root, "notes", 0, t->notes, sizeof(t->notes), err,
	    errlen) == -1)
		goto out;
	if (get_int(root, "reprint", 0, 0, REPRINT_MAX, &v, err, errlen) == -1)
		goto out;
	t->reprint = (int)v;
	if (get_int(root, "created", 0, 0, CREATED_MAX, &v, err, errlen) == -1)
		goto out;
	t->hhmm[0] = '\0';
	if (v > 0) {
		when = (time_t)v;
		if (localtime_r(&when, &tm) != NULL)
			snprintf(t->hhmm, sizeof(t->hhmm), "%02d:%02d",
			    tm.tm_hour % 100, tm.tm_min % 100);
	}
	if (parse_items(root, t, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* --- lines ---------------------------------------------------------------- */

/* How many characters a line of this style holds. */
static size_t
style_cols(const struct emit *e, const struct style *st)
{
	return (st->size & SIZE_WIDE) ? e->width / 2 : e->width;
}

/* Send the commands that change the printer's modes to st, and no more. */
static void
set_style(struct emit *e, const struct style *st)
{
	uint8_t	cmd[3];

	if (st->align != e->cur.align) {
		cmd[0] = ESC, cmd[1] = 'a', cmd[2] = st->align;
		rbuf_add(e->out, cmd, 3);
	}
	if (st->size != e->cur.size) {
		cmd[0] = GS, cmd[1] = '!', cmd[2] = st->size;
		rbuf_add(e->out, cmd, 3);
	}
	if (st->bold != e->cur.bold) {
		cmd[0] = ESC, cmd[1] = 'E', cmd[2] = st->bold;
		rbuf_add(e->out, cmd, 3);
	}
	if (st->reverse != e->cur.reverse) {
		cmd[0] = GS, cmd[1] = 'B', cmd[2] = st->reverse;
		rbuf_add(e->out, cmd, 3);
	}
	e->cur = *st;
}

static void
add_spaces(struct rbuf *b, size_t n)
{
	static const char	sp[] = "                ";
	size_t			k;

	while (n > 0) {
		k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;
		rbuf_add(b, sp, k);
		n -= k;
	}
}

/*
 * One line of at most style_cols() characters.  On paper: modes, the text
 * in the code page, LF.  As text: centred lines get leading spaces (the
 * screen has width columns whatever the size on paper), then '\n'.
 */
static void
emit_line(struct emit *e, const struct style *st, const char *s, size_t len)
{
	uint8_t	 buf[LINE_BYTES];
	size_t	 cols, max = style_cols(e, st), n, pad = 0;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	cols = utf8_columns(s, len);
	if (e->text) {
		if (st->align == ALIGN_CENTER && cols < e->width)
			add_spaces(e->out, (e->width - cols) / 2);
		rbuf_add(e->out, s, len);
		rbuf_add(e->out, "\n", 1);
		return;
	}
	set_style(e, st);
	n = codepage_encode(e->codepage, s, len, buf, sizeof(buf));
	if (n > max)		/* a character spelt as several: keep the width */
		n = max;
	if (st->band && n < max) {
		pad = max - n;
		add_spaces(e->out, pad / 2);
	}
	rbuf_add(e->out, buf, n);
	if (st->band)
		add_spaces(e->out, pad - pad / 2);
	rbuf_add(e->out, "\n", 1);
}

/*
 * Word-wrap s (no control characters: copy_text() saw to that) into lines
 * of the style's width.  The first line starts with lead, the next ones
 * with as many spaces as lead has columns (a hanging indent, so a
 * quantity or "> " stands out); runs of spaces collapse; a word longer
 * than a line is cut.  Nothing but lead still gives one line.
 */
static void
emit_wrapped(struct emit *e, const struct style *st, const char *lead,
    const char *s)
{
	char		 line[LINE_BYTES];
	const char	*w;
	size_t		 cols = style_cols(e, st), indent, llen, lcols;
	size_t		 wlen, wcols, sep, n;
	int		 words = 0, lines = 0;

	llen = utf8_prefix(lead, strlen(lead), cols / 2);
	if (llen >= sizeof(line) / 2)
		llen = 0;
	indent = utf8_columns(lead, llen);
	memcpy(line, lead, llen);
	lcols = indent;
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		w = s;
		wlen = strcspn(w, " ");
		s += wlen;
		while (wlen > 0) {
			wcols = utf8_columns(w, wlen);
			sep = words > 0;
			if (lcols + sep + wcols <= cols &&
			    llen + sep + wlen < sizeof(line)) {
				if (sep)
					line[llen++] = ' ';
				memcpy(line + llen, w, wlen);
				llen += wlen;
				lcols += sep + wcols;
				words++;
				break;
			}
			if (words == 0) {
				/* Longer than a line: cut it. */
				n = utf8_prefix(w, wlen, cols - lcols);
				if (n == 0 || n > wlen)
					n = 1;
				if (llen + n >= sizeof(line))
					n = sizeof(line) - llen - 1;
				memcpy(line + llen, w, n);
				llen += n;
				w += n;
				wlen -= n;
			}
			emit_line(e, st, line, llen);
			lines++;
			memset(line, ' ', indent);
			llen = lcols = indent;
			words = 0;
		}
	}
	if (words > 0 || lines == 0)
		emit_line(e, st, line, llen);
}

/* left, and right flush against the right margin; left is cut to fit. */
static void
emit_lr(struct emit *e, const struct style *st, const char *left,
    const char *right)
{
	char	line[LINE_BYTES];
	size_t	cols = style_cols(e, st), ll, lc, rl, rc, gap;

	ll = strlen(left);
	rl = strlen(right);
	rc = utf8_columns(right, rl);
	if (rc + 1 >= cols || rl >= sizeof(line) / 2) {
		emit_wrapped(e, st, "", left);
		return;
	}
	ll = utf8_prefix(left, ll, cols - rc - 1);
	if (ll >= sizeof(line) / 2)
		ll = sizeof(line) / 2 - 1;
	lc = utf8_columns(left, ll);
	gap = cols - lc - rc;
	memcpy(line, left, ll);
	memset(line + ll, ' ', gap);
	memcpy(line + ll + gap, right, rl);
	emit_line(e, st, line, ll + gap + rl);
}

static void
emit_rule(struct emit *e)
{
	char	line[WIDTH_MAX];

	memset(line, '-', e->width);
	emit_line(e, &st_plain, line, e->width);
}

/* --- the ticket ----------------------------------------------------------- */

static void
layout(struct emit *e, const struct ticket *t, const struct render_opts *o)
{
	const struct item	*it;
	char			 s[128], lead[32];
	size_t			 i;
	int			 n;

	/* Banners. */
	if (o->urgent)
		emit_wrapped(e, &st_banner, "", T_URGENT);
	if (t->kind == KIND_MODIFY || (o->flags & SHMQ_F_MODIFY))
		emit_wrapped(e, &st_banner, "", T_MODIFY);
	if (t->kind == KIND_CANCEL || (o->flags & SHMQ_F_CANCEL))
		emit_wrapped(e, &st_banner, "", T_CANCEL);
	if ((t->kind == KIND_REPRINT || (o->flags & SHMQ_F_REPRINT)) &&
	    t->reprint > 0) {
		snprintf(s, sizeof(s), "%s %d", T_REPRINT, t->reprint);
		emit_wrapped(e, &st_banner, "", s);
	} else if (t->kind == KIND_REPRINT ||
	    (o->flags & (SHMQ_F_REPRINT | SHMQ_F_MAYBE_PRINTED)))
		emit_wrapped(e, &st_banner, "", T_REPRINT);

	/* Who it is for, and where it goes. */
	switch (t->type) {
	case TYPE_MESA:
		snprintf(s, sizeof(s), "%s %s", T_MESA, t->table);
		break;
	case TYPE_LLEVAR:
		snprintf(s, sizeof(s), "%s %s", T_LLEVAR, t->number);
		break;
	default:
		snprintf(s, sizeof(s), "%s %s", T_DOMICILIO, t->number);
		break;
	}
	emit_wrapped(e, &st_header, "", s);
	if (t->station[0] != '\0') {
		snprintf(s, sizeof(s), "%s", t->station);
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)toupper((unsigned char)s[i]);
		emit_wrapped(e, &st_station, "", s);
	}
	if (t->number[0] != '\0')
		snprintf(s, sizeof(s), "%s %s", T_ORDER, t->number);
	else if (t->order > 0)
		snprintf(s, sizeof(s), "%s %lld", T_ORDER, t->order);
	else
		snprintf(s, sizeof(s), "%s", T_ORDER);
	emit_lr(e, &st_plain, s, t->hhmm);
	if (t->waiter[0] != '\0')
		emit_wrapped(e, &st_plain, T_WAITER, t->waiter);
	emit_rule(e);

	/* What to cook. */
	for (n = 0; n < t->nitems; n++) {
		it = &t->item[n];
		if (t->kind == KIND_MODIFY)
			snprintf(lead, sizeof(lead), "%+d x ", it->qty);
		else
			snprintf(lead, sizeof(lead), "%d x ", it->qty);
		emit_wrapped(e, &st_item, lead, it->name);
		if (it->notes[strspn(it->notes, " ")] != '\0')
			emit_wrapped(e, &st_plain, T_ITEM_NOTE, it->notes);
	}
	if (t->notes[strspn(t->notes, " ")] != '\0') {
		emit_rule(e);
		emit_wrapped(e, &st_plain, T_NOTE, t->notes);
	}
	emit_rule(e);

	snprintf(s, sizeof(s), "%s %lld", T_TICKET, t->job);
	if (o->attempt > 1) {
		snprintf(lead, sizeof(lead), "%s %u", T_ATTEMPT,
		    o->attempt);
		emit_lr(e, &st_plain, s, lead);
	} else
		emit_lr(e, &st_plain, s, "");
}

static int
render(const char *payload, size_t len, const struct render_opts *o,
    struct rbuf *out, int text, char *err, size_t errlen)
{
	static const uint8_t	 cut[] = { ESC, 'd', 4, GS, 'V', 66, 0 };
	static const uint8_t	 esc_b[] = { ESC, 'B', 3, 2 };
	static const uint8_t	 esc_p[] = { ESC, 'p', 0, 50, 200 };
	struct ticket		*t;
	struct emit		 e;
	uint8_t			 cmd[12];

	if (o == NULL || out == NULL)
		return fail(err, errlen, "no options or output");
	if (o->width < WIDTH_MIN || o->width > WIDTH_MAX)
		return fail(err, errlen, "width %d, not %d..%d", o->width,
		    WIDTH_MIN, WIDTH_MAX);
	if (o->codepage < 0 || o->codepage > 255)
		return fail(err, errlen, "code page %d, not 0..255",
		    o->codepage);

	t = xcalloc(1, sizeof(*t));
	if (parse(payload, len, t, err, errlen) == -1) {
		free(t);
		return -1;
	}

	memset(&e, 0, sizeof(e));
	e.out = out;
	e.text = text;
	e.width = (size_t)o->width;
	e.codepage = o->codepage;
	e.cur = st_plain;
	if (!text) {
		cmd[0] = ESC, cmd[1] = '@';
		cmd[2] = ESC, cmd[3] = 't', cmd[4] = (uint8_t)o->codepage;
		rbuf_add(out, cmd, 5);
	}
	layout(&e, t, o);
	free(t);
	if (text)
		return 0;

	rbuf_add(out, cut, sizeof(cut));
	if (o->urgent && o->buzzer == CONFIG_BUZZER_ESC_B)
		rbuf_add(out, esc_b, sizeof(esc_b));
	else if (o->urgent && o->buzzer == CONFIG_BUZZER_ESC_P)
		rbuf_add(out, esc_p, sizeof(esc_p));
	if (o->process_id != 0) {
		cmd[0] = GS, cmd[1] = '(', cmd[2] = 'H';
		cmd[3] = 6, cmd[4] = 0, cmd[5] = 48, cmd[6] = 48;
		render_process_id(o->process_id, cmd + 7);
		rbuf_add(out, cmd, 11);
	}
	return 0;
}

int
render_ticket(const char *payload, size_t len, const struct render_opts *o,
    struct rbuf *out, char *err, size_t errlen)
{
	return render(payload, len, o, out, 0, err, errlen);
}

int
render_text(const char *payload, size_t len, const struct render_opts *o,
    struct rbuf *out, char *err, size_t errlen)
{
	return render(payload, len, o, out, 1, err, errlen);
}

void
render_process_id(uint32_t process_id, uint8_t d[4])
{
	uint32_t	v = process_id % 10000;
	int		i;

	for (i = 3; i >= 0; i--) {
		d[i] = (uint8_t)('0' + v % 10);
		v /= 10;
	}
}
