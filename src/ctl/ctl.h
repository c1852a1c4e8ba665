/*
 * fastops-ctl — every operation of fastops-queued from the shell.
 *
 * Each command is a descriptor {name, usage, exec} defined in the file of
 * its group (cmd-order.c, cmd-user.c, ...) and listed in ctl.c's table.
 * usage is what follows the name in fastops-ctl(1)'s command list, word
 * for word.  exec gets the arguments after the name (argv[0] is the last
 * word of the name, as getopt expects) and returns the exit status.
 */
#ifndef FASTOPS_CTL_H
#define FASTOPS_CTL_H

#include <stdio.h>

#include <jansson.h>

#include "fastops/client.h"

/* Exit statuses, as fastops-ctl(1) documents them. */
#define CTL_OK		0	/* done */
#define CTL_REFUSED	1	/* the daemon refused (or health degraded) */
#define CTL_USAGE	2	/* bad command line */
#define CTL_UNREACHABLE	3	/* no daemon, or bad configuration */
#define CTL_DAMAGED	4	/* journal verify found damage */

#define CTL_TIMEOUT_DEFAULT	5000	/* ms */

struct ctl {
	const char		*config_path;	/* -f; NULL: FASTOPS_CONFIG */
	int			 json;		/* --json */
	int			 timeout_ms;	/* --timeout */
	struct fo_client	*client;	/* opened by ctl_request */
};

struct ctl_cmd {
	const char	*name;		/* "order create" */
	const char	*usage;		/* what follows the name */
	int		(*exec)(struct ctl *, const struct ctl_cmd *, int,
			    char **);
};

/* The commands, one file per group. */
extern const struct ctl_cmd cmd_order_create, cmd_order_get, cmd_order_list,
	cmd_order_urgent, cmd_order_reprint, cmd_order_cancel,
	cmd_order_modify, cmd_order_bump;
extern const struct ctl_cmd cmd_queue, cmd_jobs_list, cmd_jobs_retry,
	cmd_jobs_clear, cmd_stats, cmd_alerts, cmd_dashboard, cmd_health,
	cmd_menu;
extern const struct ctl_cmd cmd_turbo, cmd_workers, cmd_workers_scale,
	cmd_printers, cmd_printer_pause, cmd_printer_resume;
extern const struct ctl_cmd cmd_metrics;
extern const struct ctl_cmd cmd_watch;
extern const struct ctl_cmd cmd_user_add, cmd_user_list, cmd_user_del,
	cmd_user_hash, cmd_login, cmd_logout;
extern const struct ctl_cmd cmd_journal_verify, cmd_journal_dump;
extern const struct ctl_cmd cmd_db_migrate, cmd_db_status;
extern const struct ctl_cmd cmd_report;
extern const struct ctl_cmd cmd_menu_import;

/* --- ctl.c: what the commands share ---------------------------------- */

/* "usage: fastops-ctl NAME USAGE" on stderr; returns CTL_USAGE. */
int	 ctl_usage(const struct ctl_cmd *);
/* "fastops-ctl: NAME: message", then the usage; returns CTL_USAGE. */
int	 ctl_usage_error(const struct ctl_cmd *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* "fastops-ctl: message" on stderr. */
void	 ctl_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a command's options with getopt_long (optstring and longopts as
 * for getopt_long, optstring without the leading ':' — it is added).
 * Calls fn for each option; fn returns 0 or CTL_USAGE.  On success *argcp
 * and *argvp are left at the operands.  Returns 0 or CTL_USAGE (message
 * printed).
 */
struct option;
int	 ctl_options(const struct ctl_cmd *, int *argcp, char ***argvp,
	    const char *optstring, const struct option *longopts,
	    int (*fn)(const struct ctl_cmd *, int, const char *, void *),
	    void *arg);

/* The same for a command without options (it still rejects them). */
int	 ctl_no_options(const struct ctl_cmd *, int *argcp, char ***argvp);

/* An integer in [min, max]; -1 if s is not one. */
int	 ctl_number(const char *s, long long min, long long max,
	    long long *out);
/*
 * --page/--per-page ('p', 'n') for listing commands: returns 1 when ch was
 * one of them (0 if fine, CTL_USAGE with a message in *rv otherwise), 0
 * when it is not; ctl_paging_req() puts the values given into a request.
 */
struct ctl_paging {
	long long	page;
	long long	per_page;
};
int	 ctl_paging_opt(const struct ctl_cmd *, int ch, const char *arg,
	    struct ctl_paging *, int *rv);
void	 ctl_paging_req(json_t *req, const struct ctl_paging *);

/* A positive order id; CTL_USAGE with a message if s is not one. */
int	 ctl_order_id(const struct ctl_cmd *, const char *s, json_int_t *);

/*
 * Send req (taken: decref'd here) and wait for the reply.  Returns CTL_OK
 * with *reply (caller decrefs); CTL_REFUSED when the daemon refused (its
 * message printed, and in --json mode its reply too); CTL_UNREACHABLE when
 * there is no daemon or no configuration (errno ENOTCONN if the request
 * was certainly not sent).
 */
int	 ctl_request(struct ctl *, json_t *req, json_t **reply);
/* Open the client if it is not yet: CTL_OK or CTL_UNREACHABLE. */
int	 ctl_connect(struct ctl *);

/* A PIN from the terminal without echo, or a line of stdin if it is not
 * a terminal.  confirm: ask twice (terminal only).  CTL_OK or CTL_USAGE. */
int	 ctl_read_pin(const char *prompt, int confirm, char *buf, size_t len);

/* --- output -------------------------------------------------------------- */

/* The JSON on one line, compact (--json). */
void	 ctl_print_json(const json_t *);
/* Fields of o by key, "" / 0 when absent. */
/* Free text as a JSON string: "sin cebolla" (quotes, escapes). */
void	 ctl_put_quoted(FILE *, const char *);
/* " key=value" for each scalar member of o (strings quoted when they
 * hold spaces or quotes, or are empty), skipping "ok". */
void	 ctl_put_scalars(FILE *, const json_t *o);
/* label + scalars on one line (none if o has no scalars), then each
 * object member labelled label.key (key for an empty label), recursively. */
void	 ctl_print_flat(const char *label, const json_t *o);
/* ctl_request, then the reply raw (--json) or its member flat. */
int	 ctl_show(struct ctl *, json_t *req, const char *label,
	    const char *member);
/* "M-0001 id=1 en_cola queue=1/3 eta=3s" */
void	 ctl_print_order_summary(const json_t *order);
/* "M-0001 id=1 state=... type=... table=... ..." (no newline) */
void	 ctl_put_order_header(FILE *, const json_t *order);
/* "# page=1 per_page=20 total=45 pages=3": the summary of a listing. */
void	 ctl_print_paging(const json_t *reply);
/* A unix time as local ISO 8601 */
void	 ctl_put_time(FILE *, json_int_t);

/* --- shared between command files ---------------------------------------- */

/* "printer NAME station=... circuit=..." (cmd-print.c) */
void	 ctl_print_printer(const json_t *printer);

#endif
