/* src/common/codepage: tables, encoding, decoding, column counting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "codepage.h"

#define SPANISH	"á é í ó ú ñ Ñ ¿ ¡ € ü"

static const uint8_t	pc858_spanish[] = {
	0xa0, ' ', 0x82, ' ', 0xa1, ' ', 0xa2, ' ', 0xa3, ' ', 0xa4, ' ',
	0xa5, ' ', 0xa8, ' ', 0xad, ' ', 0xd5, ' ', 0x81
};
static const uint8_t	wpc1252_spanish[] = {
	0xe1, ' ', 0xe9, ' ', 0xed, ' ', 0xf3, ' ', 0xfa, ' ', 0xf1, ' ',
	0xd1, ' ', 0xbf, ' ', 0xa1, ' ', 0x80, ' ', 0xfc
};

/* Decode every byte of buf in code page n, concatenated. */
static void
decode_all(int n, const uint8_t *buf, size_t len, char *out, size_t outlen)
{
	char	ch[5];
	size_t	i, o = 0;
	int	k;

	for (i = 0; i < len; i++) {
		k = codepage_decode(n, buf[i], ch);
		assert_true(k >= 1 && k <= 4);
		assert_int_equal(strlen(ch), (size_t)k);
		assert_true(o + (size_t)k < outlen);
		memcpy(out + o, ch, (size_t)k);
		o += (size_t)k;
	}
	out[o] = '\0';
}

/* The Spanish letters and the euro, to the exact bytes and back. */
static void
test_roundtrip(void **state)
{
	struct {
		int		 n;
		const uint8_t	*bytes;
		size_t		 len;
	} t[] = {
		{ CODEPAGE_PC858, pc858_spanish, sizeof(pc858_spanish) },
		{ CODEPAGE_WPC1252, wpc1252_spanish, sizeof(wpc1252_spanish) },
	};
	uint8_t	out[64];
	char	back[128];
	size_t	i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = codepage_encode(t[i].n, SPANISH, strlen(SPANISH), out,
		    sizeof(out));
		assert_int_equal(n, t[i].len);
		assert_memory_equal(out, t[i].bytes, n);
		decode_all(t[i].n, out, n, back, sizeof(back));
		assert_string_equal(back, SPANISH);
	}
}

/* Every mapped byte of every table decodes and encodes back to itself. */
static void
test_tables_bijective(void **state)
{
	const int	pages[] = { CODEPAGE_PC437, CODEPAGE_PC850,
			    CODEPAGE_WPC1252, CODEPAGE_PC858 };
	uint8_t		out[8];
	char		ch[5];
	size_t		p, n;
	int		b, k, undefined;

	for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		assert_true(codepage_known(pages[p]));
		undefined = 0;
		for (b = 0x20; b < 0x100; b++) {
			if (b == 0x7f)
				continue;
			k = codepage_decode(pages[p], (uint8_t)b, ch);
			if (strcmp(ch, "\xef\xbf\xbd") == 0) {
				undefined++;
				continue;
			}
			n = codepage_encode(pages[p], ch, (size_t)k, out,
			    sizeof(out));
			assert_int_equal(n, 1);
			assert_int_equal(out[0], b);
		}
		assert_int_equal(undefined,
		    pages[p] == CODEPAGE_WPC1252 ? 5 : 0);
	}
}

/* Known glyphs of the other tables, and the PC850/PC858 difference. */
static void
test_table_spots(void **state)
{
	char	ch[5];

	codepage_decode(CODEPAGE_PC437, 0xc4, ch);
	assert_string_equal(ch, "─");
	codepage_decode(CODEPAGE_PC437, 0xe1, ch);
	assert_string_equal(ch, "ß");
	codepage_decode(CODEPAGE_PC850, 0xd5, ch);
	assert_string_equal(ch, "ı");
	codepage_decode(CODEPAGE_PC858, 0xd5, ch);
	assert_string_equal(ch, "€");
	codepage_decode(CODEPAGE_PC850, 0xb5, ch);
	assert_string_equal(ch, "Á");
	codepage_decode(CODEPAGE_WPC1252, 0x85, ch);
	assert_string_equal(ch, "…");
	codepage_decode(CODEPAGE_WPC1252, 0x81, ch);
	assert_string_equal(ch, "\xef\xbf\xbd");
	codepage_decode(CODEPAGE_PC858, 'A', ch);
	assert_string_equal(ch, "A");
	assert_string_equal(codepage_name(CODEPAGE_PC858), "PC858");
	assert_string_equal(codepage_name(CODEPAGE_WPC1252), "WPC1252");
	assert_string_equal(codepage_name(7), "?");
	assert_false(codepage_known(7));
}

/* Characters a table lacks lose their accent, or become '?'. */
static void
test_fallback(void **state)
{
	uint8_t		out[64];
	size_t		n;
	const char	*s;

	/* PC437 has É but no Á Í Ó Ú, no euro. */
	s = "ÁÉÍÓÚ€";
	n = codepage_encode(CODEPAGE_PC437, s, strlen(s), out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "A\x90IOUE", 6);
	/* PC858 lost the dotless i; PC850 has no euro. */
	n = codepage_encode(CODEPAGE_PC858, "ı", 2, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_int_equal(out[0], '?');
	n = codepage_encode(CODEPAGE_PC850, "€", 3, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 'E');
	/* Typographic punctuation becomes plain; the rest '?'. */
	s = "“a”–‘b’…漢😀";
	n = codepage_encode(CODEPAGE_PC858, s, strlen(s), out, sizeof(out));
	assert_int_equal(n, 10);
	assert_memory_equal(out, "\"a\"-'b'.??", 10);
	/* But WPC1252 has the real quotes and dashes. */
	s = "“–…";
	n = codepage_encode(CODEPAGE_WPC1252, s, strlen(s), out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\x93\x96\x85", 3);
	/* An unknown code page encodes as PC858. */
	n = codepage_encode(99, "€ñ", 5, out, sizeof(out));
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\xd5\xa4", 2);
	/* Decomposed (NFD) accents fold into the letter. */
	s = "n\xcc\x83" "e\xcc\x81" "\xcc\x81" "x";
	n = codepage_encode(CODEPAGE_PC858, s, strlen(s), out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\xa4\x82x", 3);
}

/* Malformed UTF-8 becomes '?', one per bad byte, never a crash. */
static void
test_malformed(void **state)
{
	const char	*bad[] = {
		"\x80",			/* lone continuation */
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xe2\x82",		/* truncated euro */
		"\xff",
	};
	uint8_t		out[16];
	size_t		i, j, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = codepage_encode(CODEPAGE_PC858, bad[i], strlen(bad[i]),
		    out, sizeof(out));
		assert_true(n >= 1 && n <= strlen(bad[i]));
		for (j = 0; j < n; j++)
			assert_int_equal(out[j], '?');
	}
	/* Resynchronises on the next good character. */
	n = codepage_encode(CODEPAGE_PC858, "\xe2\x82" "á", 4, out,
	    sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "??\xa0", 3);
}

/* No control byte of the input reaches the output, except \n and \t. */
static void
test_no_control_bytes(void **state)
{
	char		in[0x20 + 4 + 2 * 32];
	uint8_t		out[sizeof(in)];
	size_t		i, len = 0, n;
	const int	pages[] = { CODEPAGE_PC437, CODEPAGE_PC850,
			    CODEPAGE_WPC1252, CODEPAGE_PC858 };
	size_t		p;

	for (i = 0; i < 0x20; i++)
		in[len++] = (char)i;
	in[len++] = 0x7f;
	for (i = 0x80; i < 0xa0; i++) {		/* C1 controls, U+0080.. */
		in[len++] = (char)(0xc0 | (i >> 6));
		in[len++] = (char)(0x80 | (i & 0x3f));
	}
	for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		n = codepage_encode(pages[p], in, len, out, sizeof(out));
		assert_int_equal(n, 0x20 + 1 + 32);
		for (i = 0; i < n; i++) {
			if (i == '\n' || i == '\t')
				assert_int_equal(out[i], i);
			else
				assert_int_equal(out[i], '?');
		}
	}
	/* Decoding a control byte never yields it either. */
	for (i = 0; i < 0x20; i++) {
		char	ch[5];

		codepage_decode(CODEPAGE_PC858, (uint8_t)i, ch);
		if (i == '\n' || i == '\t')
			assert_int_equal(ch[0], (char)i);
		else
			assert_string_equal(ch, "\xef\xbf\xbd");
	}
}

/* The output bound holds and never splits a character. */
static void
test_encode_bounded(void **state)
{
	uint8_t	out[8];
	size_t	n;

	memset(out, 0x55, sizeof(out));
	n = codepage_encode(CODEPAGE_PC858, "ñañañaña", 12, out, 3);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\xa4" "a" "\xa4", 3);
	assert_int_equal(out[3], 0x55);
	n = codepage_encode(CODEPAGE_PC858, "abc", 3, out, 0);
	assert_int_equal(n, 0);
}

static void
test_columns_prefix(void **state)
{
	const char	*s = "Señor €5 ¿sí?";
	size_t		 len = strlen(s), cols, k, p;

	assert_int_equal(utf8_columns("", 0), 0);
	assert_int_equal(utf8_columns("abc", 3), 3);
	cols = utf8_columns(s, len);
	assert_int_equal(cols, 13);
	for (k = 0; k <= cols + 2; k++) {
		p = utf8_prefix(s, len, k);
		assert_true(p <= len);
		/* Never ends inside a character. */
		assert_true(p == len || ((uint8_t)s[p] & 0xc0) != 0x80);
		assert_int_equal(utf8_columns(s, p), k < cols ? k : cols);
	}
	assert_int_equal(utf8_prefix(s, len, 2), 2);	/* "Se" */
	assert_int_equal(utf8_prefix(s, len, 3), 4);	/* "Señ" */
	assert_int_equal(utf8_prefix(s, len, 7), 10);	/* "Señor €" */
	assert_int_equal(utf8_prefix(s, len, 0), 0);
	/* A length that cuts a character counts it but stays in bounds. */
	assert_int_equal(utf8_prefix("ñ", 1, 5), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tables_bijective),
		cmocka_unit_test(test_table_spots),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_control_bytes),
		cmocka_unit_test(test_encode_bounded),
		cmocka_unit_test(test_columns_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
