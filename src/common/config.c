/*
 * config — reading and checking fastops.ini.  See config.h.
 *
 * Everything a key is lives in config_keys[] below.  Defaults are written
 * there as they would be in the file and go through the same parser as the
 * file's values, so a default can never be something the file could not
 * say, and config_dump() can print them back.
 *
 * inih does the key = value splitting and strips inline comments, but the
 * packaged library cannot tell us line numbers (INI_HANDLER_LINENO is off),
 * cuts lines at INI_MAX_LINE (200 bytes) and treats an indented line as the
 * continuation of the previous value.  So inih reads through cfg_reader(),
 * which hands it one line per call (the handler runs before the next read,
 * so our count is the handler's line), rejects over-long lines itself,
 * removes indentation and turns any line it has already reported into a
 * blank one.  Section headers are interpreted here too: inih only keeps the
 * first 49 bytes of a section name, and a mistyped header must make us
 * ignore its keys rather than file them under the previous section.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ini.h>

#include "codepage.h"
#include "config.h"
#include "errlist.h"
#include "log.h"
#include "xmalloc.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define STRING_MAX	180	/* bytes of a string value; fits a line */
#define UID_LIMIT	2147483647LL	/* (uid_t)-1 means "no user" */

/* Sections, in the order config_dump() writes them. */
enum sec {
	SEC_DAEMON,
	SEC_WORKERS,
	SEC_BREAKER,
	SEC_TURBO,
	SEC_STATION,
	SEC_PRINTER,
	SEC_ROUTING,
	SEC_MENU,
	SEC_POSTGRES,
	SEC_NKINDS,
	SEC_SKIP = SEC_NKINDS,	/* a section already reported: ignore keys */
};

static const struct {
	const char	*name;
	int		 named;		/* [station NAME] */
} sections[SEC_NKINDS] = {
	[SEC_DAEMON] =		{ "daemon", 0 },
	[SEC_WORKERS] =		{ "workers", 0 },
	[SEC_BREAKER] =		{ "breaker", 0 },
	[SEC_TURBO] =		{ "turbo", 0 },
	[SEC_STATION] =		{ "station", 1 },
	[SEC_PRINTER] =		{ "printer", 1 },
	[SEC_ROUTING] =		{ "routing", 0 },
	[SEC_MENU] =		{ "menu", 0 },
	[SEC_POSTGRES] =	{ "postgres", 0 },
};

enum ktype {
	T_INT,		/* int in [min, max] */
	T_CHOICE,	/* int, one of words */
	T_BOOL,		/* int 0/1 */
	T_STRING,	/* char *, at most max bytes */
	T_COMMAND,	/* char *, a shell command with %f */
	T_NAME,		/* char *, [a-z0-9_-], 1..max */
	T_PATH,		/* char *, made absolute */
	T_ENUM,		/* int, index in words */
	T_LIST,		/* struct config_list of names, at most max */
	T_UIDS,		/* struct config_uids, at most max */
	T_HOSTPORT,	/* char *, HOST:PORT or "" */
	T_ENDPOINT,	/* char *, tcp://HOST:PORT or "" */
	T_URI,		/* struct config_uri */
};

#define K_RELOAD	0x01	/* SIGHUP applies it */
#define K_REQUIRED	0x02	/* no default: must be given (daemon) */
#define K_SECRET	0x04	/* mask passwords when printing */

struct config_key {
	enum sec		 section;
	const char		*key;
	enum ktype		 type;
	long long		 min, max;
	const char		*def;	/* as in the file; NULL: none */
	const char *const	*words;
	int			 flags;
	size_t			 offset;
	const char		*help;
};

static const char *const w_fsync[] = { "always", "group", "off", NULL };
static const char *const w_numbering[] = { "daily", "continuous", NULL };
static const char *const w_log_level[] = { "warn", "info", "debug", NULL };
static const char *const w_source[] = { "file", "postgres", NULL };
static const char *const w_width[] = { "32", "42", "48", NULL };
static const char *const w_confirm[] = { "none", "status", "gs-h", NULL };
static const char *const w_buzzer[] = { "none", "esc-b", "esc-p", NULL };
static const char *const w_flow[] = { "none", "rtscts", "xonxoff", NULL };
static const int bauds[] = {
	1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400
};

#define D(f)	offsetof(struct config, f)
#define S(f)	offsetof(struct config_station, f)
#define P(f)	offsetof(struct config_printer, f)

static const struct config_key config_keys[] = {
	{ SEC_DAEMON, "company", T_NAME, 1, CONFIG_NAME_MAX, "demo", NULL, 0,
	    D(daemon.company),
	    "company this daemon works for; in event topics and the database" },
	{ SEC_DAEMON, "branch", T_NAME, 1, CONFIG_NAME_MAX, "centro", NULL, 0,
	    D(daemon.branch),
	    "branch (restaurant) this daemon serves" },
	{ SEC_DAEMON, "instance", T_NAME, 1, CONFIG_INSTANCE_MAX, NULL, NULL, 0,
	    D(daemon.instance),
	    "shared memory queue /fastops.INSTANCE; default COMPANY-BRANCH" },
	{ SEC_DAEMON, "state_dir", T_PATH, 0, 0, "state", NULL, 0,
	    D(daemon.state_dir),
	    "directory of the journal and snapshots" },
	{ SEC_DAEMON, "runtime_dir", T_PATH, 0, 0, "run", NULL, 0,
	    D(daemon.runtime_dir),
	    "directory of the control.ipc and events.ipc sockets" },
	{ SEC_DAEMON, "fsync", T_ENUM, 0, 0, "group", w_fsync, 0,
	    D(daemon.fsync),
	    "when acknowledged orders reach the disk" },
	{ SEC_DAEMON, "http", T_HOSTPORT, 0, 0, "127.0.0.1:9480", NULL, 0,
	    D(daemon.http),
	    "address of /metrics, /healthz and /readyz; empty for none" },
	{ SEC_DAEMON, "listen", T_ENDPOINT, 0, 0, "", NULL, 0,
	    D(daemon.listen),
	    "extra tcp://HOST:PORT for remote terminals; empty for none" },
	{ SEC_DAEMON, "admin_uids", T_UIDS, 0, CONFIG_ADMIN_UIDS_MAX, "", NULL,
	    0, D(daemon.admin_uids),
	    "local user ids that are admins without a PIN" },
	{ SEC_DAEMON, "queue_slots", T_INT, 64, 1048576, "65536", NULL, 0,
	    D(daemon.queue_slots),
	    "print jobs the queue can hold at once" },
	{ SEC_DAEMON, "payload_max", T_INT, 512, 65536, "4096", NULL, 0,
	    D(daemon.payload_max),
	    "largest ticket, in bytes" },
	{ SEC_DAEMON, "low_max_wait_s", T_INT, 1, 3600, "60", NULL, 0,
	    D(daemon.low_max_wait_s),
	    "seconds before a low-priority job is served as normal" },
	{ SEC_DAEMON, "snapshot_every", T_INT, 1000, 10000000, "100000", NULL,
	    0, D(daemon.snapshot_every),
	    "journal records between snapshots" },
	{ SEC_DAEMON, "segment_mb", T_INT, 1, 1024, "64", NULL, 0,
	    D(daemon.segment_mb),
	    "journal segment files start anew past this many MiB" },
	{ SEC_DAEMON, "numbering", T_ENUM, 0, 0, "daily", w_numbering, 0,
	    D(daemon.numbering),
	    "order numbers restart every day, or never" },
	{ SEC_DAEMON, "log_level", T_ENUM, 0, 0, "info", w_log_level, K_RELOAD,
	    D(daemon.log_level),
	    "least important messages logged" },

	{ SEC_WORKERS, "min", T_INT, 1, 64, "2", NULL, K_RELOAD,
	    D(workers.min),
	    "worker processes always running" },
	{ SEC_WORKERS, "max", T_INT, 1, 64, "10", NULL, K_RELOAD,
	    D(workers.max),
	    "most worker processes" },
	{ SEC_WORKERS, "scale_up_at", T_INT, 1, 100000, "15", NULL, K_RELOAD,
	    D(workers.scale_up_at),
	    "pending jobs above which workers are added" },
	{ SEC_WORKERS, "scale_down_at", T_INT, 0, 100000, "5", NULL, K_RELOAD,
	    D(workers.scale_down_at),
	    "pending jobs below which extra workers are parked" },
	{ SEC_WORKERS, "scale_step", T_INT, 1, 64, "2", NULL, K_RELOAD,
	    D(workers.scale_step),
	    "workers added at a time" },
	{ SEC_WORKERS, "print_timeout_ms", T_INT, 100, 600000, "5000", NULL,
	    K_RELOAD, D(workers.print_timeout_ms),
	    "time allowed for one print attempt" },
	{ SEC_WORKERS, "worker_timeout_ms", T_INT, 1000, 3600000, "10000", NULL,
	    K_RELOAD, D(workers.worker_timeout_ms),
	    "a worker silent this long is killed and its job requeued" },
	{ SEC_WORKERS, "max_attempts", T_INT, 1, 20, "3", NULL, K_RELOAD,
	    D(workers.max_attempts),
	    "print attempts before a job falls back" },
	{ SEC_WORKERS, "retry_delay_ms", T_INT, 0, 600000, "2000", NULL,
	    K_RELOAD, D(workers.retry_delay_ms),
	    "pause before retrying a failed print" },

	{ SEC_BREAKER, "failures", T_INT, 1, 1000, "5", NULL, K_RELOAD,
	    D(breaker.failures),
	    "consecutive failures that open a printer's circuit" },
	{ SEC_BREAKER, "open_for_s", T_INT, 1, 3600, "60", NULL, K_RELOAD,
	    D(breaker.open_for_s),
	    "seconds an open circuit waits before a trial print" },
	{ SEC_BREAKER, "close_after", T_INT, 1, 1000, "3", NULL, K_RELOAD,
	    D(breaker.close_after),
	    "successful trial prints that close the circuit" },

	{ SEC_TURBO, "auto", T_BOOL, 0, 0, "yes", NULL, K_RELOAD,
	    D(turbo.automatic),
	    "turn turbo mode on and off by itself" },
	{ SEC_TURBO, "print_timeout_ms", T_INT, 100, 600000, "3000", NULL,
	    K_RELOAD, D(turbo.print_timeout_ms),
	    "print attempt timeout in turbo mode" },
	{ SEC_TURBO, "batch", T_INT, 1, 32, "4", NULL, K_RELOAD,
	    D(turbo.batch),
	    "tickets sent to one printer in one transmission" },
	{ SEC_TURBO, "queue_on", T_INT, 1, 100000, "15", NULL, K_RELOAD,
	    D(turbo.queue_on),
	    "pending jobs that, sustained, turn turbo on" },
	{ SEC_TURBO, "sustain_s", T_INT, 0, 3600, "30", NULL, K_RELOAD,
	    D(turbo.sustain_s),
	    "seconds the backlog must last to turn turbo on" },
	{ SEC_TURBO, "off_below", T_INT, 0, 100000, "5", NULL, K_RELOAD,
	    D(turbo.off_below),
	    "turbo goes off when pending jobs drop below this..." },
	{ SEC_TURBO, "off_print_ms", T_INT, 100, 600000, "3000", NULL,
	    K_RELOAD, D(turbo.off_print_ms),
	    "...and the average print takes less than this" },

	{ SEC_STATION, "printers", T_LIST, 1, CONFIG_PRINTERS_MAX, NULL, NULL,
	    K_REQUIRED, S(printer_names),
	    "printers of the station; any of them may print its tickets" },
	{ SEC_STATION, "kds", T_BOOL, 0, 0, "yes", NULL, 0, S(kds),
	    "a kitchen screen shows this station's tickets" },
	{ SEC_STATION, "on_fallback", T_COMMAND, 0, STRING_MAX, "", NULL, 0,
	    S(on_fallback),
	    "command run with %f, a text copy of a ticket no printer took" },

	{ SEC_PRINTER, "uri", T_URI, 0, 0, NULL, NULL, K_REQUIRED, P(uri),
	    "how to reach the printer" },
	{ SEC_PRINTER, "width", T_CHOICE, 0, 0, "48", w_width, 0, P(width),
	    "characters per line" },
	{ SEC_PRINTER, "codepage", T_INT, 0, 255, "19", NULL, 0, P(codepage),
	    "ESC t code page; 19 is PC858 (Spanish accents and the euro)" },
	{ SEC_PRINTER, "confirm", T_ENUM, 0, 0, "status", w_confirm, 0,
	    P(confirm),
	    "how a print is confirmed" },
	{ SEC_PRINTER, "buzzer", T_ENUM, 0, 0, "none", w_buzzer, 0, P(buzzer),
	    "command that sounds the buzzer for urgent tickets" },
	{ SEC_PRINTER, "paused", T_BOOL, 0, 0, "no", NULL, 0, P(paused),
	    "start paused: take no ticket until `printer resume`" },

	{ SEC_MENU, "file", T_PATH, 0, 0, "menu.csv", NULL, 0, D(menu.file),
	    "the menu: id,name,category,price_cents" },
	{ SEC_MENU, "source", T_ENUM, 0, 0, "file", w_source, 0,
	    D(menu.source),
	    "where the daemon reads the menu" },

	{ SEC_POSTGRES, "conninfo", T_STRING, 1, STRING_MAX, NULL, NULL,
	    K_REQUIRED | K_SECRET, D(postgres.conninfo),
	    "libpq connection string" },
	{ SEC_POSTGRES, "batch_max", T_INT, 1, 10000, "1000", NULL, 0,
	    D(postgres.batch_max),
	    "journal records applied in one transaction at most" },
	{ SEC_POSTGRES, "batch_ms", T_INT, 10, 10000, "200", NULL, 0,
	    D(postgres.batch_ms),
	    "how long records may wait to be applied with later ones" },
	{ SEC_POSTGRES, "retry_max_ms", T_INT, 100, 600000, "5000", NULL, 0,
	    D(postgres.retry_max_ms),
	    "longest wait between attempts while PostgreSQL is unreachable" },
	{ SEC_POSTGRES, "lag_alert_s", T_INT, 1, 86400, "60", NULL, 0,
	    D(postgres.lag_alert_s),
	    "raise the pgsync_lag alert when PostgreSQL is this far behind" },
};

#define NKEYS	nitems(config_keys)

/* An error, kept with its line so that the list can be read in order. */
/* A section of the file as the parser sees it. */
struct psection {
	int		 kind;		/* enum sec */
	int		 line;		/* of its header; 0 if absent */
	void		*base;		/* config, station or printer */
	char		 label[48];	/* "[station bar]", for messages */
	int		 keyline[NKEYS]; /* where each key was set, or 0 */
	unsigned char	 keybad[NKEYS];	/* its value was rejected */
};

struct parser {
	const char	*file;		/* as given: messages */
	FILE		*fp;
	int		 flags;
	struct config	*cfg;
	int		 line;
	char		*buf;
	size_t		 bufsz;
	struct psection	*cur;		/* NULL before the first header */
	struct psection	 fixed[SEC_NKINDS];
	struct psection	 station[CONFIG_STATIONS_MAX];
	struct psection	 printer[CONFIG_PRINTERS_MAX];
	struct psection	 skip;
	struct errlist	 el;		/* mistakes found so far */
};

static void	 perr(struct parser *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static char	*cfg_reader(char *, int, void *);
static int	 cfg_handler(void *, const char *, const char *,
		    const char *);
static int	 section_line(struct parser *, char *);
static void	 route_add(struct parser *, const char *, const char *);
static void	 finish(struct parser *);
static void	 check_daemon(struct parser *);
static void	 check_required(struct parser *, const struct psection *);
static void	 check_stations(struct parser *);
static void	 check_printers(struct parser *);
static void	 check_limits(struct parser *);
static int	 keyset(const struct psection *, const char *);
static int	 keyline(const struct psection *, const char *);
static int	 keyline2(const struct psection *, const char *,
		    const char *);
static int	 keybad(const struct psection *, const char *);
static const struct config_key *key_find(int, const char *);
static const char *suggest(const char *, const char *const *, size_t);
static int	 value_set(const struct config_key *, void *, const char *,
		    const char *, char **);
static void	 value_free(const struct config_key *, void *);
static char	*value_fmt(const struct config_key *, const void *, int);
static void	 set_defaults(int, void *, const char *);
static int	 parse_int(const char *, long long *);
static int	 parse_hostport(const char *, char **, int *, char **);
static int	 parse_uri(const char *, struct config_uri *, char **);
static int	 valid_host(const char *);
static int	 split_list(const char *, struct config_list *, char **);
static void	 list_free(struct config_list *);
static int	 parse_list(const struct config_key *, const char *,
		    struct config_list *, char **);
static int	 parse_uids(const struct config_key *, const char *,
		    struct config_uids *, char **);
static char	*path_join(const char *, const char *);
static char	*mask_secret(const char *);
static void	 name_why(const char *, long long, char **);
static int	 has_control(const char *);
static int	 ends_with(const char *, const char *);
static int	 check_command(const char *, char **);
static void	 path_tidy(char *);
static size_t	 distance(const char *, const char *);
static int	 config_locate(struct config *, const char *);
static int	 same_device(const struct config_uri *,
		    const struct config_uri *);
static void	 sbuf_add(char **, size_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* --- small helpers ------------------------------------------------------ */

int
config_valid_name(const char *s, size_t maxlen)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= maxlen)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	}
	return i > 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
int
config_valid_utf8(const char *str, size_t len)
{
	size_t		i = 0;
	uint32_t	cp;

	while (i < len)
		if (utf8_next((const uint8_t *)str, len, &i, &cp) == -1)
			return 0;
	return 1;
}

/* Append to a growing, NUL-terminated buffer. */
static void
sbuf_add(char **buf, size_t *len, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("%s", __func__);
	*buf = xreallocarray(*buf, 1, *len + (size_t)n + 1);
	memcpy(*buf + *len, s, (size_t)n + 1);
	*len += (size_t)n;
	free(s);
}

/*
 * Record an error.  Line 0 is an error about the whole file.  Past
 * CONFIG_ERRORS_MAX we stop: by then the admin has enough to fix, and a
 * file that is not a configuration at all should not produce thousands
 * of lines.
 */
static void
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(&p->el, line, fmt, ap);
	va_end(ap);
}

/* Edit distance, for "did you mean" hints; short words only. */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[2][64], c;

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		d[i & 1][0] = i;
		for (j = 1; j <= lb; j++) {
			c = d[(i - 1) & 1][j - 1] +
			    (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (d[(i - 1) & 1][j] + 1 < c)
				c = d[(i - 1) & 1][j] + 1;
			if (d[i & 1][j - 1] + 1 < c)
				c = d[i & 1][j - 1] + 1;
			d[i & 1][j] = c;
		}
	}
	return d[la & 1][lb];
}

/* The candidate closest to word, if it is close enough to be a typo. */
static const char *
suggest(const char *word, const char *const *cand, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		if (cand[i] == NULL)
			continue;
		d = distance(word, cand[i]);
		if (d < bestd && d < strlen(cand[i])) {
			best = cand[i];
			bestd = d;
		}
	}
	return best;
}

static const struct config_key *
key_find(int kind, const char *key)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if ((int)config_keys[i].section == kind &&
		    strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

/* Line where key was set in a section, or 0. */
static int
keyset(const struct psection *ps, const char *key)
{
	const struct config_key	*k;

	if ((k = key_find(ps->kind, key)) == NULL)
		return 0;
	return ps->keyline[k - config_keys];
}

/* Where to report about a key: where it was set, else at the header. */
static int
keyline(const struct psection *ps, const char *key)
{
	int	line = keyset(ps, key);

	return line != 0 ? line : ps->line;
}

/*
 * Whether a key's value was rejected.  A rule between keys is not checked
 * then: it would judge the default the key kept, not what the admin wrote.
 */
static int
keybad(const struct psection *ps, const char *key)
{
	const struct config_key	*k;

	return (k = key_find(ps->kind, key)) != NULL &&
	    ps->keybad[k - config_keys];
}

/* For a rule between two keys: the line of the first one that was set. */
static int
keyline2(const struct psection *ps, const char *a, const char *b)
{
	int	line = keyset(ps, a);

	return line != 0 ? line : keyline(ps, b);
}

static char *
path_join(const char *dir, const char *rel)
{
	char	*s;

	if (strcmp(dir, "/") == 0)
		xasprintf(&s, "/%s", rel);
	else
		xasprintf(&s, "%s/%s", dir, rel);
	return s;
}

/* Drop "." components, doubled and trailing slashes, in place. */
static void
path_tidy(char *path)
{
	char	*r = path, *w = path;

	while (*r != '\0') {
		if (*r == '/' && (r[1] == '/' ||
		    (r[1] == '.' && (r[2] == '/' || r[2] == '\0')))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	while (w > path + 1 && w[-1] == '/')
		*--w = '\0';
	if (*path == '\0')
		strcpy(path, "/");
}

/* --- value parsing ------------------------------------------------------ */

static int
parse_int(const char *s, long long *v)
{
	const char	*q = s;
	char		*end;

	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/* Dotted quads are checked as IPv4; anything else as a DNS name. */
static int
valid_host(const char *h)
{
	const char	*s;
	size_t		 len = strlen(h), label = 0;
	int		 digits_only = 1, dots = 0;
	long		 octet;
	char		*end;

	if (len == 0 || len > 253)
		return 0;
	for (s = h; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0 || s[-1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
		if (*s == '-' && label == 0)
			return 0;
		if (!isdigit((unsigned char)*s))
			digits_only = 0;
		if (++label > 63)
			return 0;
	}
	if (label == 0 || s[-1] == '-')
		return 0;
	if (!digits_only)
		return 1;
	if (dots != 3)
		return 0;
	for (s = h; ; s = end + 1) {
		octet = strtol(s, &end, 10);
		if (end - s > 3 || octet > 255)
			return 0;
		if (*end == '\0')
			return 1;
	}
}

/*
 * HOST:PORT, HOST a name, a dotted quad or a bracketed IPv6 address.
 * host is malloc'd on success.
 */
static int
parse_hostport(const char *s, char **host, int *port, char **why)
{
	const char	*colon, *h, *q;
	size_t		 hlen;
	long long	 v;

	*host = NULL;
	if (*s == '[') {
		if ((q = strchr(s, ']')) == NULL) {
			xasprintf(why, "'%s' has no closing ']'", s);
			return -1;
		}
		h = s + 1;
		hlen = (size_t)(q - h);
		if (hlen == 0 || strspn(h, "0123456789abcdefABCDEF:.") < hlen ||
		    memchr(h, ':', hlen) == NULL) {
			xasprintf(why, "'%.*s' is not an IPv6 address",
			    (int)hlen, h);
			return -1;
		}
		if (q[1] != ':') {
			xasprintf(why, "'%s' has no port: write [ADDRESS]:PORT",
			    s);
			return -1;
		}
		colon = q + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			xasprintf(why, "'%s' has no port: write HOST:PORT", s);
			return -1;
		}
		h = s;
		hlen = (size_t)(colon - s);
		if (memchr(h, ':', hlen) != NULL) {
			xasprintf(why, "'%s': put an IPv6 address in brackets, "
			    "[ADDRESS]:PORT", s);
			return -1;
		}
		if (hlen == 0) {
			xasprintf(why, "'%s' has no host: write HOST:PORT", s);
			return -1;
		}
		*host = xcalloc(1, hlen + 1);
		memcpy(*host, h, hlen);
		if (!valid_host(*host)) {
			xasprintf(why, "'%s' is not a valid host name or IPv4 "
			    "address", *host);
			goto fail;
		}
	}
	if (colon[1] == '-' || parse_int(colon + 1, &v) == -1 ||
	    v < 1 || v > 65535) {
		xasprintf(why, "'%s' is not a valid port (1..65535)",
		    colon + 1);
		goto fail;
	}
	if (*host == NULL) {
		*host = xcalloc(1, hlen + 1);
		memcpy(*host, h, hlen);
	}
	*port = (int)v;
	return 0;
fail:
	free(*host);
	*host = NULL;
	return -1;
}

static const char uri_forms[] = "use tcp://HOST:PORT or "
    "serial:/dev/DEVICE?baud=N[&flow=none|rtscts|xonxoff]";

/* A printer's address.  u is filled only on success. */
static int
parse_uri(const char *s, struct config_uri *u, char **why)
{
	struct config_uri	 r;
	const char		*q, *dev;
	char			*params = NULL, *tok, *val, *save;
	long long		 v;
	size_t			 i;
	int			 seen_baud = 0, seen_flow = 0;

	memset(&r, 0, sizeof(r));
	if (strncmp(s, "tcp://", 6) == 0) {
		if (parse_hostport(s + 6, &r.host, &r.port, why) == -1)
			return -1;
		r.transport = CONFIG_TRANSPORT_TCP;
		goto done;
	}
	if (strncmp(s, "serial:", 7) != 0) {
		xasprintf(why, "'%s' is not a printer address: %s", s,
		    uri_forms);
		return -1;
	}
	r.transport = CONFIG_TRANSPORT_SERIAL;
	r.flow = CONFIG_FLOW_NONE;
	dev = s + 7;
	q = dev + strcspn(dev, "?");
	/* an absolute path: /dev/ttyUSB0, /dev/serial/by-id/..., or a
	 * symlink to a pseudo-terminal (fastops-printsim --pty) */
	if (dev[0] != '/' || q - dev <= 1) {
		xasprintf(why, "'%.*s' is not a device: serial printers are "
		    "serial:/dev/DEVICE?baud=N (an absolute path)",
		    (int)(q - dev), dev);
		return -1;
	}
	for (i = 0; dev + i < q; i++) {
		if (isspace((unsigned char)dev[i]) || dev[i] == '&') {
			xasprintf(why, "'%.*s' is not a device name",
			    (int)(q - dev), dev);
			return -1;
		}
	}
	r.device = xcalloc(1, (size_t)(q - dev) + 1);
	memcpy(r.device, dev, (size_t)(q - dev));
	if (*q == '?') {
		params = xstrdup(q + 1);
		for (tok = strtok_r(params, "&", &save); tok != NULL;
		    tok = strtok_r(NULL, "&", &save)) {
			if ((val = strchr(tok, '=')) == NULL) {
				xasprintf(why, "'%s' is not NAME=VALUE", tok);
				goto fail;
			}
			*val++ = '\0';
			if (strcmp(tok, "baud") == 0) {
				if (seen_baud++) {
					xasprintf(why, "baud is given twice");
					goto fail;
				}
				v = 0;
				if (parse_int(val, &v) == 0)
					for (i = 0; i < nitems(bauds); i++)
						if (v == bauds[i])
							break;
				if (v == 0 || i == nitems(bauds)) {
					xasprintf(why, "baud '%s' is not a "
					    "standard rate (1200, 2400, 4800, "
					    "9600, 19200, 38400, 57600, 115200 "
					    "or 230400)", val);
					goto fail;
				}
				r.baud = (int)v;
			} else if (strcmp(tok, "flow") == 0) {
				if (seen_flow++) {
					xasprintf(why, "flow is given twice");
					goto fail;
				}
				for (i = 0; w_flow[i] != NULL; i++)
					if (strcmp(val, w_flow[i]) == 0)
						break;
				if (w_flow[i] == NULL) {
					xasprintf(why, "flow '%s' is not one "
					    "of none, rtscts, xonxoff", val);
					goto fail;
				}
				r.flow = (int)i;
			} else {
				xasprintf(why, "unknown parameter '%s' "
				    "(serial printers take baud and flow)",
				    tok);
				goto fail;
			}
		}
		free(params);
		params = NULL;
	}
	if (!seen_baud) {
		xasprintf(why, "'%s' has no speed: add ?baud=N, as in "
		    "serial:/dev/ttyUSB0?baud=19200", s);
		goto fail;
	}
done:
	r.text = xstrdup(s);
	*u = r;
	return 0;
fail:
	free(params);
	free(r.device);
	return -1;
}

/*
 * Split "a, b, c" into trimmed, malloc'd items.  An empty value is an
 * empty list; an empty item ("a,,b", "a,") is a mistake.
 */
static int
split_list(const char *value, struct config_list *out, char **why)
{
	struct config_list	 l;
	const char		*s = value, *e, *end;

	memset(&l, 0, sizeof(l));
	while (*value != '\0') {
		e = s + strcspn(s, ",");
		end = e;
		while (isspace((unsigned char)*s))
			s++;
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
		if (end == s) {
			xasprintf(why, "'%s' has an empty item", value);
			list_free(&l);
			return -1;
		}
		l.v = xreallocarray(l.v, (size_t)l.n + 1, sizeof(*l.v));
		l.v[l.n] = xcalloc(1, (size_t)(end - s) + 1);
		memcpy(l.v[l.n++], s, (size_t)(end - s));
		if (*e == '\0')
			break;
		s = e + 1;
	}
	*out = l;
	return 0;
}

static void
list_free(struct config_list *l)
{
	int	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Names, each valid and listed once, at most k->max of them. */
static int
parse_list(const struct config_key *k, const char *value,
    struct config_list *out, char **why)
{
	int	i, j;

	if (split_list(value, out, why) == -1)
		return -1;
	if (out->n > k->max) {
		xasprintf(why, "too many names (at most %lld)", k->max);
		goto fail;
	}
	for (i = 0; i < out->n; i++) {
		if (!config_valid_name(out->v[i], CONFIG_NAME_MAX)) {
			name_why(out->v[i], CONFIG_NAME_MAX, why);
			goto fail;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(out->v[i], out->v[j]) == 0) {
				xasprintf(why, "'%s' is listed twice",
				    out->v[i]);
				goto fail;
			}
		}
	}
	return 0;
fail:
	list_free(out);
	return -1;
}

/* Numeric user ids; names would need the password database at load. */
static int
parse_uids(const struct config_key *k, const char *value,
    struct config_uids *out, char **why)
{
	struct config_list	 l;
	long long		 v;
	int			 i, j;

	memset(out, 0, sizeof(*out));
	if (split_list(value, &l, why) == -1)
		return -1;
	if (l.n > k->max) {
		xasprintf(why, "too many user ids (at most %lld)", k->max);
		goto fail;
	}
	if (l.n > 0)
		out->v = xcalloc((size_t)l.n, sizeof(*out->v));
	for (i = 0; i < l.n; i++) {
		if (parse_int(l.v[i], &v) == -1 || v < 0 || v > UID_LIMIT) {
			xasprintf(why, "'%s' is not a numeric user id",
			    l.v[i]);
			goto fail;
		}
		for (j = 0; j < out->n; j++) {
			if (out->v[j] == (uid_t)v) {
				xasprintf(why, "%lld is listed twice", v);
				goto fail;
			}
		}
		out->v[out->n++] = (uid_t)v;
	}
	list_free(&l);
	return 0;
fail:
	list_free(&l);
	free(out->v);
	memset(out, 0, sizeof(*out));
	return -1;
}

/* A command for on_fallback: %f is the ticket file, %% a percent sign. */
static int
check_command(const char *s, char **why)
{
	const char	*q;
	int		 f = 0;

	if (*s == '\0')
		return 0;
	for (q = s; *q != '\0'; q++) {
		if (*q != '%')
			continue;
		if (q[1] == 'f')
			f++;
		else if (q[1] != '%') {
			xasprintf(why, "'%%%.1s' is not understood: only %%f "
			    "(the ticket's file) and %%%% are replaced", q + 1);
			return -1;
		}
		q++;
	}
	if (f == 0) {
		xasprintf(why, "'%s' has no %%f, where the ticket's file name "
		    "goes", s);
		return -1;
	}
	return 0;
}

/* Explain why v is not a name, with a fix where there is an obvious one. */
static void
name_why(const char *v, long long max, char **why)
{
	char	*low;
	size_t	 i;

	low = xstrdup(v);
	for (i = 0; low[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	if (strcmp(low, v) != 0 && config_valid_name(low, (size_t)max))
		xasprintf(why, "'%s' is not a valid name: names are lower "
		    "case ('%s')", v, low);
	else
		xasprintf(why, "'%s' is not a valid name: use 1 to %lld "
		    "characters from a-z, 0-9, '_' and '-'", v, max);
	free(low);
}

static int
ends_with(const char *s, const char *tail)
{
	size_t	ls = strlen(s), lt = strlen(tail);

	return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Parse value for key k into base + k->offset, replacing what was there.
 * Returns -1 with *why set (malloc'd) and the old value kept.
 */
static int
value_set(const struct config_key *k, void *base, const char *value,
    const char *dir, char **why)
{
	void			*field = (char *)base + k->offset;
	int			*ip = field;
	char			**sp = field;
	struct config_list	 list;
	struct config_uids	 uids;
	struct config_uri	 uri;
	char			*s, *host;
	const char		*hp;
	long long		 v;
	size_t			 i, len;
	int			 port;

	*why = NULL;
	switch (k->type) {
	case T_INT:
		if (parse_int(value, &v) == -1) {
			/* "5s" for a key in milliseconds: say why not. */
			len = strspn(value, "-0123456789");
			if (len > 0 && isalpha((unsigned char)value[len]) &&
			    (ends_with(k->key, "_ms") ||
			    ends_with(k->key, "_s")))
				xasprintf(why, "'%s' is not a whole number: "
				    "write the number alone, the unit is in "
				    "the key's name", value);
			else
				xasprintf(why, "'%s' is not a whole number",
				    value);
			return -1;
		}
		if (v < k->min || v > k->max) {
			xasprintf(why, "%lld is out of range (%lld..%lld)", v,
			    k->min, k->max);
			return -1;
		}
		*ip = (int)v;
		return 0;
	case T_CHOICE:
	case T_ENUM:
		for (i = 0; k->words[i] != NULL; i++)
			if (strcmp(value, k->words[i]) == 0)
				break;
		if (k->words[i] == NULL) {
			char	*list_s = NULL;
			size_t	 ll = 0;

			for (i = 0; k->words[i] != NULL; i++)
				sbuf_add(&list_s, &ll, "%s%s", i == 0 ? "" :
				    k->words[i + 1] == NULL ? " or " : ", ",
				    k->words[i]);
			xasprintf(why, "'%s' is not %s%s", value,
			    k->type == T_ENUM ? "one of " : "", list_s);
			free(list_s);
			return -1;
		}
		*ip = k->type == T_ENUM ? (int)i : atoi(k->words[i]);
		return 0;
	case T_BOOL:
		if (strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "true") == 0 ||
		    strcasecmp(value, "on") == 0 || strcmp(value, "1") == 0)
			*ip = 1;
		else if (strcasecmp(value, "no") == 0 ||
		    strcasecmp(value, "false") == 0 ||
		    strcasecmp(value, "off") == 0 || strcmp(value, "0") == 0)
			*ip = 0;
		else {
			xasprintf(why, "'%s' is not yes or no (also accepted: "
			    "true/false, on/off, 1/0)", value);
			return -1;
		}
		return 0;
	case T_STRING:
	case T_COMMAND:
		len = strlen(value);
		if ((long long)len < k->min) {
			xasprintf(why, "a value is required");
			return -1;
		}
		if ((long long)len > k->max) {
			xasprintf(why, "the value is too long (%zu bytes; at "
			    "most %lld)", len, k->max);
			return -1;
		}
		if (has_control(value)) {
			xasprintf(why, "the value contains control characters");
			return -1;
		}
		if (k->type == T_COMMAND && check_command(value, why) == -1)
			return -1;
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case T_NAME:
		if (!config_valid_name(value, (size_t)k->max)) {
			name_why(value, k->max, why);
			return -1;
		}
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case T_PATH:
		if (*value == '\0') {
			xasprintf(why, "a path is required");
			return -1;
		}
		if (*value == '~') {
			xasprintf(why, "'%s': '~' is not expanded here, write "
			    "the full path", value);
			return -1;
		}
		if (has_control(value)) {
			xasprintf(why, "the path contains control characters");
			return -1;
		}
		s = *value == '/' ? xstrdup(value) : path_join(dir, value);
		path_tidy(s);
		if (strlen(s) >= PATH_MAX) {
			xasprintf(why, "the path is too long");
			free(s);
			return -1;
		}
		free(*sp);
		*sp = s;
		return 0;
	case T_LIST:
		if (parse_list(k, value, &list, why) == -1)
			return -1;
		value_free(k, base);
		*(struct config_list *)field = list;
		return 0;
	case T_UIDS:
		if (parse_uids(k, value, &uids, why) == -1)
			return -1;
		value_free(k, base);
		*(struct config_uids *)field = uids;
		return 0;
	case T_HOSTPORT:
	case T_ENDPOINT:
		if (*value != '\0') {
			hp = value;
			if (k->type == T_ENDPOINT) {
				if (strncmp(value, "tcp://", 6) != 0) {
					xasprintf(why, "'%s' is not "
					    "tcp://HOST:PORT (leave it empty "
					    "for none)", value);
					return -1;
				}
				hp += 6;
			}
			if (parse_hostport(hp, &host, &port, why) == -1)
				return -1;
			free(host);
		}
		free(*sp);
		*sp = xstrdup(value);
		return 0;
	case T_URI:
		if (parse_uri(value, &uri, why) == -1)
			return -1;
		value_free(k, base);
		*(struct config_uri *)field = uri;
		return 0;
	}
	fatalx("%s: key %s has no type", __func__, k->key);
}

static void
value_free(const struct config_key *k, void *base)
{
	void			*field = (char *)base + k->offset;
	struct config_list	*l = field;
	struct config_uids	*u = field;
	struct config_uri	*uri = field;

	switch (k->type) {
	case T_STRING:
	case T_COMMAND:
	case T_NAME:
	case T_PATH:
	case T_HOSTPORT:
	case T_ENDPOINT:
		free(*(char **)field);
		*(char **)field = NULL;
		break;
	case T_LIST:
		list_free(l);
		break;
	case T_UIDS:
		free(u->v);
		memset(u, 0, sizeof(*u));
		break;
	case T_URI:
		free(uri->text);
		free(uri->host);
		free(uri->device);
		memset(uri, 0, sizeof(*uri));
		break;
	default:
		break;
	}
}

/*
 * A value as it would be written in the file, passwords masked if asked;
 * NULL if it has none.
 */
static char *
value_fmt(const struct config_key *k, const void *base, int mask)
{
	const void			*field = (const char *)base + k->offset;
	const int			*ip = field;
	const struct config_list	*l = field;
	const struct config_uids	*u = field;
	const struct config_uri		*uri = field;
	char				*s = NULL;
	size_t				 len = 0;
	int				 i;

	switch (k->type) {
	case T_INT:
	case T_CHOICE:
		xasprintf(&s, "%d", *ip);
		return s;
	case T_BOOL:
		return xstrdup(*ip ? "yes" : "no");
	case T_ENUM:
		return xstrdup(k->words[*ip]);
	case T_STRING:
	case T_COMMAND:
	case T_NAME:
	case T_PATH:
	case T_HOSTPORT:
	case T_ENDPOINT:
		if (*(char *const *)field == NULL)
			return NULL;
		if (mask && (k->flags & K_SECRET))
			return mask_secret(*(char *const *)field);
		return xstrdup(*(char *const *)field);
	case T_LIST:
		s = xstrdup("");
		for (i = 0; i < l->n; i++)
			sbuf_add(&s, &len, "%s%s", i ? ", " : "", l->v[i]);
		return s;
	case T_UIDS:
		s = xstrdup("");
		for (i = 0; i < u->n; i++)
			sbuf_add(&s, &len, "%s%u", i ? ", " : "",
			    (unsigned)u->v[i]);
		return s;
	case T_URI:
		return uri->text == NULL ? NULL : xstrdup(uri->text);
	}
	fatalx("%s: key %s has no type", __func__, k->key);
}

/*
 * Hide the password of a libpq connection string, in either of its forms
 * ("password=..." and "postgresql://user:secret@host"): the effective
 * configuration gets pasted into tickets and chat.
 */
static char *
mask_secret(const char *s)
{
	char		*out = NULL, *at;
	const char	*p, *end, *scheme;
	size_t		 len = 0;

	if ((scheme = strstr(s, "://")) != NULL) {
		p = scheme + 3;
		end = p + strcspn(p, "/?");
		at = memchr(p, '@', (size_t)(end - p));
		if (at != NULL && memchr(p, ':', (size_t)(at - p)) != NULL) {
			const char *colon = memchr(p, ':', (size_t)(at - p));

			sbuf_add(&out, &len, "%.*s:********%s",
			    (int)(colon - s), s, at);
			return out;
		}
		return xstrdup(s);
	}
	out = xstrdup("");
	for (p = s; *p != '\0'; ) {
		if (strncmp(p, "password", 8) == 0 &&
		    (p == s || isspace((unsigned char)p[-1]))) {
			end = p + 8;
			while (isspace((unsigned char)*end))
				end++;
			if (*end == '=') {
				end++;
				while (isspace((unsigned char)*end))
					end++;
				if (*end == '\'') {
					for (end++; *end != '\0' &&
					    *end != '\''; end++)
						if (*end == '\\' &&
						    end[1] != '\0')
							end++;
					if (*end == '\'')
						end++;
				} else
					end += strcspn(end, " \t");
				sbuf_add(&out, &len, "password=********");
				p = end;
				continue;
			}
		}
		sbuf_add(&out, &len, "%c", *p++);
	}
	return out;
}

/* Give every key of a section kind its default. */
static void
set_defaults(int kind, void *base, const char *dir)
{
	const struct config_key	*k;
	char			*why;

	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if ((int)k->section != kind || k->def == NULL)
			continue;
		if (value_set(k, base, k->def, dir, &why) == -1)
			fatalx("default of [%s] %s: %s", sections[kind].name,
			    k->key, why);
	}
}

/* --- reading the file --------------------------------------------------- */

/*
 * inih's line reader.  Returns one whole line per call, or "\n" for a line
 * that is a comment or was reported here, so that inih counts lines as we
 * do and never sees anything it would mangle.
 */
static char *
cfg_reader(char *str, int num, void *arg)
{
	struct parser	*p = arg;
	ssize_t		 n;
	size_t		 len, lim;
	char		*s, *q;

	if (p->el.stop || num < 3)
		return NULL;
	if ((n = getline(&p->buf, &p->bufsz, p->fp)) == -1)
		return NULL;
	p->line++;
	len = (size_t)n;
	s = p->buf;
	if (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	strcpy(str, "\n");
	if (strlen(s) != len) {
		perr(p, p->line, "the line contains a NUL byte");
		return str;
	}
	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (!config_valid_utf8(s, len)) {
		perr(p, p->line, "the line is not valid UTF-8 (save the file "
		    "as UTF-8)");
		return str;
	}
	while (isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';

	if (*s == '\0' || *s == ';' || *s == '#')
		return str;
	/* inih needs room for the line, "\r\n" and the NUL. */
	lim = (size_t)num - 3;
	if (len > lim) {
		perr(p, p->line, "the line is too long (%zu bytes; at most "
		    "%zu)", len, lim);
		return str;
	}
	if (*s == '[') {
		/* Hand inih the header in its canonical form ("[station
		 * bar]"); it only needs to know a section started, since
		 * the handler uses our idea of the current section. */
		if (section_line(p, s) == -1)
			return str;
		s = p->cur->label;
		len = strlen(s);
	} else {
		/* Find what inih will split on: '=', ':' or " ;". */
		for (q = s; *q != '\0' && *q != '=' && *q != ':'; q++)
			if (*q == ';' && q > s && isspace((unsigned char)q[-1]))
				break;
		if (*q != '=') {
			perr(p, p->line, "'%s' is not KEY = VALUE or "
			    "[SECTION]", s);
			return str;
		}
		if (q == s) {
			perr(p, p->line, "the key name before '=' is missing");
			return str;
		}
	}
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* A "[kind name]" header: make it the current section, or report it. */
static int
section_line(struct parser *p, char *s)
{
	struct config		*cfg = p->cfg;
	struct psection		*ps;
	const char		*names[SEC_NKINDS], *hint;
	char			*end, *kind, *name, *extra, *save;
	int			 i, k;

	p->cur = &p->skip;
	if ((end = strchr(s, ']')) == NULL) {
		perr(p, p->line, "'%s' has no closing ']'", s);
		return -1;
	}
	for (extra = end + 1; isspace((unsigned char)*extra); extra++)
		continue;
	if (*extra != '\0' && *extra != ';' && *extra != '#') {
		*end = '\0';
		perr(p, p->line, "unexpected '%s' after the section header "
		    "'%s]'", extra, s);
		return -1;
	}
	*end = '\0';
	kind = strtok_r(s + 1, " \t", &save);
	name = kind == NULL ? NULL : strtok_r(NULL, " \t", &save);
	extra = name == NULL ? NULL : strtok_r(NULL, " \t", &save);
	if (kind == NULL) {
		perr(p, p->line, "empty section header '[]'");
		return -1;
	}
	for (k = 0; k < SEC_NKINDS; k++) {
		names[k] = sections[k].name;
		if (strcmp(kind, sections[k].name) == 0)
			break;
	}
	if (k == SEC_NKINDS) {
		if ((hint = suggest(kind, names, SEC_NKINDS)) != NULL)
			perr(p, p->line, "unknown section [%s]; did you mean "
			    "[%s%s]?", kind, hint,
			    strcmp(hint, "station") == 0 ||
			    strcmp(hint, "printer") == 0 ? " NAME" : "");
		else
			perr(p, p->line, "unknown section [%s] (sections are "
			    "daemon, workers, breaker, turbo, station NAME, "
			    "printer NAME, routing, menu and postgres)", kind);
		return -1;
	}
	if (extra != NULL) {
		perr(p, p->line, "[%s %s %s...]: a %s name is one word",
		    kind, name, extra, kind);
		return -1;
	}
	if (!sections[k].named) {
		if (name != NULL) {
			perr(p, p->line, "[%s] takes no name", kind);
			return -1;
		}
		ps = &p->fixed[k];
		if (ps->line != 0) {
			perr(p, p->line, "section [%s] was already started at "
			    "line %d; keep its keys together", kind, ps->line);
			return -1;
		}
		ps->line = p->line;
		if (k == SEC_POSTGRES)
			cfg->postgres.enabled = 1;
		p->cur = ps;
		return 0;
	}
	if (name == NULL) {
		perr(p, p->line, "[%s] needs a name: [%s NAME]", kind, kind);
		return -1;
	}
	if (!config_valid_name(name, CONFIG_NAME_MAX)) {
		char	*why;

		name_why(name, CONFIG_NAME_MAX, &why);
		perr(p, p->line, "[%s %s]: %s", kind, name, why);
		free(why);
		return -1;
	}
	if (k == SEC_STATION) {
		if ((i = config_station_find(cfg, name)) != -1) {
			perr(p, p->line, "station '%s' is already defined at "
			    "line %d", name, cfg->station[i].line);
			return -1;
		}
		if (cfg->nstations == CONFIG_STATIONS_MAX) {
			perr(p, p->line, "too many stations (at most %d)",
			    CONFIG_STATIONS_MAX);
			return -1;
		}
		i = cfg->nstations++;
		cfg->station[i].name = xstrdup(name);
		cfg->station[i].index = i;
		cfg->station[i].line = p->line;
		ps = &p->station[i];
		ps->base = &cfg->station[i];
	} else {
		if ((i = config_printer_find(cfg, name)) != -1) {
			perr(p, p->line, "printer '%s' is already defined at "
			    "line %d", name, cfg->printer[i].line);
			return -1;
		}
		if (cfg->nprinters == CONFIG_PRINTERS_MAX) {
			perr(p, p->line, "too many printers (at most %d)",
			    CONFIG_PRINTERS_MAX);
			return -1;
		}
		i = cfg->nprinters++;
		cfg->printer[i].name = xstrdup(name);
		cfg->printer[i].index = i;
		cfg->printer[i].station = -1;
		cfg->printer[i].line = p->line;
		ps = &p->printer[i];
		ps->base = &cfg->printer[i];
	}
	ps->kind = k;
	ps->line = p->line;
	snprintf(ps->label, sizeof(ps->label), "[%s %s]", kind, name);
	set_defaults(k, ps->base, cfg->dir);
	p->cur = ps;
	return 0;
}

static int
cfg_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct parser		*p = arg;
	struct psection		*ps = p->cur;
	const struct config_key	*k;
	const char		*cand[NKEYS], *hint;
	char			*why;
	size_t			 i, n;

	if (p->el.stop)
		return 1;
	if (ps == NULL) {
		perr(p, p->line, "'%s' comes before any [section]", name);
		return 1;
	}
	if (ps->kind == SEC_SKIP)
		return 1;
	if (ps->kind == SEC_ROUTING) {
		route_add(p, name, value);
		return 1;
	}
	if ((k = key_find(ps->kind, name)) == NULL) {
		for (i = n = 0; i < NKEYS; i++)
			if ((int)config_keys[i].section == ps->kind)
				cand[n++] = config_keys[i].key;
		if ((hint = suggest(name, cand, n)) != NULL)
			perr(p, p->line, "unknown key '%s' in %s; did you "
			    "mean '%s'?", name, ps->label, hint);
		else
			perr(p, p->line, "unknown key '%s' in %s", name,
			    ps->label);
		return 1;
	}
	i = (size_t)(k - config_keys);
	if (ps->keyline[i] != 0) {
		perr(p, p->line, "%s %s is already set at line %d", ps->label,
		    name, ps->keyline[i]);
		return 1;
	}
	ps->keyline[i] = p->line;
	if (value_set(k, ps->base, value, p->cfg->dir, &why) == -1) {
		ps->keybad[i] = 1;
		perr(p, p->line, "%s %s: %s%s", ps->label, name, why,
		    strstr(value, " #") != NULL ? " (a comment after a value "
		    "starts with ' ;', not '#')" : "");
		free(why);
	}
	return 1;
}

/* [routing] CATEGORY = STATION; the station is resolved at the end. */
static void
route_add(struct parser *p, const char *cat, const char *station)
{
	struct config		*cfg = p->cfg;
	struct config_route	*r;
	char			*why;
	int			 i;

	if (!config_valid_name(cat, CONFIG_NAME_MAX)) {
		name_why(cat, CONFIG_NAME_MAX, &why);
		perr(p, p->line, "[routing] category %s", why);
		free(why);
		return;
	}
	for (i = 0; i < cfg->nroutes; i++) {
		if (strcmp(cfg->route[i].category, cat) == 0) {
			perr(p, p->line, "[routing] %s is already routed at "
			    "line %d", cat, cfg->route[i].line);
			return;
		}
	}
	if (*station == '\0') {
		perr(p, p->line, "[routing] %s: which station? write "
		    "%s = STATION", cat, cat);
		return;
	}
	if (!config_valid_name(station, CONFIG_NAME_MAX)) {
		name_why(station, CONFIG_NAME_MAX, &why);
		perr(p, p->line, "[routing] %s: station %s", cat, why);
		free(why);
		return;
	}
	if (cfg->nroutes == CONFIG_ROUTES_MAX) {
		perr(p, p->line, "[routing] too many categories (at most %d)",
		    CONFIG_ROUTES_MAX);
		return;
	}
	cfg->route = xreallocarray(cfg->route, (size_t)cfg->nroutes + 1,
	    sizeof(*cfg->route));
	r = &cfg->route[cfg->nroutes++];
	r->category = xstrdup(cat);
	r->station_name = xstrdup(station);
	r->station = -1;
	r->line = p->line;
}

/* --- whole-file rules --------------------------------------------------- */

/*
 * What every program needs, daemon or client: the names stitched
 * together, the sockets' paths short enough to bind, and the cross
 * references resolved as far as they go.
 */
static void
finish(struct parser *p)
{
	struct config		*cfg = p->cfg;
	struct config_station	*st;
	struct sockaddr_un	 sun;
	size_t			 len, max;
	int			 i, j, k;

	if (cfg->daemon.instance == NULL)
		xasprintf(&cfg->daemon.instance, "%s-%s", cfg->daemon.company,
		    cfg->daemon.branch);

	/* "<runtime_dir>/control.ipc" must fit a Unix socket address. */
	len = strlen(cfg->daemon.runtime_dir);
	max = sizeof(sun.sun_path) - 1 - strlen("/control.ipc");
	if (len > max)
		perr(p, keyline(&p->fixed[SEC_DAEMON], "runtime_dir"),
		    "[daemon] runtime_dir '%s' is too long for a socket path "
		    "(%zu bytes; at most %zu)", cfg->daemon.runtime_dir, len,
		    max);

	for (i = 0; i < cfg->nroutes; i++)
		cfg->route[i].station = config_station_find(cfg,
		    cfg->route[i].station_name);
	for (i = 0; i < cfg->nstations; i++) {
		st = &cfg->station[i];
		for (j = 0; j < st->printer_names.n; j++) {
			k = config_printer_find(cfg, st->printer_names.v[j]);
			if (k != -1 && cfg->printer[k].station == -1) {
				cfg->printer[k].station = i;
				st->printer[st->nprinters++] = k;
			}
		}
	}
	if (p->flags & CONFIG_DAEMON)
		check_daemon(p);
}

static int
same_device(const struct config_uri *a, const struct config_uri *b)
{
	if (a->text == NULL || b->text == NULL || a->transport != b->transport)
		return 0;
	if (a->transport == CONFIG_TRANSPORT_TCP)
		return a->port == b->port && strcasecmp(a->host, b->host) == 0;
	return strcmp(a->device, b->device) == 0;
}

/* Keys without a default, reported at their section's header. */
static void
check_required(struct parser *p, const struct psection *ps)
{
	const struct config_key	*k;

	if (ps->line == 0)
		return;
	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if ((int)k->section != ps->kind || !(k->flags & K_REQUIRED) ||
		    ps->keyline[k - config_keys] != 0)
			continue;
		if (k->type == T_URI)
			perr(p, ps->line, "%s has no uri; %s", ps->label,
			    uri_forms);
		else if (k->type == T_LIST)
			perr(p, ps->line, "%s has no %s; write %s = "
			    "NAME[, NAME...]", ps->label, k->key, k->key);
		else
			perr(p, ps->line, "%s has no %s", ps->label, k->key);
	}
}

/* Each station has printers, each defined and nobody else's. */
static void
check_stations(struct parser *p)
{
	struct config		*cfg = p->cfg;
	struct psection		*ps;
	struct config_station	*st, *other;
	const char		*name;
	int			 i, j, idx;

	if (cfg->nstations == 0)
		perr(p, 0, "no [station NAME] section: the daemon needs at "
		    "least one station with its printers");
	for (i = 0; i < cfg->nstations; i++) {
		st = &cfg->station[i];
		ps = &p->station[i];
		if (keybad(ps, "printers"))
			continue;
		if (st->printer_names.n == 0 && keyset(ps, "printers"))
			perr(p, keyline(ps, "printers"), "%s printers: the "
			    "list is empty; a station needs at least one "
			    "printer", ps->label);
		for (j = 0; j < st->printer_names.n; j++) {
			name = st->printer_names.v[j];
			if ((idx = config_printer_find(cfg, name)) == -1) {
				perr(p, keyline(ps, "printers"), "%s printers: "
				    "no [printer %s] is defined", ps->label,
				    name);
				continue;
			}
			if (cfg->printer[idx].station == i)
				continue;
			other = &cfg->station[cfg->printer[idx].station];
			perr(p, keyline(ps, "printers"), "%s printers: printer "
			    "'%s' already belongs to station '%s' (line %d); "
			    "a printer serves one station", ps->label, name,
			    other->name, other->line);
		}
	}
}

/* Each printer serves a station, and no two drive one device. */
static void
check_printers(struct parser *p)
{
	struct config		*cfg = p->cfg;
	struct config_printer	*pr, *other;
	int			 i, j, listbad = 0;

	/* A rejected printers list already explains its printers. */
	for (i = 0; i < cfg->nstations; i++)
		listbad |= keybad(&p->station[i], "printers");
	for (i = 0; i < cfg->nprinters; i++) {
		pr = &cfg->printer[i];
		if (pr->station == -1 && !listbad)
			perr(p, pr->line, "printer '%s' is in no station; add "
			    "it to a station's printers, or remove it",
			    pr->name);
		for (j = 0; j < i; j++) {
			other = &cfg->printer[j];
			if (same_device(&pr->uri, &other->uri))
				perr(p, keyline(&p->printer[i], "uri"),
				    "[printer %s] uri: printer '%s' (line %d) "
				    "already uses %s; one printer cannot be "
				    "driven twice", pr->name, other->name,
				    other->line, pr->uri.text);
		}
	}
}

/* Limits that only make sense together. */
static void
check_limits(struct parser *p)
{
	struct config		*cfg = p->cfg;
	struct psection	*w = &p->fixed[SEC_WORKERS];
	struct psection	*t = &p->fixed[SEC_TURBO];

	if (!keybad(w, "max") && !keybad(w, "min") &&
	    cfg->workers.max < cfg->workers.min)
		perr(p, keyline2(w, "max", "min"), "[workers] max (%d) is "
		    "less than min (%d)", cfg->workers.max, cfg->workers.min);
	if (!keybad(w, "scale_down_at") && !keybad(w, "scale_up_at") &&
	    cfg->workers.scale_down_at >= cfg->workers.scale_up_at)
		perr(p, keyline2(w, "scale_down_at", "scale_up_at"),
		    "[workers] scale_down_at (%d) must be below scale_up_at "
		    "(%d)", cfg->workers.scale_down_at,
		    cfg->workers.scale_up_at);
	if (!keybad(w, "worker_timeout_ms") &&
	    !keybad(w, "print_timeout_ms") &&
	    cfg->workers.worker_timeout_ms <= cfg->workers.print_timeout_ms)
		perr(p, keyline2(w, "worker_timeout_ms", "print_timeout_ms"),
		    "[workers] worker_timeout_ms (%d) must be greater than "
		    "print_timeout_ms (%d)", cfg->workers.worker_timeout_ms,
		    cfg->workers.print_timeout_ms);
	if (!keybad(w, "print_timeout_ms") &&
	    !keybad(t, "print_timeout_ms") &&
	    cfg->turbo.print_timeout_ms > cfg->workers.print_timeout_ms)
		perr(p, keyline(t, "print_timeout_ms"), "[turbo] "
		    "print_timeout_ms (%d) must not exceed [workers] "
		    "print_timeout_ms (%d): turbo shortens the timeout",
		    cfg->turbo.print_timeout_ms,
		    cfg->workers.print_timeout_ms);
	if (!keybad(t, "off_below") && !keybad(t, "queue_on") &&
	    cfg->turbo.off_below >= cfg->turbo.queue_on)
		perr(p, keyline2(t, "off_below", "queue_on"), "[turbo] "
		    "off_below (%d) must be below queue_on (%d), or turbo "
		    "would flap", cfg->turbo.off_below, cfg->turbo.queue_on);
}

/* The rules that tie sections together; only the daemon needs them. */
static void
check_daemon(struct parser *p)
{
	struct config	*cfg = p->cfg;
	int		 i;

	for (i = 0; i < SEC_NKINDS; i++)
		check_required(p, &p->fixed[i]);
	for (i = 0; i < cfg->nstations; i++)
		check_required(p, &p->station[i]);
	for (i = 0; i < cfg->nprinters; i++)
		check_required(p, &p->printer[i]);
	check_stations(p);
	check_printers(p);
	for (i = 0; i < cfg->nroutes; i++)
		if (cfg->route[i].station == -1)
			perr(p, cfg->route[i].line, "[routing] %s: no [station "
			    "%s] is defined", cfg->route[i].category,
			    cfg->route[i].station_name);
	check_limits(p);
	if (cfg->menu.source == CONFIG_MENU_POSTGRES && !cfg->postgres.enabled)
		perr(p, keyline(&p->fixed[SEC_MENU], "source"), "[menu] source "
		    "is postgres but there is no [postgres] section");
}

/* --- public ------------------------------------------------------------- */

const char *
config_default_path(void)
{
	const char	*s = getenv(CONFIG_ENV);

	return s != NULL && *s != '\0' ? s : CONFIG_DEFAULT_PATH;
}

/* cfg->dir and cfg->path, absolute, so that a daemon that has changed
 * directory can reload the same file. */
static int
config_locate(struct config *cfg, const char *path)
{
	char		*copy, *slash;
	const char	*dir, *base;

	copy = xstrdup(path);
	if ((slash = strrchr(copy, '/')) == NULL) {
		dir = ".";
		base = path;
	} else {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		base = path + (slash - copy) + 1;
	}
	if ((cfg->dir = realpath(dir, NULL)) == NULL) {
		free(copy);
		return -1;
	}
	cfg->path = path_join(cfg->dir, base);
	free(copy);
	return 0;
}

int
config_load(const char *path, int flags, struct config **out, char **errors)
{
	struct parser	*p;
	struct config	*cfg;
	struct stat	 sb;
	int		 r, saved = EINVAL;
	size_t		 i;

	*out = NULL;
	*errors = NULL;
	if (flags != CONFIG_DAEMON && flags != CONFIG_CLIENT) {
		xasprintf(errors, "%s: config_load: bad flags %#x\n", path,
		    flags);
		errno = EINVAL;
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	p->file = path;
	errlist_init(&p->el, path, CONFIG_ERRORS_MAX);
	p->flags = flags;
	p->cfg = cfg = xcalloc(1, sizeof(*cfg));
	cfg->flags = flags;
	for (i = 0; i < SEC_NKINDS; i++) {
		p->fixed[i].kind = (int)i;
		p->fixed[i].base = cfg;
		snprintf(p->fixed[i].label, sizeof(p->fixed[i].label), "[%s]",
		    sections[i].name);
	}
	p->skip.kind = SEC_SKIP;

	if ((p->fp = fopen(path, "re")) == NULL) {
		saved = errno;
		perr(p, 0, "%s", strerror(errno));
		goto fail;
	}
	if (fstat(fileno(p->fp), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		perr(p, 0, "not a regular file");
		goto fail;
	}
	if (config_locate(cfg, path) == -1) {
		saved = errno;
		perr(p, 0, "cannot resolve its directory: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < SEC_NKINDS; i++)
		if (!sections[i].named)
			set_defaults((int)i, cfg, cfg->dir);

	r = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (r == -2)
		fatalx("%s: inih is out of memory", __func__);
	if (ferror(p->fp))
		perr(p, 0, "read error: %s", strerror(errno));
	/* Defensive: every line inih rejects should have been ours first. */
	if (r > 0 && p->el.n == 0)
		perr(p, r, "the line is not understood");
	if (!p->el.stop)
		finish(p);
	if (p->el.n > 0)
		goto fail;

	fclose(p->fp);
	free(p->buf);
	free(p);
	*out = cfg;
	return 0;
fail:
	if (p->fp != NULL)
		fclose(p->fp);
	*errors = errlist_join(&p->el);
	free(p->buf);
	free(p);
	config_free(cfg);
	errno = saved;
	return -1;
}

void
config_free(struct config *cfg)
{
	const struct config_key	*k;
	int			 i;

	if (cfg == NULL)
		return;
	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if (k->section == SEC_STATION) {
			for (i = 0; i < cfg->nstations; i++)
				value_free(k, &cfg->station[i]);
		} else if (k->section == SEC_PRINTER) {
			for (i = 0; i < cfg->nprinters; i++)
				value_free(k, &cfg->printer[i]);
		} else
			value_free(k, cfg);
	}
	for (i = 0; i < cfg->nstations; i++)
		free(cfg->station[i].name);
	for (i = 0; i < cfg->nprinters; i++)
		free(cfg->printer[i].name);
	for (i = 0; i < cfg->nroutes; i++) {
		free(cfg->route[i].category);
		free(cfg->route[i].station_name);
	}
	free(cfg->route);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

int
config_route(const struct config *cfg, const char *category)
{
	int	i;

	for (i = 0; i < cfg->nroutes; i++)
		if (strcmp(cfg->route[i].category, category) == 0)
			return cfg->route[i].station;
	return -1;
}

int
config_station_find(const struct config *cfg, const char *name)
{
	int	i;

	for (i = 0; i < cfg->nstations; i++)
		if (strcmp(cfg->station[i].name, name) == 0)
			return i;
	return -1;
}

int
config_printer_find(const struct config *cfg, const char *name)
{
	int	i;

	for (i = 0; i < cfg->nprinters; i++)
		if (strcmp(cfg->printer[i].name, name) == 0)
			return i;
	return -1;
}

const char *
config_word(const char *section, const char *key, int value)
{
	const struct config_key	*k;
	int			 i;

	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if (strcmp(sections[k->section].name, section) != 0 ||
		    strcmp(k->key, key) != 0 || k->type != T_ENUM)
			continue;
		for (i = 0; k->words[i] != NULL; i++)
			if (i == value)
				return k->words[i];
	}
	return NULL;
}

int
config_keyinfo(size_t i, struct config_keyinfo *ki)
{
	static const char *const types[] = {
		[T_INT] = "integer", [T_CHOICE] = "integer",
		[T_BOOL] = "boolean", [T_STRING] = "string",
		[T_COMMAND] = "command", [T_NAME] = "name", [T_PATH] = "path",
		[T_ENUM] = "keyword", [T_LIST] = "list of names",
		[T_UIDS] = "list of user ids", [T_HOSTPORT] = "HOST:PORT",
		[T_ENDPOINT] = "tcp://HOST:PORT", [T_URI] = "printer address",
	};
	const struct config_key	*k;
	size_t			 j, len;

	if (i >= NKEYS)
		return -1;
	k = &config_keys[i];
	memset(ki, 0, sizeof(*ki));
	ki->section = sections[k->section].name;
	ki->key = k->key;
	ki->type = types[k->type];
	ki->def = k->def != NULL ? k->def : "";
	ki->reloadable = (k->flags & K_RELOAD) != 0;
	ki->help = k->help;
	switch (k->type) {
	case T_INT:
		snprintf(ki->range, sizeof(ki->range), "%lld..%lld", k->min,
		    k->max);
		break;
	case T_CHOICE:
	case T_ENUM:
		for (j = 0, len = 0; k->words[j] != NULL; j++) {
			len += (size_t)snprintf(ki->range + len,
			    sizeof(ki->range) - len, "%s%s", j ? "|" : "",
			    k->words[j]);
			if (len >= sizeof(ki->range))
				fatalx("%s: range of %s", __func__, k->key);
		}
		break;
	case T_NAME:
		snprintf(ki->range, sizeof(ki->range), "1..%lld characters",
		    k->max);
		break;
	case T_STRING:
	case T_COMMAND:
		snprintf(ki->range, sizeof(ki->range), "%lld..%lld bytes",
		    k->min, k->max);
		break;
	case T_LIST:
	case T_UIDS:
		snprintf(ki->range, sizeof(ki->range), "%lld..%lld items",
		    k->min, k->max);
		break;
	default:
		break;
	}
	return 0;
}

/* --- printing and comparing --------------------------------------------- */

static void
dump_key(FILE *fp, const struct config_key *k, const void *base,
    const char *def)
{
	char	*v;

	if ((v = value_fmt(k, base, 1)) == NULL) {
		fprintf(fp, "# %s is not set\n", k->key);
		return;
	}
	fprintf(fp, "%s =%s%s", k->key, *v != '\0' ? " " : "", v);
	if (def != NULL && strcmp(v, def) != 0)
		fprintf(fp, "\t; default: %s", *def != '\0' ? def : "(empty)");
	fputc('\n', fp);
	free(v);
}

/* Every key of one section instance; scratch receives the defaults. */
static void
dump_section(FILE *fp, const struct config *cfg, int kind, const void *base,
    void *scratch)
{
	const struct config_key	*k;
	char			*def, *why;

	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if ((int)k->section != kind)
			continue;
		def = NULL;
		if (k->def != NULL) {
			if (value_set(k, scratch, k->def, cfg->dir, &why) == -1)
				fatalx("%s: %s", __func__, why);
			def = value_fmt(k, scratch, 1);
			value_free(k, scratch);
		} else if (kind == SEC_DAEMON &&
		    strcmp(k->key, "instance") == 0)
			xasprintf(&def, "%s-%s", cfg->daemon.company,
			    cfg->daemon.branch);
		dump_key(fp, k, base, def);
		free(def);
	}
}

void
config_dump(FILE *fp, const struct config *cfg)
{
	struct config	*scratch;
	int		 kind, i;

	scratch = xcalloc(1, sizeof(*scratch));
	fprintf(fp, "; effective configuration of %s\n", cfg->path);
	for (kind = 0; kind < SEC_NKINDS; kind++) {
		switch (kind) {
		case SEC_STATION:
			for (i = 0; i < cfg->nstations; i++) {
				fprintf(fp, "\n[station %s]\n",
				    cfg->station[i].name);
				dump_section(fp, cfg, kind, &cfg->station[i],
				    scratch);
			}
			break;
		case SEC_PRINTER:
			for (i = 0; i < cfg->nprinters; i++) {
				fprintf(fp, "\n[printer %s]\n",
				    cfg->printer[i].name);
				dump_section(fp, cfg, kind, &cfg->printer[i],
				    scratch);
			}
			break;
		case SEC_ROUTING:
			fprintf(fp, "\n[routing]\n");
			for (i = 0; i < cfg->nroutes; i++)
				fprintf(fp, "%s = %s\n", cfg->route[i].category,
				    cfg->route[i].station_name);
			break;
		case SEC_POSTGRES:
			if (!cfg->postgres.enabled)
				break;
			/* FALLTHROUGH */
		default:
			fprintf(fp, "\n[%s]\n", sections[kind].name);
			dump_section(fp, cfg, kind, cfg, scratch);
			break;
		}
	}
	free(scratch);
}

static void
diff_line(char **buf, size_t *len, int *restart, const char *label,
    const char *key, const char *a, const char *b, int reload)
{
	sbuf_add(buf, len, "%s %s: %s -> %s (%s)\n", label, key,
	    a == NULL || *a == '\0' ? "(empty)" : a,
	    b == NULL || *b == '\0' ? "(empty)" : b,
	    reload ? "applied" : "needs a restart");
	if (!reload)
		(*restart)++;
}

/* Compare the keys of one section kind between two bases. */
static void
diff_keys(char **buf, size_t *len, int *restart, int kind, const char *label,
    const void *a, const void *b)
{
	const struct config_key	*k;
	char			*va, *vb;

	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if ((int)k->section != kind)
			continue;
		/* Compare the real values, show the masked ones: a new
		 * password is a change, but not one to print. */
		va = value_fmt(k, a, 0);
		vb = value_fmt(k, b, 0);
		if ((va == NULL) != (vb == NULL) ||
		    (va != NULL && strcmp(va, vb) != 0)) {
			free(va);
			free(vb);
			va = value_fmt(k, a, 1);
			vb = value_fmt(k, b, 1);
			diff_line(buf, len, restart, label, k->key, va, vb,
			    k->flags & K_RELOAD);
		}
		free(va);
		free(vb);
	}
}

/* The name of element i of an array of stations or printers. */
static const char *
named_at(const void *v, int i, size_t size)
{
	return *(char *const *)(const void *)((const char *)v +
	    (size_t)i * size);
}

static int
named_find(const void *v, int n, size_t size, const char *name)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(named_at(v, i, size), name) == 0)
			return i;
	return -1;
}

/*
 * [station NAME] or [printer NAME] sections, old against new: removed,
 * added (both need a restart), or compared key by key.  Both structures
 * start with their name.
 */
static void
diff_named(char **buf, size_t *len, int *restart, int kind, const char *what,
    const void *oldv, int nold, const void *newv, int nnew, size_t size)
{
	char	label[48];
	int	i, j;

	for (i = 0; i < nold; i++) {
		snprintf(label, sizeof(label), "[%s %s]", what,
		    named_at(oldv, i, size));
		if ((j = named_find(newv, nnew, size, named_at(oldv, i,
		    size))) == -1) {
			sbuf_add(buf, len, "%s removed (needs a restart)\n",
			    label);
			(*restart)++;
		} else
			diff_keys(buf, len, restart, kind, label,
			    (const char *)oldv + (size_t)i * size,
			    (const char *)newv + (size_t)j * size);
	}
	for (j = 0; j < nnew; j++) {
		if (named_find(oldv, nold, size, named_at(newv, j, size)) != -1)
			continue;
		sbuf_add(buf, len, "[%s %s] added (needs a restart)\n", what,
		    named_at(newv, j, size));
		(*restart)++;
	}
}

_Static_assert(offsetof(struct config_station, name) == 0 &&
    offsetof(struct config_printer, name) == 0,
    "diff_named() reads a section's name at its start");

int
config_diff(const struct config *old, const struct config *new,
    char **report)
{
	char		*buf = NULL, label[48];
	size_t		 len = 0;
	int		 restart = 0, kind, i, j;

	for (kind = 0; kind < SEC_NKINDS; kind++) {
		snprintf(label, sizeof(label), "[%s]", sections[kind].name);
		switch (kind) {
		case SEC_STATION:
			diff_named(&buf, &len, &restart, kind, "station",
			    old->station, old->nstations, new->station,
			    new->nstations, sizeof(old->station[0]));
			break;
		case SEC_PRINTER:
			diff_named(&buf, &len, &restart, kind, "printer",
			    old->printer, old->nprinters, new->printer,
			    new->nprinters, sizeof(old->printer[0]));
			break;
		case SEC_ROUTING:
			for (i = 0; i < old->nroutes; i++) {
				const char *to = NULL;

				for (j = 0; j < new->nroutes; j++)
					if (strcmp(new->route[j].category,
					    old->route[i].category) == 0)
						to = new->route[j].station_name;
				if (to == NULL || strcmp(to,
				    old->route[i].station_name) != 0)
					diff_line(&buf, &len, &restart, label,
					    old->route[i].category,
					    old->route[i].station_name,
					    to == NULL ? "(removed)" : to, 0);
			}
			for (j = 0; j < new->nroutes; j++) {
				for (i = 0; i < old->nroutes; i++)
					if (strcmp(new->route[j].category,
					    old->route[i].category) == 0)
						break;
				if (i == old->nroutes)
					diff_line(&buf, &len, &restart, label,
					    new->route[j].category, "(none)",
					    new->route[j].station_name, 0);
			}
			break;
		case SEC_POSTGRES:
			if (old->postgres.enabled != new->postgres.enabled) {
				sbuf_add(&buf, &len, "[postgres] %s (needs a "
				    "restart)\n", new->postgres.enabled ?
				    "added" : "removed");
				restart++;
				break;
			}
			/* FALLTHROUGH */
		default:
			diff_keys(&buf, &len, &restart, kind, label, old, new);
			break;
		}
	}
	*report = buf;
	return restart;
}

void
config_apply(struct config *running, const struct config *new)
{
	const struct config_key	*k;
	void			*dst;
	const void		*src;

	for (k = config_keys; k < config_keys + NKEYS; k++) {
		if (!(k->flags & K_RELOAD))
			continue;
		if (k->section == SEC_STATION || k->section == SEC_PRINTER)
			fatalx("%s: %s is per-section and reloadable",
			    __func__, k->key);
		dst = (char *)running + k->offset;
		src = (const char *)new + k->offset;
		switch (k->type) {
		case T_INT:
		case T_CHOICE:
		case T_BOOL:
		case T_ENUM:
			memcpy(dst, src, sizeof(int));
			break;
		default:
			fatalx("%s: cannot reload %s", __func__, k->key);
		}
	}
}
