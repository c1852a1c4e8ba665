/*
 * supervisor — printer workers, autoscale, turbo, breakers coming back,
 * fallback to the kitchen screen, alerts.  See supervisor.c.
 */
#ifndef FASTOPS_SUPERVISOR_H
#define FASTOPS_SUPERVISOR_H

#include <jansson.h>

struct daemon;
struct jbuf;
struct supervisor;

struct supervisor *supervisor_start(struct daemon *);
void	 supervisor_stop(struct supervisor *);
/* New tickets or an admin's change: decide now, not at the next tick. */
void	 supervisor_wake(struct supervisor *);
/* mode "on", "off" or "auto"; -1/EINVAL otherwise. */
int	 supervisor_turbo(struct supervisor *, const char *mode);
/* workers.scale: move the autoscale target by delta (kept in min..max). */
void	 supervisor_scale(struct supervisor *, int delta);
/* Add "workers", "turbo", "alerts" and "print" members to obj. */
void	 supervisor_status(struct supervisor *, json_t *obj);
json_t	*supervisor_printers(struct supervisor *);
void	 supervisor_metrics(struct supervisor *, struct jbuf *);

#endif
