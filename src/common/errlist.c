/* errlist — see errlist.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "log.h"
#include "xmalloc.h"

void
errlist_init(struct errlist *el, const char *file, int max)
{
	memset(el, 0, sizeof(*el));
	el->file = file;
	el->max = max;
}

void
errlist_vadd(struct errlist *el, int line, const char *fmt, va_list ap)
{
	char	*msg;

	if (el->stop)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("%s", __func__);
	el->v = xreallocarray(el->v, (size_t)el->n + 1, sizeof(*el->v));
	el->v[el->n].line = line;
	el->v[el->n].seq = el->n;
	el->v[el->n].msg = msg;
	if (++el->n >= el->max)
		el->stop = 1;
}

void
errlist_add(struct errlist *el, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(el, line, fmt, ap);
	va_end(ap);
}

static int
errent_cmp(const void *a, const void *b)
{
	const struct errent	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * In line order: rules checked after reading (a printer in no station)
 * land next to the line they concern.
 */
char *
errlist_join(struct errlist *el)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 i;

	if (el->n == 0)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("%s", __func__);
	qsort(el->v, (size_t)el->n, sizeof(*el->v), errent_cmp);
	for (i = 0; i < el->n; i++) {
		if (el->v[i].line > 0)
			fprintf(f, "%s:%d: %s\n", el->file, el->v[i].line,
			    el->v[i].msg);
		else
			fprintf(f, "%s: %s\n", el->file, el->v[i].msg);
	}
	if (el->stop)
		fprintf(f, "%s: too many errors; stopped reading\n", el->file);
	if (fclose(f) != 0)
		fatal("%s", __func__);
	errlist_fini(el);
	return buf;
}

void
errlist_fini(struct errlist *el)
{
	int	i;

	for (i = 0; i < el->n; i++)
		free(el->v[i].msg);
	free(el->v);
	el->v = NULL;
	el->n = 0;
}
