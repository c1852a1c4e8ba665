/*
 * src/worker/render: the exact ESC/POS bytes of a ticket, its plain text,
 * banners, quantities, notes, wrapping at 32/42/48 columns, the commands
 * after the cut, and refusal of malformed payloads.
 *
 * Times are local: main() sets TZ=UTC so "created" 1700000000 is 22:13.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "codepage.h"
#include "config.h"
#include "render.h"
#include "shmq.h"

#define CREATED		"1700000000"	/* 2023-11-14 22:13:20 UTC */

#define TICKET(kind, extra, items)					\
	"{\"v\":1,\"job\":42,\"order\":7,\"number\":\"M-0042\","	\
	"\"type\":\"mesa\",\"table\":\"5\",\"waiter\":\"ana\","		\
	"\"created\":" CREATED ",\"station\":\"cocina\",\"kind\":\"" kind \
	"\"" extra ",\"items\":[" items "]}"

#define ITEM_HAMBURGUESA						\
	"{\"qty\":2,\"name\":\"Hamburguesa sin cebolla ñ\","		\
	"\"notes\":\"bien cocida\"}"

#define ENSALADA	"Ensalada de la casa con aguacate, tomate cherry y " \
			"vinagreta de mostaza"

static const char	simple[] = TICKET("new", ",\"reprint\":0,\"notes\":\"\"",
			    ITEM_HAMBURGUESA);

static struct render_opts
opts(int width)
{
	struct render_opts	o;

	memset(&o, 0, sizeof(o));
	o.width = width;
	o.codepage = CODEPAGE_PC858;
	o.buzzer = CONFIG_BUZZER_NONE;
	o.attempt = 1;
	return o;
}

/* Render payload, asserting success; the caller frees b. */
static void
ticket(const char *payload, const struct render_opts *o, struct rbuf *b)
{
	char	err[256] = "";
	int	rc;

	rbuf_init(b);
	rc = render_ticket(payload, strlen(payload), o, b, err, sizeof(err));
	if (rc != 0)
		fail_msg("render_ticket: %s", err);
}

/* The text of payload, NUL-terminated; the caller frees it. */
static char *
text(const char *payload, const struct render_opts *o)
{
	struct rbuf	b;
	char		err[256] = "";

	rbuf_init(&b);
	if (render_text(payload, strlen(payload), o, &b, err,
	    sizeof(err)) != 0)
		fail_msg("render_text: %s", err);
	rbuf_add(&b, "", 1);
	return (char *)b.p;
}

static void
assert_bytes(const struct rbuf *b, const uint8_t *want, size_t len)
{
	size_t	i;

	for (i = 0; i < len && i < b->len; i++) {
		if (b->p[i] != want[i])
			fail_msg("byte %zu: got 0x%02x, want 0x%02x", i,
			    b->p[i], want[i]);
	}
	assert_int_equal(b->len, len);
}

static int
contains(const struct rbuf *b, const void *needle, size_t len)
{
	return memmem(b->p, b->len, needle, len) != NULL;
}

static int
ends_with(const struct rbuf *b, const void *tail, size_t len)
{
	return b->len >= len && memcmp(b->p + b->len - len, tail, len) == 0;
}

/*
 * Walk ESC/POS output as a printer would, checking that every command is
 * one render emits and that no printed line is wider than the paper holds
 * in the size in force.  Returns how many lines were printed.
 */
static int
check_lines(const struct rbuf *b, int width)
{
	size_t	i = 0, cols = 0;
	int	size = 0, lines = 0;

	while (i < b->len) {
		uint8_t	c = b->p[i];

		if (c == 0x1b || c == 0x1d) {
			assert_true(i + 1 < b->len);
			switch (c << 8 | b->p[i + 1]) {
			case 0x1b40:			/* ESC @ */
				i += 2;
				break;
			case 0x1b74: case 0x1b61: case 0x1b45: case 0x1d42:
			case 0x1b64:
				i += 3;
				break;
			case 0x1d21:			/* GS ! n */
				size = b->p[i + 2];
				i += 3;
				break;
			case 0x1d56:			/* GS V 66 0 */
			case 0x1b42:			/* ESC B n t */
				i += 4;
				break;
			case 0x1b70:			/* ESC p m t1 t2 */
				i += 5;
				break;
			case 0x1d28:			/* GS ( H pL pH ... */
				assert_true(i + 4 < b->len);
				i += 5 + b->p[i + 3] + 256 * b->p[i + 4];
				break;
			default:
				fail_msg("unexpected command %02x %02x at %zu",
				    c, b->p[i + 1], i);
			}
			continue;
		}
		if (c == '\n') {
			lines++;
			cols = 0;
		} else {
			assert_true(c >= 0x20);
			cols++;
			if (cols > (size_t)((size & 0x10) ? width / 2 : width))
				fail_msg("line %d too wide at byte %zu",
				    lines + 1, i);
		}
		i++;
	}
	return lines;
}

/* Every line of a text ticket fits the width. */
static void
check_text_lines(const char *s, int width)
{
	const char	*nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		assert_true(utf8_columns(s, (size_t)(nl - s)) <=
		    (size_t)width);
		s = nl + 1;
	}
	assert_string_equal(s, "");	/* every line ends with '\n' */
}

/* --- the ticket, byte for byte -------------------------------------------- */

static void
test_ticket_bytes(void **state)
{
	static const uint8_t	want[] = {
		0x1b, '@', 0x1b, 't', 19,
		/* MESA 5: centred, double width and height */
		0x1b, 'a', 1, 0x1d, '!', 0x11, 'M', 'E', 'S', 'A', ' ', '5',
		'\n',
		/* station: normal size, bold */
		0x1d, '!', 0, 0x1b, 'E', 1, 'C', 'O', 'C', 'I', 'N', 'A', '\n',
		/* order number left, time right, 32 columns */
		0x1b, 'a', 0, 0x1b, 'E', 0,
		'P', 'e', 'd', 'i', 'd', 'o', ' ', 'M', '-', '0', '0', '4', '2',
		' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
		' ', '2', '2', ':', '1', '3', '\n',
		'M', 'e', 's', 'e', 'r', 'o', ':', ' ', 'a', 'n', 'a', '\n',
		'-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-',
		'-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-',
		'-', '-', '-', '-', '-', '-', '\n',
		/* the item: double height, bold; ñ is 0xa4 in PC858 */
		0x1d, '!', 0x01, 0x1b, 'E', 1,
		'2', ' ', 'x', ' ', 'H', 'a', 'm', 'b', 'u', 'r', 'g', 'u', 'e',
		's', 'a', ' ', 's', 'i', 'n', ' ', 'c', 'e', 'b', 'o', 'l', 'l',
		'a', ' ', 0xa4, '\n',
		0x1d, '!', 0, 0x1b, 'E', 0,
		' ', ' ', '>', ' ', 'b', 'i', 'e', 'n', ' ', 'c', 'o', 'c', 'i',
		'd', 'a', '\n',
		'-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-',
		'-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-',
		'-', '-', '-', '-', '-', '-', '\n',
		'T', 'i', 'c', 'k', 'e', 't', ' ', '4', '2', '\n',
		/* feed 4 lines, partial cut */
		0x1b, 'd', 4, 0x1d, 'V', 66, 0,
	};
	struct render_opts	o = opts(32);
	struct rbuf		b;

	ticket(simple, &o, &b);
	assert_bytes(&b, want, sizeof(want));
	assert_int_equal(check_lines(&b, 32), 9);
	rbuf_free(&b);
}

static void
test_ticket_text(void **state)
{
	struct render_opts	 o = opts(32);
	char			*s;

	s = text(simple, &o);
	assert_string_equal(s,
	    "             MESA 5\n"
	    "             COCINA\n"
	    "Pedido M-0042              22:13\n"
	    "Mesero: ana\n"
	    "--------------------------------\n"
	    "2 x Hamburguesa sin cebolla ñ\n"
	    "  > bien cocida\n"
	    "--------------------------------\n"
	    "Ticket 42\n");
	free(s);
}

/* The text goes through the code page: PC858 by default, others asked. */
static void
test_codepage(void **state)
{
	static const uint8_t	pc858[] = "Hamburguesa sin cebolla \xa4\n";
	static const uint8_t	wpc1252[] = "Hamburguesa sin cebolla \xf1\n";
	static const uint8_t	head[] = { 0x1b, '@', 0x1b, 't', 16 };
	struct render_opts	o = opts(48);
	struct rbuf		b;

	ticket(simple, &o, &b);
	assert_true(contains(&b, pc858, sizeof(pc858) - 1));
	assert_false(contains(&b, "\xc3\xb1", 2));	/* no UTF-8 left */
	rbuf_free(&b);

	o.codepage = CODEPAGE_WPC1252;
	ticket(simple, &o, &b);
	assert_memory_equal(b.p, head, sizeof(head));
	assert_true(contains(&b, wpc1252, sizeof(wpc1252) - 1));
	rbuf_free(&b);
}

/* --- banners -------------------------------------------------------------- */

struct banner_case {
	const char	*kind;
	const char	*extra;
	int		 urgent;
	uint32_t	 flags;
	const char	*want;		/* text lines before "MESA 5" */
};

static void
test_banners(void **state)
{
	static const struct banner_case	cases[] = {
		{ "new", "", 0, 0, "" },
		{ "new", "", 1, 0, "            URGENTE\n" },
		{ "modify", "", 0, 0, "          MODIFICACIÓN\n" },
		{ "new", "", 0, SHMQ_F_MODIFY, "          MODIFICACIÓN\n" },
		{ "cancel", "", 0, 0, "          CANCELACIÓN\n" },
		{ "reprint", ",\"reprint\":3", 0, 0,
		    "         REIMPRESIÓN 3\n" },
		{ "reprint", ",\"reprint\":3", 0, SHMQ_F_REPRINT |
		    SHMQ_F_MAYBE_PRINTED, "         REIMPRESIÓN 3\n" },
		{ "new", "", 0, SHMQ_F_MAYBE_PRINTED,
		    "          REIMPRESIÓN\n" },
		{ "cancel", "", 1, 0,
		    "            URGENTE\n          CANCELACIÓN\n" },
		{ "modify", "", 1, SHMQ_F_MAYBE_PRINTED,
		    "            URGENTE\n          MODIFICACIÓN\n"
		    "          REIMPRESIÓN\n" },
	};
	char			 payload[1024], want[512], *s;
	struct render_opts	 o;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(payload, sizeof(payload), TICKET("%s", "%s",
		    ITEM_HAMBURGUESA), cases[i].kind, cases[i].extra);
		o = opts(32);
		o.urgent = cases[i].urgent;
		o.flags = cases[i].flags;
		s = text(payload, &o);
		snprintf(want, sizeof(want), "%s             MESA 5\n",
		    cases[i].want);
		if (strncmp(s, want, strlen(want)) != 0)
			fail_msg("case %zu: got\n%s", i, s);
		free(s);
	}
}

/* On paper: reversed, double size, padded to a full band, in PC858. */
static void
test_banner_bytes(void **state)
{
	static const uint8_t	want[] = {
		0x1b, '@', 0x1b, 't', 19,
		0x1b, 'a', 1, 0x1d, '!', 0x11, 0x1d, 'B', 1,
		' ', ' ', ' ', ' ', 'U', 'R', 'G', 'E', 'N', 'T', 'E', ' ', ' ',
		' ', ' ', ' ', '\n',
		' ', ' ', 'C', 'A', 'N', 'C', 'E', 'L', 'A', 'C', 'I', 0xe0, 'N',
		' ', ' ', ' ', '\n',
		0x1d, 'B', 0, 'M', 'E', 'S', 'A', ' ', '5', '\n',
	};
	struct render_opts	o = opts(32);
	struct rbuf		b;
	const char		p[] = TICKET("cancel", "", ITEM_HAMBURGUESA);

	o.urgent = 1;
	ticket(p, &o, &b);
	assert_true(b.len > sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	rbuf_free(&b);

	/* No banner: no reverse mode anywhere. */
	o.urgent = 0;
	ticket(simple, &o, &b);
	assert_false(contains(&b, "\x1d" "B", 2));
	rbuf_free(&b);
}

/* --- header, quantities, notes -------------------------------------------- */

static void
test_types(void **state)
{
	static const char	*types[][2] = {
		{ "llevar", "         LLEVAR M-0042\n" },
		{ "domicilio", "        DOMICILIO M-0042\n" },
	};
	char			 payload[1024], *s;
	struct render_opts	 o = opts(32);
	size_t			 i;

	for (i = 0; i < 2; i++) {
		snprintf(payload, sizeof(payload), "{\"v\":1,\"job\":9,"
		    "\"number\":\"M-0042\",\"type\":\"%s\",\"items\":[]}",
		    types[i][0]);
		s = text(payload, &o);
		if (strncmp(s, types[i][1], strlen(types[i][1])) != 0)
			fail_msg("%s: got\n%s", types[i][0], s);
		free(s);
	}

	/* The minimum: no station, waiter, time or items. */
	s = text("{\"v\":1,\"job\":9,\"type\":\"mesa\",\"table\":\"12\","
	    "\"items\":[]}", &o);
	assert_string_equal(s,
	    "            MESA 12\n"
	    "Pedido\n"
	    "--------------------------------\n"
	    "--------------------------------\n"
	    "Ticket 9\n");
	free(s);
}

static void
test_quantities(void **state)
{
	const char		 p[] = TICKET("modify", "",
	    "{\"qty\":1,\"name\":\"Papas\"},"
	    "{\"qty\":-2,\"name\":\"Refresco\",\"notes\":\"sin hielo\"},"
	    "{\"qty\":999,\"name\":\"Pan\"},"
	    "{\"qty\":-999,\"name\":\"Agua\"}");
	const char		 q[] = TICKET("new", "",
	    "{\"qty\":12,\"name\":\"Tacos\"}");
	struct render_opts	 o = opts(32);
	struct rbuf		 b;
	char			*s;

	s = text(p, &o);
	assert_non_null(strstr(s,
	    "--------------------------------\n"
	    "+1 x Papas\n"
	    "-2 x Refresco\n"
	    "  > sin hielo\n"
	    "+999 x Pan\n"
	    "-999 x Agua\n"
	    "--------------------------------\n"));
	free(s);
	s = text(q, &o);
	assert_non_null(strstr(s, "\n12 x Tacos\n"));
	free(s);

	/* On paper the quantity line is bold and double height. */
	ticket(p, &o, &b);
	assert_true(contains(&b, "\x1d!\x01\x1b" "E\x01+1 x Papas\n", 16));
	assert_true(contains(&b, "\x1d!\x00\x1b" "E\x00  > sin hielo\n", 19));
	rbuf_free(&b);
}

static void
test_notes(void **state)
{
	const char		 p[] = TICKET("new",
	    ",\"notes\":\"Cliente alérgico al maní, por favor revisar todo\"",
	    "{\"qty\":1,\"name\":\"Sopa\",\"notes\":\"muy caliente y con "
	    "bastante cilantro picado encima\"},"
	    "{\"qty\":1,\"name\":\"Flan\",\"notes\":\"   \"}");
	struct render_opts	 o = opts(32);
	struct rbuf		 b;
	char			*s;

	s = text(p, &o);
	assert_non_null(strstr(s,
	    "1 x Sopa\n"
	    "  > muy caliente y con bastante\n"
	    "    cilantro picado encima\n"
	    "1 x Flan\n"
	    "--------------------------------\n"
	    "Nota: Cliente alérgico al maní,\n"
	    "      por favor revisar todo\n"
	    "--------------------------------\n"
	    "Ticket 42\n"));
	check_text_lines(s, 32);
	free(s);

	/* é and í in PC858. */
	ticket(p, &o, &b);
	assert_true(contains(&b, "Nota: Cliente al\x82rgico al man\xa1,\n",
	    32));
	rbuf_free(&b);
}

/* --- wrapping ------------------------------------------------------------- */

static void
test_wrap_widths(void **state)
{
	static const struct {
		int		 width;
		const char	*want;
	} cases[] = {
		{ 32, "1 x Ensalada de la casa con\n"
		      "    aguacate, tomate cherry y\n"
		      "    vinagreta de mostaza\n" },
		{ 42, "1 x Ensalada de la casa con aguacate,\n"
		      "    tomate cherry y vinagreta de mostaza\n" },
		{ 48, "1 x Ensalada de la casa con aguacate, tomate\n"
		      "    cherry y vinagreta de mostaza\n" },
	};
	const char		 p[] = TICKET("new", "",
	    "{\"qty\":1,\"name\":\"" ENSALADA "\"}");
	struct render_opts	 o;
	struct rbuf		 b;
	char			*s, want[256];
	size_t			 i;

	for (i = 0; i < 3; i++) {
		o = opts(cases[i].width);
		s = text(p, &o);
		snprintf(want, sizeof(want), "-\n%s-", cases[i].want);
		if (strstr(s, want) == NULL)
			fail_msg("width %d: got\n%s", cases[i].width, s);
		check_text_lines(s, cases[i].width);
		free(s);
		ticket(p, &o, &b);
		check_lines(&b, cases[i].width);
		rbuf_free(&b);
	}
}

/* Double width holds half: the header wraps, a long word is cut. */
static void
test_wrap_cut(void **state)
{
	const char		 p[] = "{\"v\":1,\"job\":1,\"type\":\"mesa\","
	    "\"table\":\"Terraza-Norte-12\",\"items\":[{\"qty\":1,\"name\":"
	    "\"Superextraordinariamenteespecialidad de la casa\"}]}";
	const char		 q[] = "{\"v\":1,\"job\":1,\"type\":\"mesa\","
	    "\"table\":\"ñññññññññññññññññññññññññññññññ\",\"items\":[]}";
	struct render_opts	 o = opts(32);
	struct rbuf		 b;
	char			*s;

	s = text(p, &o);
	assert_string_equal(s,
	    "              MESA\n"
	    "        Terraza-Norte-12\n"
	    "Pedido\n"
	    "--------------------------------\n"
	    "1 x Superextraordinariamenteespe\n"
	    "    cialidad de la casa\n"
	    "--------------------------------\n"
	    "Ticket 1\n");
	free(s);
	o = opts(48);
	s = text(p, &o);
	assert_true(strncmp(s, "             MESA Terraza-Norte-12\n", 35) == 0);
	free(s);

	/* A 31-character table is cut to 24 bytes, on a character. */
	o = opts(32);
	s = text(q, &o);
	assert_true(strncmp(s, "              MESA\n          ññññññññññññ\n",
	    19 + 11 + 24) == 0);
	free(s);
	ticket(q, &o, &b);
	assert_true(contains(&b, "\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4"
	    "\xa4\xa4\n", 13));
	check_lines(&b, 32);
	rbuf_free(&b);
}

/* --- what follows the cut ------------------------------------------------- */

static void
test_after_cut(void **state)
{
	static const uint8_t	cut[] = { 0x1b, 'd', 4, 0x1d, 'V', 66, 0 };
	static const uint8_t	esc_b[] = { 0x1d, 'V', 66, 0,
	    0x1b, 'B', 3, 2 };
	static const uint8_t	esc_p[] = { 0x1d, 'V', 66, 0,
	    0x1b, 'p', 0, 50, 200 };
	static const uint8_t	gsh[] = { 0x1d, 'V', 66, 0,
	    0x1d, '(', 'H', 6, 0, 48, 48, '2', '3', '4', '5' };
	static const uint8_t	all[] = { 0x1d, 'V', 66, 0,
	    0x1b, 'B', 3, 2, 0x1d, '(', 'H', 6, 0, 48, 48, '0', '0', '0',
	    '7' };
	struct render_opts	o = opts(42);
	struct rbuf		b;

	ticket(simple, &o, &b);
	assert_true(ends_with(&b, cut, sizeof(cut)));
	rbuf_free(&b);

	/* A buzzer is configured, but the ticket is not urgent. */
	o.buzzer = CONFIG_BUZZER_ESC_B;
	ticket(simple, &o, &b);
	assert_true(ends_with(&b, cut, sizeof(cut)));
	rbuf_free(&b);

	o.urgent = 1;
	ticket(simple, &o, &b);
	assert_true(ends_with(&b, esc_b, sizeof(esc_b)));
	rbuf_free(&b);

	o.buzzer = CONFIG_BUZZER_ESC_P;
	ticket(simple, &o, &b);
	assert_true(ends_with(&b, esc_p, sizeof(esc_p)));
	rbuf_free(&b);

	o.buzzer = CONFIG_BUZZER_NONE;
	o.urgent = 0;
	o.process_id = 12345;
	ticket(simple, &o, &b);
	assert_true(ends_with(&b, gsh, sizeof(gsh)));
	check_lines(&b, 42);
	rbuf_free(&b);

	o.buzzer = CONFIG_BUZZER_ESC_B;
	o.urgent = 1;
	o.process_id = 7;
	ticket(simple, &o, &b);
	assert_true(ends_with(&b, all, sizeof(all)));
	check_lines(&b, 42);
	rbuf_free(&b);
}

static void
test_attempt(void **state)
{
	struct render_opts	 o = opts(32);
	char			*s;

	o.attempt = 3;
	s = text(simple, &o);
	assert_non_null(strstr(s, "\nTicket 42              intento 3\n"));
	free(s);
}

static void
test_process_id(void **state)
{
	static const struct {
		uint32_t	 id;
		const char	*want;
	} cases[] = {
		{ 0, "0000" }, { 7, "0007" }, { 42, "0042" }, { 9999, "9999" },
		{ 10000, "0000" }, { 12345, "2345" }, { UINT32_MAX, "7295" },
	};
	uint8_t		d[4];
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		render_process_id(cases[i].id, d);
		assert_memory_equal(d, cases[i].want, 4);
	}
}

/* --- what a payload cannot do --------------------------------------------- */

/* Control characters in text become spaces: no command can get through. */
static void
test_controls(void **state)
{
	const char		 p[] = "{\"v\":1,\"job\":1,\"type\":\"mesa\","
	    "\"table\":\"5\\u001b@\",\"items\":[{\"qty\":1,\"name\":"
	    "\"Papas\\n\\u001bi\\u001dV\\u0000fritas\"}]}";
	const char		 q[] = "{\"v\":1,\"job\":1,\"type\":\"mesa\","
	    "\"table\":\"5\\u001b@\",\"items\":[{\"qty\":1,\"name\":"
	    "\"Papas\\n\\u001bi\\u001dV\\tfritas\"}]}";
	struct render_opts	 o = opts(32);
	struct rbuf		 b;
	char			 err[256];
	char			*s;

	/* \u0000 is refused by the JSON parser itself. */
	rbuf_init(&b);
	assert_int_equal(render_ticket(p, strlen(p), &o, &b, err,
	    sizeof(err)), -1);
	rbuf_free(&b);

	ticket(q, &o, &b);
	assert_int_equal(check_lines(&b, 32), 6);
	assert_true(contains(&b, "1 x Papas i V fritas\n", 21));
	assert_true(contains(&b, "MESA 5 @\n", 9));
	assert_null(memmem(b.p + 2, b.len - 2, "\x1b@", 2));
	rbuf_free(&b);
	s = text(q, &o);
	assert_non_null(strstr(s, "MESA 5 @\n"));
	assert_null(strchr(s, 0x1b));
	free(s);
}

/* At most 100 items. */
static void
test_items_max(void **state)
{
	struct render_opts	 o = opts(32);
	struct rbuf		 b;
	char			*p, err[256];
	size_t			 len, i;

	p = malloc(8192);
	assert_non_null(p);
	for (i = 100; i <= 101; i++) {
		len = (size_t)snprintf(p, 8192, "{\"v\":1,\"job\":1,"
		    "\"type\":\"mesa\",\"items\":[");
		for (size_t k = 0; k < i; k++)
			len += (size_t)snprintf(p + len, 8192 - len,
			    "%s{\"qty\":1,\"name\":\"x%zu\"}", k ? "," : "",
			    k);
		len += (size_t)snprintf(p + len, 8192 - len, "]}");
		rbuf_init(&b);
		err[0] = '\0';
		if (i == 100) {
			assert_int_equal(render_ticket(p, len, &o, &b, err,
			    sizeof(err)), 0);
			assert_true(contains(&b, "1 x x99\n", 8));
		} else {
			assert_int_equal(render_ticket(p, len, &o, &b, err,
			    sizeof(err)), -1);
			assert_int_equal(b.len, 0);
			assert_non_null(strstr(err, "101 items"));
		}
		rbuf_free(&b);
	}
	free(p);
}

static void
test_malformed(void **state)
{
	static const char	*bad[] = {
		"",
		"{",
		"[]",
		"null",
		"\"text\"",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[]} x",
		"{\"job\":1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":2,\"job\":1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":\"1\",\"job\":1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":1,\"job\":-1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":1,\"job\":1.5,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":1,\"job\":1,\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"barra\",\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":7,\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"kind\":\"x\","
		    "\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\"}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":{}}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[1]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":1}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"name\":"
		    "\"x\"}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":1000,"
		    "\"name\":\"x\"}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":-1000,"
		    "\"name\":\"x\"}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":\"2\","
		    "\"name\":\"x\"}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":1,"
		    "\"name\":3}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[{\"qty\":1,"
		    "\"name\":\"x\",\"notes\":[]}]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"table\":5,\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"created\":-5,"
		    "\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"created\":1e30,"
		    "\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"reprint\":-1,"
		    "\"items\":[]}",
		"{\"v\":1,\"v\":1,\"job\":1,\"type\":\"mesa\",\"items\":[]}",
		"{\"v\":1,\"job\":1,\"type\":\"mesa\",\"table\":\"\xff\","
		    "\"items\":[]}",
	};
	struct render_opts	o = opts(32);
	struct rbuf		b;
	char			err[256];
	size_t			i;
	int			t;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			rbuf_init(&b);
			rbuf_add(&b, "keep", 4);
			err[0] = '\0';
			if ((t ? render_text : render_ticket)(bad[i],
			    strlen(bad[i]), &o, &b, err, sizeof(err)) != -1)
				fail_msg("payload %zu accepted: %s", i, bad[i]);
			assert_int_equal(b.len, 4);
			assert_memory_equal(b.p, "keep", 4);
			if (err[0] == '\0')
				fail_msg("payload %zu: no message", i);
			rbuf_free(&b);
		}
	}

	/* The message says what is wrong. */
	rbuf_init(&b);
	assert_int_equal(render_ticket(bad[21], strlen(bad[21]), &o, &b, err,
	    sizeof(err)), -1);
	assert_string_equal(err,
	    "item 0: \"qty\" is out of range (-999..999)");
	rbuf_free(&b);
}

/* Embedded NULs, oversized payloads, bad options, a tiny err. */
static void
test_limits(void **state)
{
	static const char	nul[] = "{\"v\":1,\"job\":1,\"type\":\"mesa\","
	    "\"items\":[]}\0{}";
	struct render_opts	o = opts(32);
	struct rbuf		b;
	char			err[256], tiny[4], *big;
	size_t			len = 70 * 1024;

	rbuf_init(&b);
	assert_int_equal(render_ticket(nul, sizeof(nul) - 1, &o, &b, err,
	    sizeof(err)), -1);
	assert_int_equal(render_ticket(nul, strlen(nul), &o, &b, err,
	    sizeof(err)), 0);
	rbuf_reset(&b);

	big = malloc(len);
	assert_non_null(big);
	memset(big, ' ', len);
	memcpy(big, nul, strlen(nul));
	assert_int_equal(render_ticket(big, len, &o, &b, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "payload of"));
	free(big);
	assert_int_equal(render_ticket(NULL, 0, &o, &b, tiny, sizeof(tiny)),
	    -1);
	assert_int_equal(strlen(tiny), 3);

	o.width = 10;
	assert_int_equal(render_ticket(nul, strlen(nul), &o, &b, err,
	    sizeof(err)), -1);
	o = opts(32);
	o.codepage = 256;
	assert_int_equal(render_text(nul, strlen(nul), &o, &b, NULL, 0), -1);
	assert_int_equal(b.len, 0);
	rbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_ticket_bytes),
		cmocka_unit_test(test_ticket_text),
		cmocka_unit_test(test_codepage),
		cmocka_unit_test(test_banners),
		cmocka_unit_test(test_banner_bytes),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_quantities),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_wrap_widths),
		cmocka_unit_test(test_wrap_cut),
		cmocka_unit_test(test_after_cut),
		cmocka_unit_test(test_attempt),
		cmocka_unit_test(test_process_id),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_items_max),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
