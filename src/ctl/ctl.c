/*
 * fastops-ctl — the command table, global options, and what every
 * command shares: talking to the daemon, reading PINs, printing.
 *
 * Output has two forms.  Plain output is one record per line, its first
 * word naming the record and the rest key=value, free text as JSON
 * strings: stable, for people and for awk.  With --json the daemon's
 * reply is printed exactly as it came, on one line, for jq.  Errors go to
 * stderr as "fastops-ctl: CODE: message" and the exit status says what
 * kind of failure it was (ctl.h, fastops-ctl(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#ifndef FASTOPS_VERSION
#define FASTOPS_VERSION	"unknown"
#endif

#define TOKEN_ENV	"FASTOPS_TOKEN"
#define SYNOPSIS	"fastops-ctl [-f file] [--json] [--timeout ms] " \
			"command [arg ...]"
#define SYNOPSIS2	"fastops-ctl --help | --version"

static const struct ctl_cmd *const commands[] = {
	&cmd_order_create,
	&cmd_order_get,
	&cmd_order_list,
	&cmd_order_modify,
	&cmd_order_cancel,
	&cmd_order_urgent,
	&cmd_order_reprint,
	&cmd_order_bump,
	&cmd_queue,
	&cmd_jobs_list,
	&cmd_jobs_retry,
	&cmd_jobs_clear,
	&cmd_turbo,
	&cmd_workers,
	&cmd_workers_scale,
	&cmd_printers,
	&cmd_printer_pause,
	&cmd_printer_resume,
	&cmd_stats,
	&cmd_alerts,
	&cmd_dashboard,
	&cmd_health,
	&cmd_metrics,
	&cmd_menu,
	&cmd_menu_import,
	&cmd_watch,
	&cmd_user_add,
	&cmd_user_list,
	&cmd_user_del,
	&cmd_user_hash,
	&cmd_login,
	&cmd_logout,
	&cmd_journal_verify,
	&cmd_journal_dump,
	&cmd_db_migrate,
	&cmd_db_status,
	&cmd_report,
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void	usage_all(FILE *);
static int	words_match(const char *, int, char **);
static const struct ctl_cmd *find_command(int, char **, int *);
static int	is_group(const char *);
static int	group_usage(const char *);
static void	pin_sig(int);
static int	read_line(int, char *, size_t);
static int	tty_read(int, const char *, char *, size_t);
static int	needs_quotes(const char *);
static void	put_scalar(FILE *, const json_t *);

static void
usage_all(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: %s\n       %s\ncommands:\n", SYNOPSIS, SYNOPSIS2);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "       %s%s%s\n", commands[i]->name,
		    commands[i]->usage[0] != '\0' ? " " : "",
		    commands[i]->usage);
}

int
ctl_usage(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: fastops-ctl %s%s%s\n", cmd->name,
	    cmd->usage[0] != '\0' ? " " : "", cmd->usage);
	return CTL_USAGE;
}

int
ctl_usage_error(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "fastops-ctl: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ctl_usage(cmd);
}

void
ctl_warnx(const char *fmt, ...)
{
	va_list	ap;

	fputs("fastops-ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
ctl_options(const struct ctl_cmd *cmd, int *argcp, char ***argvp,
    const char *optstring, const struct option *longopts,
    int (*fn)(const struct ctl_cmd *, int, const char *, void *), void *arg)
{
	char	 os[64];
	char	**argv = *argvp;
	int	 argc = *argcp, ch, rv;

	snprintf(os, sizeof(os), ":%s", optstring);
	optind = 0;	/* GNU: start afresh */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, os, longopts, NULL)) != -1) {
		if (ch == '?')
			return ctl_usage_error(cmd, "unknown option %s",
			    argv[optind - 1]);
		if (ch == ':')
			return ctl_usage_error(cmd, "%s needs a value",
			    argv[optind - 1]);
		if (fn != NULL && (rv = fn(cmd, ch, optarg, arg)) != 0)
			return rv;
	}
	*argcp = argc - optind;
	*argvp = argv + optind;
	return 0;
}

int
ctl_no_options(const struct ctl_cmd *cmd, int *argcp, char ***argvp)
{
	static const struct option	none[] = { { NULL, 0, NULL, 0 } };

	return ctl_options(cmd, argcp, argvp, "", none, NULL, NULL);
}

int
ctl_number(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ctl_order_id(const struct ctl_cmd *cmd, const char *s, json_int_t *id)
{
	long long	v;

	if (ctl_number(s, 1, LLONG_MAX, &v) == -1)
		return ctl_usage_error(cmd, "ID must be an order id (a "
		    "positive number, as in id=42), not \"%s\"", s);
	*id = (json_int_t)v;
	return 0;
}

/* --- the daemon ------------------------------------------------------------ */

int
ctl_connect(struct ctl *ctl)
{
	char		 err[4096];
	const char	*tok;

	if (ctl->client != NULL)
		return CTL_OK;
	if (fo_open(ctl->config_path, &ctl->client, err, sizeof(err)) == -1) {
		ctl_warnx("%s", err);
		return CTL_UNREACHABLE;
	}
	if ((tok = getenv(TOKEN_ENV)) != NULL && *tok != '\0')
		fo_set_token(ctl->client, tok);
	return CTL_OK;
}

int
ctl_request(struct ctl *ctl, json_t *req, json_t **reply)
{
	char	err[1024];
	int	rv, saved;

	*reply = NULL;
	if ((rv = ctl_connect(ctl)) != CTL_OK) {
		json_decref(req);
		return rv;
	}
	rv = fo_request(ctl->client, req, reply, ctl->timeout_ms, err,
	    sizeof(err));
	json_decref(req);
	if (rv == -1) {
		saved = errno;	/* ENOTCONN: the request was never sent */
		ctl_warnx("%s", err);
		errno = saved;
		return CTL_UNREACHABLE;
	}
	if (!fo_reply_ok(*reply)) {
		if (ctl->json)
			ctl_print_json(*reply);
		ctl_warnx("%s: %s", fo_reply_code(*reply),
		    fo_reply_message(*reply));
		json_decref(*reply);
		*reply = NULL;
		return CTL_REFUSED;
	}
	return CTL_OK;
}

/* --- PINs -------------------------------------------------------------------- */

static volatile sig_atomic_t	pin_signo;

static void
pin_sig(int signo)
{
	pin_signo = signo;
}

/* One line from fd into buf without its newline; -1 on EOF or error. */
static int
read_line(int fd, char *buf, size_t len)
{
	size_t	n = 0;
	ssize_t	r;
	char	ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r == -1 && errno == EINTR && pin_signo == 0)
			continue;
		if (r <= 0)
			return n > 0 && r == 0 ? (buf[n] = '\0', 0) : -1;
		if (ch == '\n' || ch == '\r')
			break;
		if (n + 1 < len)
			buf[n++] = ch;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Like readpassphrase(3): the terminal's echo is off only while reading,
 * and a signal meanwhile restores it before the signal takes effect.
 */
static int
tty_read(int fd, const char *prompt, char *buf, size_t len)
{
	struct sigaction	 sa, old[3];
	struct termios		 t, saved;
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	int			 i, rv, echo_off = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pin_sig;	/* no SA_RESTART: read returns EINTR */
	sigemptyset(&sa.sa_mask);
	pin_signo = 0;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if (tcgetattr(fd, &saved) == 0) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		echo_off = tcsetattr(fd, TCSAFLUSH, &t) == 0;
	}
	(void)!write(fd, prompt, strlen(prompt));
	rv = read_line(fd, buf, len);
	(void)!write(fd, "\n", 1);
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &saved);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (pin_signo != 0)
		raise(pin_signo);
	return rv;
}

int
ctl_read_pin(const char *prompt, int confirm, char *buf, size_t len)
{
	char	again[64];
	int	fd, rv;

	if (!isatty(STDIN_FILENO)) {
		if (read_line(STDIN_FILENO, buf, len) == -1) {
			ctl_warnx("no PIN on standard input");
			return CTL_USAGE;
		}
		return CTL_OK;
	}
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		fd = STDIN_FILENO;
	rv = tty_read(fd, prompt, buf, len);
	if (rv == 0 && confirm) {
		rv = tty_read(fd, "PIN again: ", again, sizeof(again));
		if (rv == 0 && strcmp(buf, again) != 0) {
			explicit_bzero(again, sizeof(again));
			if (fd != STDIN_FILENO)
				close(fd);
			ctl_warnx("the PINs do not match");
			return CTL_USAGE;
		}
		explicit_bzero(again, sizeof(again));
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (rv == -1) {
		ctl_warnx("no PIN given");
		return CTL_USAGE;
	}
	return CTL_OK;
}

/* --- output ------------------------------------------------------------------ */

void
ctl_print_json(const json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s != NULL) {
		puts(s);
		free(s);
	}
}


void
ctl_put_quoted(FILE *f, const char *s)
{
	json_t	*j = json_string(s != NULL ? s : "");
	char	*text = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(text != NULL ? text : "\"\"", f);
	free(text);
	json_decref(j);
}

/* A string needs quotes when it would not read back as one word. */
static int
needs_quotes(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '"' || *s == '\\' || *s == '=' ||
		    (unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void
put_scalar(FILE *f, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (needs_quotes(json_string_value(v)))
			ctl_put_quoted(f, json_string_value(v));
		else
			fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.3f", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_NULL:
		fputs("-", f);
		break;
	default:
		break;
	}
}

void
ctl_put_scalars(FILE *f, const json_t *o)
{
	const char	*key;
	json_t		*v;

	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		if (strcmp(key, "ok") == 0 || json_is_object(v) ||
		    json_is_array(v))
			continue;
		fprintf(f, " %s=", key);
		put_scalar(f, v);
	}
}

/*
 * Send req and print the reply: raw with --json, else its member (the
 * whole reply if member is NULL) as one flat line labelled label.
 */
int
ctl_show(struct ctl *ctl, json_t *req, const char *label, const char *member)
{
	json_t	*reply;
	int	 rv;

	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		ctl_print_flat(label, member != NULL ? json_object_get(reply,
		    member) : reply);
	json_decref(reply);
	return CTL_OK;
}

void
ctl_print_flat(const char *label, const json_t *o)
{
	const char	*key;
	json_t		*v;
	char		 sub[128];

	/* a group of groups ("latency") has no line of its own */
	json_object_foreach((json_t *)(uintptr_t)o, key, v)
		if (strcmp(key, "ok") != 0 && !json_is_object(v) &&
		    !json_is_array(v)) {
			fputs(label, stdout);
			ctl_put_scalars(stdout, o);
			fputc('\n', stdout);
			break;
		}
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		if (!json_is_object(v))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", label,
		    label[0] != '\0' ? "." : "", key);
		ctl_print_flat(sub, v);
	}
}

void
ctl_print_paging(const json_t *reply)
{
	json_int_t	total = fo_int(reply, "total");
	json_int_t	per = fo_int(reply, "per_page");

	printf("# page=%" JSON_INTEGER_FORMAT " per_page=%" JSON_INTEGER_FORMAT
	    " total=%" JSON_INTEGER_FORMAT " pages=%" JSON_INTEGER_FORMAT "\n",
	    fo_int(reply, "page"), per, total,
	    per > 0 ? (total + per - 1) / per : 0);
}

void
ctl_put_time(FILE *f, json_int_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		buf[64];

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		fprintf(f, "%" JSON_INTEGER_FORMAT, t);
	else
		fputs(buf, f);
}

void
ctl_print_order_summary(const json_t *o)
{
	printf("%s id=%" JSON_INTEGER_FORMAT " %s queue=%" JSON_INTEGER_FORMAT
	    "/%" JSON_INTEGER_FORMAT " eta=%" JSON_INTEGER_FORMAT "s\n",
	    fo_str(o, "number"), fo_int(o, "id"), fo_str(o, "state"),
	    fo_int(o, "queue_position"), fo_int(o, "queue_length"),
	    fo_int(o, "eta_s"));
}

void
ctl_put_order_header(FILE *f, const json_t *o)
{
	fprintf(f, "%s id=%" JSON_INTEGER_FORMAT " state=%s type=%s table=",
	    fo_str(o, "number"), fo_int(o, "id"), fo_str(o, "state"),
	    fo_str(o, "type"));
	ctl_put_quoted(f, fo_str(o, "table"));
	fprintf(f, " waiter=%s items=%zu total_cents=%" JSON_INTEGER_FORMAT
	    " queue=%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
	    " eta=%" JSON_INTEGER_FORMAT "s created=", fo_str(o, "waiter"),
	    json_array_size(json_object_get(o, "items")),
	    fo_int(o, "total_cents"), fo_int(o, "queue_position"),
	    fo_int(o, "queue_length"), fo_int(o, "eta_s"));
	ctl_put_time(f, fo_int(o, "created"));
	fprintf(f, " uuid=%s notes=", fo_str(o, "uuid"));
	ctl_put_quoted(f, fo_str(o, "notes"));
}

/* --- main ---------------------------------------------------------------- */

/* Does the space-separated name match the first words of argv? */
static int
words_match(const char *name, int argc, char **argv)
{
	const char	*p = name, *sp;
	size_t		 n;
	int		 i = 0;

	while (*p != '\0') {
		if (i >= argc)
			return 0;
		sp = strchr(p, ' ');
		n = sp != NULL ? (size_t)(sp - p) : strlen(p);
		if (strlen(argv[i]) != n || strncmp(argv[i], p, n) != 0)
			return 0;
		i++;
		p += n;
		while (*p == ' ')
			p++;
	}
	return i;
}

static const struct ctl_cmd *
find_command(int argc, char **argv, int *nwords)
{
	const struct ctl_cmd	*best = NULL;
	size_t			 i;
	int			 n;

	*nwords = 0;
	for (i = 0; i < NCOMMANDS; i++)
		if ((n = words_match(commands[i]->name, argc, argv)) >
		    *nwords) {
			best = commands[i];
			*nwords = n;
		}
	return best;
}

/* Is word the first word of multi-word commands ("order", "user")? */
static int
is_group(const char *word)
{
	size_t	i, n = strlen(word);

	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i]->name, word, n) == 0 &&
		    commands[i]->name[n] == ' ')
			return 1;
	return 0;
}

/* "order" alone or "order frobnicate": show the group's commands. */
static int
group_usage(const char *group)
{
	size_t	i, n = strlen(group), shown = 0;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strncmp(commands[i]->name, group, n) != 0 ||
		    commands[i]->name[n] != ' ')
			continue;
		fprintf(stderr, "%s fastops-ctl %s%s%s\n", shown++ == 0 ?
		    "usage:" : "      ", commands[i]->name,
		    commands[i]->usage[0] != '\0' ? " " : "",
		    commands[i]->usage);
	}
	return CTL_USAGE;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL,	'j' },
		{ "timeout",	required_argument,	NULL,	't' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct ctl_cmd	*cmd;
	struct ctl		 ctl;
	long long		 v;
	int			 ch, n, rv;

	memset(&ctl, 0, sizeof(ctl));
	ctl.timeout_ms = CTL_TIMEOUT_DEFAULT;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:f:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			ctl.config_path = optarg;
			break;
		case 'j':
			ctl.json = 1;
			break;
		case 't':
			if (ctl_number(optarg, 0, 86400000, &v) == -1) {
				ctl_warnx("--timeout takes milliseconds, 0 "
				    "(no limit) to 86400000, not \"%s\"",
				    optarg);
				fprintf(stderr, "usage: %s\n", SYNOPSIS);
				return CTL_USAGE;
			}
			ctl.timeout_ms = v == 0 ? -1 : (int)v;
			break;
		case 'h':
			usage_all(stdout);
			return CTL_OK;
		case 'V':
			printf("fastops-ctl %s\n", FASTOPS_VERSION);
			return CTL_OK;
		case ':':
			ctl_warnx("%s needs a value", argv[optind - 1]);
			fprintf(stderr, "usage: %s\n", SYNOPSIS);
			return CTL_USAGE;
		default:
			ctl_warnx("unknown option %s", argv[optind - 1]);
			fprintf(stderr, "usage: %s\n", SYNOPSIS);
			return CTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_all(stderr);
		return CTL_USAGE;
	}
	if ((cmd = find_command(argc, argv, &n)) == NULL) {
		if (!is_group(argv[0])) {
			ctl_warnx("unknown command \"%s\"; fastops-ctl --help "
			    "lists them", argv[0]);
			return CTL_USAGE;
		}
		if (argc > 1)
			ctl_warnx("%s: unknown command \"%s\"", argv[0],
			    argv[1]);
		return group_usage(argv[0]);
	}
	/* the command sees its last word as argv[0] */
	rv = cmd->exec(&ctl, cmd, argc - n + 1, argv + n - 1);
	fo_close(ctl.client);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_warnx("standard output: %s", strerror(errno));
		if (rv == CTL_OK)
			rv = CTL_REFUSED;
	}
	return rv;
}

int
ctl_paging_opt(const struct ctl_cmd *cmd, int ch, const char *arg,
    struct ctl_paging *pg, int *rv)
{
	*rv = 0;
	if (ch == 'p') {
		if (ctl_number(arg, 1, 1000000, &pg->page) == -1)
			*rv = ctl_usage_error(cmd, "--page takes a number "
			    "from 1");
		return 1;
	}
	if (ch == 'n') {
		if (ctl_number(arg, 1, FO_PER_PAGE_MAX, &pg->per_page) == -1)
			*rv = ctl_usage_error(cmd, "--per-page takes a "
			    "number from 1 to %d", FO_PER_PAGE_MAX);
		return 1;
	}
	return 0;
}

void
ctl_paging_req(json_t *req, const struct ctl_paging *pg)
{
	if (pg->page > 0)
		json_object_set_new(req, "page", json_integer(pg->page));
	if (pg->per_page > 0)
		json_object_set_new(req, "per_page",
		    json_integer(pg->per_page));
}
