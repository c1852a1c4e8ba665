/*
 * codepage — UTF-8 to and from the single-byte code pages of ESC/POS
 * printers.
 *
 * Each table gives the Unicode code point of bytes 0x80-0xff (0 where the
 * code page has no glyph); the lower half is ASCII everywhere.  PC858 is
 * PC850 with the euro sign in place of the dotless i at 0xd5, so it has no
 * table of its own.
 *
 * Encoding always writes one byte per character (or none, for a combining
 * mark it cannot fold into the letter before it), so the column counts of
 * utf8_columns() over the UTF-8 text are never below what the printer
 * prints: a line measured in UTF-8 still fits once encoded.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codepage.h"

#define CP_REPLACEMENT	0xfffd

struct compose {
	uint16_t	cp;	/* the precomposed letter */
	char		base;	/* its ASCII letter */
	uint16_t	mark;	/* and combining mark */
};

static const uint16_t	*codepage_table(int, uint16_t *);
static int		 codepage_lookup(int, uint32_t);
static int		 ascii_fallback(uint32_t);
static uint32_t		 compose(uint32_t, uint32_t);
static int		 is_combining(uint32_t);

/* Code page 437, the original IBM PC set. */
static const uint16_t pc437[128] = {
	/* 80 */ 0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	         0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	/* 90 */ 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	         0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	/* A0 */ 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	         0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	/* B0 */ 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	         0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	/* C0 */ 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	         0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	/* D0 */ 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	         0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	/* E0 */ 0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	         0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	/* F0 */ 0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	         0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};
/* Code page 850, Multilingual Latin 1 (PC858 differs at 0xd5 only). */
static const uint16_t pc850[128] = {
	/* 80 */ 0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	         0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	/* 90 */ 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	         0x00ff, 0x00d6, 0x00dc, 0x00f8, 0x00a3, 0x00d8, 0x00d7, 0x0192,
	/* A0 */ 0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	         0x00bf, 0x00ae, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	/* B0 */ 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00c1, 0x00c2, 0x00c0,
	         0x00a9, 0x2563, 0x2551, 0x2557, 0x255d, 0x00a2, 0x00a5, 0x2510,
	/* C0 */ 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x00e3, 0x00c3,
	         0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x00a4,
	/* D0 */ 0x00f0, 0x00d0, 0x00ca, 0x00cb, 0x00c8, 0x0131, 0x00cd, 0x00ce,
	         0x00cf, 0x2518, 0x250c, 0x2588, 0x2584, 0x00a6, 0x00cc, 0x2580,
	/* E0 */ 0x00d3, 0x00df, 0x00d4, 0x00d2, 0x00f5, 0x00d5, 0x00b5, 0x00fe,
	         0x00de, 0x00da, 0x00db, 0x00d9, 0x00fd, 0x00dd, 0x00af, 0x00b4,
	/* F0 */ 0x00ad, 0x00b1, 0x2017, 0x00be, 0x00b6, 0x00a7, 0x00f7, 0x00b8,
	         0x00b0, 0x00a8, 0x00b7, 0x00b9, 0x00b3, 0x00b2, 0x25a0, 0x00a0,
};
/* Windows-1252; 0x81, 0x8d, 0x8f, 0x90 and 0x9d are undefined. */
static const uint16_t wpc1252[128] = {
	/* 80 */ 0x20ac, 0x0000, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	         0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x0000, 0x017d, 0x0000,
	/* 90 */ 0x0000, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	         0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x0000, 0x017e, 0x0178,
	/* A0 */ 0x00a0, 0x00a1, 0x00a2, 0x00a3, 0x00a4, 0x00a5, 0x00a6, 0x00a7,
	         0x00a8, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af,
	/* B0 */ 0x00b0, 0x00b1, 0x00b2, 0x00b3, 0x00b4, 0x00b5, 0x00b6, 0x00b7,
	         0x00b8, 0x00b9, 0x00ba, 0x00bb, 0x00bc, 0x00bd, 0x00be, 0x00bf,
	/* C0 */ 0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
	         0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf,
	/* D0 */ 0x00d0, 0x00d1, 0x00d2, 0x00d3, 0x00d4, 0x00d5, 0x00d6, 0x00d7,
	         0x00d8, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x00dd, 0x00de, 0x00df,
	/* E0 */ 0x00e0, 0x00e1, 0x00e2, 0x00e3, 0x00e4, 0x00e5, 0x00e6, 0x00e7,
	         0x00e8, 0x00e9, 0x00ea, 0x00eb, 0x00ec, 0x00ed, 0x00ee, 0x00ef,
	/* F0 */ 0x00f0, 0x00f1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x00f6, 0x00f7,
	         0x00f8, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x00fd, 0x00fe, 0x00ff,
};

/* The precomposed Latin-1 letters, for NFD input and accent stripping. */
static const struct compose composed[] = {
	{ 0x00c0, 'A', 0x0300 },
	{ 0x00c1, 'A', 0x0301 },
	{ 0x00c2, 'A', 0x0302 },
	{ 0x00c3, 'A', 0x0303 },
	{ 0x00c4, 'A', 0x0308 },
	{ 0x00c5, 'A', 0x030a },
	{ 0x00c7, 'C', 0x0327 },
	{ 0x00c8, 'E', 0x0300 },
	{ 0x00c9, 'E', 0x0301 },
	{ 0x00ca, 'E', 0x0302 },
	{ 0x00cb, 'E', 0x0308 },
	{ 0x00cc, 'I', 0x0300 },
	{ 0x00cd, 'I', 0x0301 },
	{ 0x00ce, 'I', 0x0302 },
	{ 0x00cf, 'I', 0x0308 },
	{ 0x00d1, 'N', 0x0303 },
	{ 0x00d2, 'O', 0x0300 },
	{ 0x00d3, 'O', 0x0301 },
	{ 0x00d4, 'O', 0x0302 },
	{ 0x00d5, 'O', 0x0303 },
	{ 0x00d6, 'O', 0x0308 },
	{ 0x00d9, 'U', 0x0300 },
	{ 0x00da, 'U', 0x0301 },
	{ 0x00db, 'U', 0x0302 },
	{ 0x00dc, 'U', 0x0308 },
	{ 0x00dd, 'Y', 0x0301 },
	{ 0x00e0, 'a', 0x0300 },
	{ 0x00e1, 'a', 0x0301 },
	{ 0x00e2, 'a', 0x0302 },
	{ 0x00e3, 'a', 0x0303 },
	{ 0x00e4, 'a', 0x0308 },
	{ 0x00e5, 'a', 0x030a },
	{ 0x00e7, 'c', 0x0327 },
	{ 0x00e8, 'e', 0x0300 },
	{ 0x00e9, 'e', 0x0301 },
	{ 0x00ea, 'e', 0x0302 },
	{ 0x00eb, 'e', 0x0308 },
	{ 0x00ec, 'i', 0x0300 },
	{ 0x00ed, 'i', 0x0301 },
	{ 0x00ee, 'i', 0x0302 },
	{ 0x00ef, 'i', 0x0308 },
	{ 0x00f1, 'n', 0x0303 },
	{ 0x00f2, 'o', 0x0300 },
	{ 0x00f3, 'o', 0x0301 },
	{ 0x00f4, 'o', 0x0302 },
	{ 0x00f5, 'o', 0x0303 },
	{ 0x00f6, 'o', 0x0308 },
	{ 0x00f9, 'u', 0x0300 },
	{ 0x00fa, 'u', 0x0301 },
	{ 0x00fb, 'u', 0x0302 },
	{ 0x00fc, 'u', 0x0308 },
	{ 0x00fd, 'y', 0x0301 },
	{ 0x00ff, 'y', 0x0308 },
};

/* ASCII stand-ins for U+00C0..U+00FF: the letter without its accent. */
static const char latin1_ascii[] =
    "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";

int
codepage_known(int n)
{
	switch (n) {
	case CODEPAGE_PC437:
	case CODEPAGE_PC850:
	case CODEPAGE_WPC1252:
	case CODEPAGE_PC858:
		return 1;
	}
	return 0;
}

const char *
codepage_name(int n)
{
	switch (n) {
	case CODEPAGE_PC437:
		return "PC437";
	case CODEPAGE_PC850:
		return "PC850";
	case CODEPAGE_WPC1252:
		return "WPC1252";
	case CODEPAGE_PC858:
		return "PC858";
	}
	return "?";
}

/*
 * The upper-half table of code page n (PC858 for an unknown n); *euro is
 * set to the byte PC858 overrides with U+20AC, or 0.
 */
static const uint16_t *
codepage_table(int n, uint16_t *euro)
{
	*euro = 0;
	switch (n) {
	case CODEPAGE_PC437:
		return pc437;
	case CODEPAGE_PC850:
		return pc850;
	case CODEPAGE_WPC1252:
		return wpc1252;
	default:
		*euro = 0xd5;
		return pc850;
	}
}

int
utf8_next(const uint8_t *s, size_t len, size_t *i, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n, k;

	c = s[*i];
	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if (len - *i <= n)
		goto bad;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[*i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	*i += n + 1;
	return 0;
bad:
	(*i)++;
	return -1;
}

/* The byte of code page n for code point cp, or -1. */
static int
codepage_lookup(int n, uint32_t cp)
{
	const uint16_t	*t;
	uint16_t	 euro;
	int		 b;

	if (cp < 0x80)
		return (int)cp;
	if (n == CODEPAGE_ASCII)
		return -1;
	t = codepage_table(n, &euro);
	if (euro != 0) {
		if (cp == 0x20ac)
			return euro;
		if (cp == t[euro - 0x80])
			return -1;	/* PC858 lost the dotless i */
	}
	for (b = 0; b < 128; b++)
		if (t[b] == cp)
			return b + 0x80;
	return -1;
}

/* The closest ASCII character for cp, or '?'. */
static int
ascii_fallback(uint32_t cp)
{
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1_ascii[cp - 0xc0];
	switch (cp) {
	case 0x00a0:			/* no-break space */
	case 0x2002: case 0x2003: case 0x2009: case 0x202f:
		return ' ';
	case 0x00a1:
		return '!';
	case 0x00bf:
		return '?';
	case 0x00ab: case 0x2039:
		return '<';
	case 0x00bb: case 0x203a:
		return '>';
	case 0x00b7: case 0x2022: case 0x2027:
		return '*';
	case 0x00ba: case 0x00b0:
		return 'o';
	case 0x00aa:
		return 'a';
	case 0x2018: case 0x2019: case 0x201a: case 0x201b: case 0x2032:
	case 0x00b4:
		return '\'';
	case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x2033:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212: case 0x00ad:
		return '-';
	case 0x2026:
		return '.';
	case 0x20ac:
		return 'E';
	case 0x0152:
		return 'O';
	case 0x0153:
		return 'o';
	case 0x0160:
		return 'S';
	case 0x0161:
		return 's';
	case 0x0178:
		return 'Y';
	case 0x017d:
		return 'Z';
	case 0x017e:
		return 'z';
	}
	return '?';
}

/* Combining diacritical marks (U+0300..U+036F). */
static int
is_combining(uint32_t cp)
{
	return cp >= 0x300 && cp <= 0x36f;
}

/* The precomposed form of base + mark, or 0. */
static uint32_t
compose(uint32_t base, uint32_t mark)
{
	size_t	i;

	for (i = 0; i < sizeof(composed) / sizeof(composed[0]); i++)
		if ((uint32_t)(uint8_t)composed[i].base == base &&
		    composed[i].mark == mark)
			return composed[i].cp;
	return 0;
}

size_t
codepage_encode(int n, const char *utf8, size_t len, uint8_t *out,
    size_t outlen)
{
	const uint8_t	*s = (const uint8_t *)utf8;
	size_t		 i = 0, o = 0, j;
	uint32_t	 cp, next, c;
	int		 b;

	while (i < len && o < outlen) {
		if (utf8_next(s, len, &i, &cp) == -1) {
			out[o++] = '?';
			continue;
		}
		/* Fold a following combining mark into an ASCII letter. */
		j = i;
		if (cp < 0x80 && j < len &&
		    utf8_next(s, len, &j, &next) == 0 && is_combining(next) &&
		    (c = compose(cp, next)) != 0) {
			cp = c;
			i = j;
		}
		if (is_combining(cp))
			continue;	/* a stray mark: print nothing */
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			out[o++] = (cp == '\n' || cp == '\t') ? (uint8_t)cp :
			    '?';
			continue;
		}
		if ((b = codepage_lookup(n, cp)) == -1)
			b = ascii_fallback(cp);
		out[o++] = (uint8_t)b;
	}
	return o;
}

int
codepage_decode(int n, uint8_t byte, char out[5])
{
	const uint16_t	*t;
	uint16_t	 euro;
	uint32_t	 cp;

	if (byte < 0x80) {
		if ((byte < 0x20 && byte != '\n' && byte != '\t') ||
		    byte == 0x7f)
			cp = CP_REPLACEMENT;
		else
			cp = byte;
	} else {
		t = codepage_table(n, &euro);
		if (euro != 0 && byte == euro)
			cp = 0x20ac;
		else if ((cp = t[byte - 0x80]) == 0)
			cp = CP_REPLACEMENT;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		out[2] = '\0';
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	out[3] = '\0';
	return 3;
}

size_t
utf8_columns(const char *s, size_t len)
{
	size_t	i, cols = 0;

	for (i = 0; i < len; i++)
		if (((uint8_t)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

size_t
utf8_prefix(const char *s, size_t len, size_t cols)
{
	size_t	i, used = 0;

	for (i = 0; i < len; i++) {
		if (((uint8_t)s[i] & 0xc0) != 0x80) {
			if (used == cols)
				break;
			used++;
		}
	}
	return i;
}
