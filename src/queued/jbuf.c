/*
 * jbuf — see jbuf.h.
 *
 * Escaping follows jansson 2.14's dump_string() with no flags: '"' and
 * '\\' escaped, the control characters below 0x20 as \b \f \n \r \t or
 * \u00XX (upper-case hex), everything else — '/', DEL, UTF-8 — as is.
 * Objects are written in their insertion order, as json_dumps does
 * without JSON_SORT_KEYS.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jbuf.h"
#include "xmalloc.h"

static void	 grow(struct jbuf *, size_t);
static void	 add_ll(struct jbuf *, long long);

/* Room for n more bytes and the NUL. */
static void
grow(struct jbuf *b, size_t n)
{
	size_t	cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
jbuf_fini(struct jbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void
jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

char *
jbuf_steal(struct jbuf *b, size_t *len)
{
	char	*s;

	grow(b, 0);
	b->s[b->len] = '\0';
	s = b->s;
	if (len != NULL)
		*len = b->len;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
jbuf_add(struct jbuf *b, const void *p, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
add_ll(struct jbuf *b, long long v)
{
	char			 tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long	 u = v < 0 ? 0ULL - (unsigned long long)v :
				    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	jbuf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
jbuf_str(struct jbuf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)s, *run;
	char			 esc[6];
	size_t			 n;

	jbuf_add(b, "\"", 1);
	for (;;) {
		for (run = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		if (p > run)
			jbuf_add(b, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		esc[0] = '\\';
		n = 2;
		switch (*p) {
		case '"':	esc[1] = '"'; break;
		case '\\':	esc[1] = '\\'; break;
		case '\b':	esc[1] = 'b'; break;
		case '\f':	esc[1] = 'f'; break;
		case '\n':	esc[1] = 'n'; break;
		case '\r':	esc[1] = 'r'; break;
		case '\t':	esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			n = 6;
			break;
		}
		jbuf_add(b, esc, n);
		p++;
	}
	jbuf_add(b, "\"", 1);
}

void
jbuf_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	jbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
jbuf_vprintf(struct jbuf *b, const char *fmt, va_list ap)
{
	const char	*run, *s;

	for (;;) {
		for (run = fmt; *fmt != '\0' && *fmt != '%'; fmt++)
			;
		if (fmt > run)
			jbuf_add(b, run, (size_t)(fmt - run));
		if (*fmt == '\0')
			break;
		switch (*++fmt) {
		case 's':
			s = va_arg(ap, const char *);
			jbuf_add(b, s, strlen(s));
			break;
		case 'S':
			if ((s = va_arg(ap, const char *)) == NULL)
				jbuf_add(b, "null", 4);
			else
				jbuf_str(b, s);
			break;
		case 'd':
			add_ll(b, va_arg(ap, int));
			break;
		case 'I':
			add_ll(b, va_arg(ap, long long));
			break;
		case 'R':
			s = va_arg(ap, const char *);
			jbuf_add(b, s, va_arg(ap, size_t));
			break;
		case '%':
			jbuf_add(b, "%", 1);
			break;
		default:
			/* a programming error: the formats are literals */
			abort();
		}
		fmt++;
	}
}

int
jbuf_dump(struct jbuf *b, const json_t *v)
{
	const char	*key;
	json_t		*m;
	char		*text;
	size_t		 i, n;
	int		 first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jbuf_add(b, "{", 1);
		/* json_object_foreach wants a non-const object; it reads only */
		json_object_foreach((json_t *)(uintptr_t)v, key, m) {
			if (!first)
				jbuf_add(b, ",", 1);
			first = 0;
			jbuf_str(b, key);
			jbuf_add(b, ":", 1);
			if (jbuf_dump(b, m) == -1)
				return -1;
		}
		jbuf_add(b, "}", 1);
		return 0;
	case JSON_ARRAY:
		jbuf_add(b, "[", 1);
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				jbuf_add(b, ",", 1);
			if (jbuf_dump(b, json_array_get(v, i)) == -1)
				return -1;
		}
		jbuf_add(b, "]", 1);
		return 0;
	case JSON_STRING:
		/* jansson strings may hold NULs; ours never do */
		jbuf_str(b, json_string_value(v));
		return 0;
	case JSON_INTEGER:
		add_ll(b, (long long)json_integer_value(v));
		return 0;
	case JSON_TRUE:
		jbuf_add(b, "true", 4);
		return 0;
	case JSON_FALSE:
		jbuf_add(b, "false", 5);
		return 0;
	case JSON_NULL:
		jbuf_add(b, "null", 4);
		return 0;
	case JSON_REAL:
		/* rare (statistics): jansson's own formatting of doubles */
		if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) ==
		    NULL)
			return -1;
		jbuf_add(b, text, strlen(text));
		free(text);
		return 0;
	}
	return -1;
}

void
jbuf_reopen(struct jbuf *b, const char *key)
{
	/* a programming error: b must end with an object */
	if (b->len < 2 || b->s[b->len - 1] != '}')
		abort();
	b->s[--b->len] = '\0';
	if (b->s[b->len - 1] != '{')
		jbuf_add(b, ",", 1);
	jbuf_str(b, key);
	jbuf_add(b, ":", 1);
}
