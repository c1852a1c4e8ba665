/*
 * jbuf — JSON text written straight into a growing buffer.
 *
 * The hot path of the daemon (order.create: its ticket payloads, the order
 * shown in the reply and the order.created event, the reply itself) used to
 * build a jansson tree only to dump it once; the trees and jansson's dumper
 * cost more than the rest of the request.  jbuf writes the same bytes as
 * json_dumps(..., JSON_COMPACT) does — same escaping, same member order —
 * so nothing on the wire changes.
 */
#ifndef FASTOPS_JBUF_H
#define FASTOPS_JBUF_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

struct jbuf {
	char	*s;		/* NUL-terminated once anything is written */
	size_t	 len;
	size_t	 cap;
};

#define JBUF_INITIALIZER	{ NULL, 0, 0 }

void	 jbuf_fini(struct jbuf *);
/* Empty it, keeping the memory for the next use. */
void	 jbuf_reset(struct jbuf *);
/* The text (malloc'd, NUL-terminated; the caller frees it); b is empty. */
char	*jbuf_steal(struct jbuf *, size_t *len);
void	 jbuf_add(struct jbuf *, const void *, size_t);
/*
 * Formatted text: %s a C string as is, %S a C string as a JSON string
 * (quoted, escaped; NULL gives null), %d an int, %I a long long, %R
 * raw text given as a pointer and a size_t length (JSON already), %%.
 */
void	 jbuf_printf(struct jbuf *, const char *fmt, ...);
void	 jbuf_vprintf(struct jbuf *, const char *fmt, va_list);
/* A JSON string (quoted, escaped as jansson does). */
void	 jbuf_str(struct jbuf *, const char *);
/* A jansson value, as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY). */
int	 jbuf_dump(struct jbuf *, const json_t *);
/*
 * Reopen the object that ends b to add a member: its closing '}' gives
 * way to `,"key":` (or `"key":` in an empty object).  The caller writes
 * the value and closes the object again.
 */
void	 jbuf_reopen(struct jbuf *, const char *key);

#endif
