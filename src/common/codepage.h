/*
 * codepage — the single-byte character sets of ESC/POS printers.
 *
 * Tickets are UTF-8 everywhere in FastOps; a printer takes one byte per
 * character in the code page selected with ESC t n.  This module converts
 * both ways: the worker encodes tickets, fastops-printsim decodes what it
 * receives.  Bytes 0x00-0x7f are ASCII in every table here.
 *
 * The numbers are Epson's ESC t values, which most clones follow; a clone
 * that numbers them differently is configured with `codepage = n` and the
 * same table.
 */
#ifndef FASTOPS_CODEPAGE_H
#define FASTOPS_CODEPAGE_H

#include <stddef.h>
#include <stdint.h>

#define CODEPAGE_PC437		0	/* USA, standard Europe */
#define CODEPAGE_PC850		2	/* Multilingual */
#define CODEPAGE_WPC1252	16	/* Windows Latin-1 */
#define CODEPAGE_PC858		19	/* PC850 with the euro sign */
#define CODEPAGE_DEFAULT	CODEPAGE_PC858
/* Not a printer's: plain ASCII, for terminals without UTF-8 ("á" -> "a",
 * "€" -> "E", others "?"), through codepage_encode(). */
#define CODEPAGE_ASCII		(-1)

/* 1 if n names a table this module has, else 0. */
int		 codepage_known(int n);
/* "PC858", "WPC1252", ...; "?" for an unknown n. */
const char	*codepage_name(int n);

/*
 * Encode len bytes of UTF-8 into code page n, writing at most outlen bytes
 * to out (never a partial character).  A character the table lacks is
 * written as its closest ASCII form where there is an obvious one (accented
 * letters lose the accent, typographic quotes and dashes become plain ones)
 * or else '?'; malformed UTF-8 becomes '?'.  Control characters other than
 * '\n' and '\t' become '?' too, so text can never inject a command.
 * Returns the number of bytes written.  An unknown n encodes as PC858.
 */
size_t		 codepage_encode(int n, const char *utf8, size_t len,
		    uint8_t *out, size_t outlen);
/*
 * Decode one byte of code page n to UTF-8 in out (NUL-terminated, at most
 * 4 bytes plus NUL).  Returns the length (1..4).  Bytes without a glyph
 * in the table decode as U+FFFD; so do the control bytes other than '\n'
 * and '\t' (0x00-0x1f, 0x7f), which a printer takes as commands.
 */
int		 codepage_decode(int n, uint8_t byte, char out[5]);

/*
 * Decode the UTF-8 character at s[*i] (len bytes in all) into *cp and
 * advance *i.  Strict: returns -1 for a malformed sequence (overlong,
 * surrogate, past U+10FFFF, truncated), having skipped one byte so a
 * caller can resynchronise on the next lead byte; 0 otherwise.
 */
int		 utf8_next(const uint8_t *s, size_t len, size_t *i,
		    uint32_t *cp);
/*
 * Display columns of UTF-8 text: one per character (code point that is not
 * a continuation byte).  Good enough for the Latin text of tickets.
 */
size_t		 utf8_columns(const char *s, size_t len);
/*
 * The byte length of the longest prefix of s (len bytes) that fits in
 * cols columns, cut on a character boundary.
 */
size_t		 utf8_prefix(const char *s, size_t len, size_t cols);

#endif
