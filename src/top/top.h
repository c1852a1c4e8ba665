/*
 * fastops-top — the admin's live dashboard.
 *
 *	top.c	command line, the main loop, keys and actions
 *	link.c	a thread that talks to the daemon, so a hung daemon never
 *		freezes the screen
 *	model.c	what is shown, filled from the daemon's "dashboard" reply
 *		or read-only from the queue's shared memory
 *	draw.c	the screen, laid out to the terminal's size
 */
#ifndef FASTOPS_TOP_H
#define FASTOPS_TOP_H

#include <stdint.h>

#include <jansson.h>

#include "fastops/client.h"
#include "shmq.h"
#include "ui.h"

#define TOP_NAME_MAX		32
#define TOP_STATIONS_MAX	SHMQ_MAX_STATIONS
#define TOP_PRINTERS_MAX	SHMQ_MAX_PRINTERS
#define TOP_ALERTS_MAX		16
#define TOP_TARGET_MS		5000	/* the end-to-end latency target */

/* Latency rows, in the dashboard's order. */
enum top_lat {
	TOP_LAT_WAIT,		/* espera: queued -> claimed */
	TOP_LAT_PRINT,		/* impresión: claimed -> printed */
	TOP_LAT_TOTAL,		/* total: queued -> printed */
	TOP_LAT_ACK,		/* acuse: request -> reply (daemon only) */
	TOP_NLAT
};

/*
 * One picture of the system.  Values are kept at the resolution they are
 * shown with (minutes, per cent, microseconds), so two pictures compare
 * equal with memcmp() exactly when the screen would not change: that is
 * how an idle dashboard skips its redraws.  Always memset before filling.
 */
struct top_model {
	int		 source;	/* TOP_SRC_* */
#define TOP_SRC_NONE	0
#define TOP_SRC_DAEMON	1
#define TOP_SRC_SHM	2
	char		 company[TOP_NAME_MAX], branch[TOP_NAME_MAX];
	int64_t		 uptime_min;	/* -1 when unknown */
	int64_t		 orders;	/* -1 when unknown */

	/* queue */
	uint64_t	 enqueued, completed, failed, cancelled, retried;
	uint64_t	 repairs;
	uint32_t	 urgent, normal, low, processing, failed_now;
	uint32_t	 free_slots;

	/* workers and turbo: daemon only */
	int		 has_workers;
	int		 w_alive, w_busy, w_parked, w_target, w_min, w_max;
	int64_t		 w_crashed, w_stuck;
	int		 turbo_on, turbo_auto;
	char		 turbo_reason[64];
	int64_t		 fallbacks;	/* -1 when unknown */
	int		 journal_ro;
	/* PostgreSQL behind the journal: daemon with [postgres] only */
	int		 has_pg, pg_connected;
	double		 pg_lag_s, pg_down_s;

	struct top_lat_row {
		int		 valid;
		uint64_t	 count;
		uint64_t	 p50_us, p95_us, p99_us, max_us;
	}		 lat[TOP_NLAT];

	struct top_station {
		char		 name[TOP_NAME_MAX];
		uint32_t	 urgent, normal, low;
	}		 station[TOP_STATIONS_MAX];
	int		 nstations;

	struct top_printer {
		char		 name[TOP_NAME_MAX];
		char		 station[TOP_NAME_MAX];
		int		 circuit;	/* enum shmq_circuit */
		int		 paused;
		int		 busy;		/* printing a job now */
		int		 util_pct;	/* per cent; -1 unknown */
		uint64_t	 printed, failures;
		uint32_t	 consecutive;
		char		 last_error[SHMQ_ERR_MAX];
	}		 printer[TOP_PRINTERS_MAX];
	int		 nprinters;

	struct top_alert {
		char		 kind[TOP_NAME_MAX];
		int		 critical;	/* level "critical"/"error" */
		char		 message[160];
		char		 printer[TOP_NAME_MAX];
		int64_t		 since;		/* unix seconds */
	}		 alert[TOP_ALERTS_MAX];
	int		 nalerts;
	int		 has_alerts;	/* daemon only */

	struct top_hour {
		int64_t		 hour;		/* unix seconds */
		uint32_t	 queued, printed, failed;
	}		 hour[24];
};

/* The previous shared-memory sample, for utilisation over the interval. */
struct top_shm_prev {
	uint64_t	 mono_ns;
	uint64_t	 busy_ns[TOP_PRINTERS_MAX];
	int		 n;
};

struct top_link;

struct top {
	struct ui		 ui;
	const char		*config;
	int			 mono;
	int			 shm_only;	/* --shm */
	int			 interval_ms;	/* --interval */
	char			 company[TOP_NAME_MAX];
	char			 branch[TOP_NAME_MAX];
	char			 instance[SHMQ_INSTANCE_MAX];

	struct fo_client	*client;
	struct top_link		*link;
	int			 answered;	/* the last request was answered */
	uint64_t		 lost_ms;	/* when answers stopped; 0 */
	uint64_t		 last_ok_ms;	/* the last answer */
	char			 link_err[256];

	struct shmq		*q;		/* attached read-only, or NULL */
	uint64_t		 shm_since;	/* when it was attached */
	struct top_shm_prev	 prev;
	char			 shm_err[160];

	struct top_model	 m;
	int			 sel;		/* selected printer */
	int			 first;		/* first printer row shown */
	int			 prow0, prows;	/* where printers were drawn */
};

/* link.c */
int	 link_start(struct fo_client *, int interval_ms, struct top_link **,
	    char *err, size_t errlen);
int	 link_stop(struct top_link *);
int	 link_fd(const struct top_link *);
void	 link_pace(struct top_link *, int interval_ms, int gap_ms);
void	 link_refresh(struct top_link *);
int	 link_command(struct top_link *, json_t *req, const char *what);
json_t	*link_take_dashboard(struct top_link *, int *answered, char *err,
	    size_t errlen);
int	 link_take_result(struct top_link *, char *what, size_t whatlen,
	    json_t **reply, char *err, size_t errlen);

/* model.c */
int	 model_from_json(struct top_model *, const json_t *);
int	 model_from_shm(struct top_model *, struct shmq *,
	    struct top_shm_prev *);

/* draw.c */
void	 draw_screen(struct top *);
extern const char *const draw_help[];

#endif
