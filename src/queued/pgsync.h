/*
 * pgsync — the journal written behind into PostgreSQL ([postgres]).
 * See pgsync.c.
 */
#ifndef FASTOPS_PGSYNC_H
#define FASTOPS_PGSYNC_H

#include <stdint.h>

#include <jansson.h>

struct daemon;
struct jbuf;
struct pgsync;

struct pgsync_status {
	int		connected;
	uint64_t	applied_lsn;	/* the database has every record to it */
	uint64_t	durable_lsn;	/* the journal's */
	uint64_t	lag_records;	/* durable - applied */
	double		lag_s;		/* age of the oldest record not applied */
	double		down_s;		/* without a connection for this long */
	uint64_t	batches;	/* transactions committed */
	uint64_t	records;	/* records applied */
	uint64_t	errors;		/* failed attempts (outages included) */
	uint64_t	rejected;	/* records the database refused */
	char		error[256];	/* the last failure, or "" */
};

/*
 * Start the thread (the daemon has a [postgres] section).  Sets the
 * journal's retention at once from what the database had last time.
 * NULL only on a local failure; an unreachable database is not one.
 */
struct pgsync	*pgsync_start(struct daemon *);
void		 pgsync_stop(struct pgsync *);
/* Also samples the journal's progress, for the lag: call it often. */
void		 pgsync_status(struct pgsync *, struct pgsync_status *);
/*
 * Wait up to ms for the database to have every durable record: 0 once it
 * has, -1 if it does not by then or can not be reached.
 */
int		 pgsync_wait(struct pgsync *, int ms);
/* Add a "pgsync" member to obj (stats). */
void		 pgsync_json(struct pgsync *, json_t *obj);
void		 pgsync_metrics(struct pgsync *, struct jbuf *);

#endif
