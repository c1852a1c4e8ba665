/*
 * errlist — the mistakes found in a file, for people to fix all at once.
 *
 * Parsers of configuration-like files (fastops.ini, menu.csv) record every
 * mistake with its line and go on; at the end the list comes out sorted by
 * line as "FILE:LINE: message" lines (line 0: about the whole file).  Past
 * max entries recording stops: a file that is not what it should be at all
 * must not produce a line per line of it.
 */
#ifndef FASTOPS_ERRLIST_H
#define FASTOPS_ERRLIST_H

#include <stdarg.h>

struct errent {
	int	 line;
	int	 seq;		/* keeps one line's messages in order */
	char	*msg;
};

struct errlist {
	const char	*file;	/* borrowed */
	struct errent	*v;
	int		 n;
	int		 max;
	int		 stop;	/* max reached */
};

void	 errlist_init(struct errlist *, const char *file, int max);
void	 errlist_add(struct errlist *, int line, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 errlist_vadd(struct errlist *, int line, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));
/* The list as one malloc'd string (NULL if empty); empties the list. */
char	*errlist_join(struct errlist *);
void	 errlist_fini(struct errlist *);

#endif
