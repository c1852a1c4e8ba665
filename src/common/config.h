/*
 * config — fastops.ini, the one configuration file of every FastOps program.
 *
 * One table in config.c describes every key: its section, type, bounds,
 * default, whether SIGHUP applies it, where it lives in struct config and a
 * line of help.  Parsing, defaults, config_dump(), config_diff() and
 * config_apply() are all driven by that table, so they cannot disagree;
 * fastops.ini(5) documents the same keys and a unit test checks it does.
 *
 * The file is read with libinih through our own line reader, which counts
 * lines and rejects what inih would otherwise truncate or split silently
 * (over-long lines, over-long section names, continuation lines).  Every
 * mistake is reported as "FILE:LINE: message" and loading goes on, so an
 * admin sees all of them at once; any error makes config_load() fail.
 */
#ifndef FASTOPS_CONFIG_H
#define FASTOPS_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Names: company, branch, station, printer, category and product ids.
 * [a-z0-9_-], 1 to 31 characters, so that a name with its NUL fits the
 * shared memory queue's fixed fields (SHMQ_NAME_MAX) and "company-branch"
 * always fits an instance name.
 */
#define CONFIG_NAME_MAX		31
#define CONFIG_INSTANCE_MAX	63	/* shm "/fastops.<instance>" */
#define CONFIG_STATIONS_MAX	32	/* SHMQ_MAX_STATIONS */
#define CONFIG_PRINTERS_MAX	64	/* SHMQ_MAX_PRINTERS */
#define CONFIG_ROUTES_MAX	256
#define CONFIG_ADMIN_UIDS_MAX	32
#define CONFIG_ERRORS_MAX	50	/* messages kept before giving up */

#ifndef FASTOPS_SYSCONFDIR
#define FASTOPS_SYSCONFDIR	"/etc"
#endif
#define CONFIG_DEFAULT_PATH	FASTOPS_SYSCONFDIR "/fastops/fastops.ini"
#define CONFIG_ENV		"FASTOPS_CONFIG"

/* config_load() flags: exactly one of these. */
#define CONFIG_DAEMON	0x01	/* full validation: stations, printers, ... */
#define CONFIG_CLIENT	0x02	/* every line is still checked; the rules
				   tying sections together are not */

enum config_fsync {
	CONFIG_FSYNC_ALWAYS,
	CONFIG_FSYNC_GROUP,
	CONFIG_FSYNC_OFF,
};

enum config_numbering {
	CONFIG_NUMBERING_DAILY,
	CONFIG_NUMBERING_CONTINUOUS,
};

enum config_log_level {
	CONFIG_LOG_WARN,
	CONFIG_LOG_INFO,
	CONFIG_LOG_DEBUG,
};

enum config_confirm {
	CONFIG_CONFIRM_NONE,		/* a successful write() is enough */
	CONFIG_CONFIRM_STATUS,		/* DLE EOT before and after */
	CONFIG_CONFIRM_GS_H,		/* GS ( H process id round trip */
};

enum config_buzzer {
	CONFIG_BUZZER_NONE,
	CONFIG_BUZZER_ESC_B,		/* ESC B n t */
	CONFIG_BUZZER_ESC_P,		/* ESC p (cash drawer kick pulse) */
};

enum config_menu_source {
	CONFIG_MENU_FILE,
	CONFIG_MENU_POSTGRES,
};

enum config_transport {
	CONFIG_TRANSPORT_TCP,
	CONFIG_TRANSPORT_SERIAL,
};

enum config_flow {
	CONFIG_FLOW_NONE,
	CONFIG_FLOW_RTSCTS,
	CONFIG_FLOW_XONXOFF,
};

/* A comma-separated list of names, in file order. */
struct config_list {
	char		**v;
	int		  n;
};

struct config_uids {
	uid_t		 *v;
	int		  n;
};

/* A printer's uri, as written and taken apart. */
struct config_uri {
	char		 *text;
	int		  transport;	/* enum config_transport */
	char		 *host;		/* tcp */
	int		  port;		/* tcp */
	char		 *device;	/* serial: /dev/... */
	int		  baud;		/* serial */
	int		  flow;		/* serial: enum config_flow */
};

struct config_printer {
	char		 *name;
	int		  index;	/* in config.printer[] */
	int		  station;	/* index in config.station[], or -1 */
	int		  line;		/* of its [printer NAME] header */
	struct config_uri uri;
	int		  width;	/* columns: 32, 42 or 48 */
	int		  codepage;	/* ESC t n */
	int		  confirm;	/* enum config_confirm */
	int		  buzzer;	/* enum config_buzzer */
	int		  paused;	/* starts paused */
};

struct config_station {
	char		 *name;
	int		  index;	/* in config.station[] */
	int		  line;		/* of its [station NAME] header */
	struct config_list printer_names; /* as written */
	int		  printer[CONFIG_PRINTERS_MAX]; /* their indices */
	int		  nprinters;
	int		  kds;		/* shown on a kitchen screen */
	char		 *on_fallback;	/* command, "%f" = ticket file; or "" */
};

struct config_route {
	char		 *category;
	int		  station;	/* index in config.station[], or -1 */
	int		  line;
	char		 *station_name;	/* as written */
};

/*
 * The effective configuration.  Every key has its value (given or default);
 * paths are absolute.  Read-only once loaded: a reload builds a new one.
 */
struct config {
	char		 *path;		/* absolute path of the file */
	char		 *dir;		/* its directory (relative paths) */
	int		  flags;	/* CONFIG_DAEMON or CONFIG_CLIENT */

	struct {
		char		 *company;
		char		 *branch;
		char		 *instance;	/* default "company-branch" */
		char		 *state_dir;
		char		 *runtime_dir;
		int		  fsync;	/* enum config_fsync */
		char		 *http;		/* "HOST:PORT", "" = off */
		char		 *listen;	/* "tcp://HOST:PORT" or "" */
		struct config_uids admin_uids;
		int		  queue_slots;
		int		  payload_max;
		int		  low_max_wait_s;
		int		  snapshot_every;
		int		  segment_mb;	/* journal segment size */
		int		  numbering;	/* enum config_numbering */
		int		  log_level;	/* enum config_log_level */
	} daemon;

	struct {
		int		  min;
		int		  max;
		int		  scale_up_at;
		int		  scale_down_at;
		int		  scale_step;
		int		  print_timeout_ms;
		int		  worker_timeout_ms;
		int		  max_attempts;
		int		  retry_delay_ms;
	} workers;

	struct {
		int		  failures;
		int		  open_for_s;
		int		  close_after;
	} breaker;

	struct {
		int		  automatic;	/* key "auto" */
		int		  print_timeout_ms;
		int		  batch;
		int		  queue_on;
		int		  sustain_s;
		int		  off_below;
		int		  off_print_ms;
	} turbo;

	struct {
		char		 *file;
		int		  source;	/* enum config_menu_source */
	} menu;

	struct {
		int		  enabled;	/* [postgres] is there */
		char		 *conninfo;
		int		  batch_max;	/* records per transaction */
		int		  batch_ms;
		int		  retry_max_ms;	/* backoff ceiling */
		int		  lag_alert_s;
	} postgres;

	struct config_station station[CONFIG_STATIONS_MAX];
	int		  nstations;
	struct config_printer printer[CONFIG_PRINTERS_MAX];
	int		  nprinters;
	struct config_route *route;
	int		  nroutes;
};

/* One key of the table, for documentation checks and listings. */
struct config_keyinfo {
	const char	*section;	/* "daemon", "station", ... */
	const char	*key;
	const char	*type;		/* "integer", "boolean", "path", ... */
	char		 range[64];	/* "1..64", "always|group|off", ... */
	const char	*def;		/* as written in the file; "" if none */
	int		 reloadable;	/* applied by SIGHUP */
	const char	*help;
};

/* FASTOPS_CONFIG if set and not empty, else CONFIG_DEFAULT_PATH. */
const char	*config_default_path(void);

/*
 * Read and check a configuration file.  On success *out is a new config
 * (free with config_free) and *errors is NULL.  On failure it returns -1
 * with errno set (EINVAL for a bad file), *out NULL and *errors a malloc'd,
 * newline-separated list of "FILE:LINE: message" lines that the caller
 * frees; FILE is path as given.
 */
int		 config_load(const char *path, int flags, struct config **out,
		    char **errors);
void		 config_free(struct config *);

/*
 * Print the effective configuration as a loadable file (fastops-queued -n).
 * Values that differ from the default say so in a comment; passwords in
 * [postgres] conninfo are masked, so keep the original file.
 */
void		 config_dump(FILE *, const struct config *);

/*
 * Compare a running configuration with a newly loaded one.  *report gets a
 * malloc'd, newline-separated list of changes, each ending "(applied)" or
 * "(needs a restart)", or NULL if nothing changed.  Returns the number of
 * changes that need a restart.
 */
int		 config_diff(const struct config *old, const struct config *new,
		    char **report);

/* Copy the reloadable keys of new into running (the SIGHUP path). */
void		 config_apply(struct config *running, const struct config *new);

/* Station index of a menu category through [routing], or -1. */
int		 config_route(const struct config *, const char *category);
int		 config_station_find(const struct config *, const char *);
int		 config_printer_find(const struct config *, const char *);

/* Name helpers shared with menu.c. */
int		 config_valid_name(const char *, size_t maxlen);
int		 config_valid_utf8(const char *, size_t);

/* Describe the i-th key of the table; -1 past the end. */
int		 config_keyinfo(size_t i, struct config_keyinfo *);

/* The word a keyword-valued key's value is written as ("group" for
 * config_word("daemon", "fsync", CONFIG_FSYNC_GROUP)), or NULL. */
const char	*config_word(const char *section, const char *key, int value);

#endif
