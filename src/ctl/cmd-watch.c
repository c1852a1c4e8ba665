/*
 * watch — print events as the daemon publishes them, one per line:
 * "<kind> <JSON object>" (with --json, the object alone with its "kind"
 * added), flushed at once so a pipe sees each as it happens.
 *
 * It blocks in poll(2) on the client's event descriptor, as the curses
 * front-ends do, so SIGINT and SIGTERM end it promptly and cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static int	watch_exec(struct ctl *, const struct ctl_cmd *, int, char **);
static void	on_signal(int);
static int	watch_opt(const struct ctl_cmd *, int, const char *, void *);
static long long print_events(struct ctl *, const char *, json_t *,
		    long long);

const struct ctl_cmd cmd_watch = { "watch", "[--count N] [KIND]",
	watch_exec };

static volatile sig_atomic_t	stop;

static void
on_signal(int signo)
{
	stop = 1;
}

static int
watch_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	long long	*count = p;

	if (ch == 'c' && ctl_number(arg, 1, 1000000000, count) == -1)
		return ctl_usage_error(cmd, "--count takes a number from 1");
	return 0;
}

/* Print one message's events; how many were printed. */
static long long
print_events(struct ctl *ctl, const char *kind, json_t *events,
    long long left)
{
	json_t		*ev, *o;
	char		*text;
	size_t		 i;
	long long	 n = 0;

	json_array_foreach(events, i, ev) {
		if (left > 0 && n >= left)
			break;
		if (ctl->json) {
			o = json_pack("{s:s}", "kind", kind);
			if (json_is_object(ev))
				json_object_update(o, ev);
			else
				json_object_set(o, "event", ev);
			text = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			printf("%s\n", text != NULL ? text : "{}");
		} else {
			text = json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%s %s\n", kind, text != NULL ? text : "{}");
		}
		free(text);
		n++;
	}
	fflush(stdout);
	return n;
}

static int
watch_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count",	required_argument,	NULL,	'c' },
		{ NULL,		0,			NULL,	0 }
	};
	struct sigaction	 sa;
	struct pollfd		 pfd;
	long long		 count = 0, seen = 0;
	const char		*kind = NULL;
	char			*k;
	json_t			*events;
	int			 rv, fd;

	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, watch_opt,
	    &count)) != 0)
		return rv;
	if (argc > 1)
		return ctl_usage(cmd);
	if (argc == 1)
		kind = argv[0];
	if ((rv = ctl_connect(ctl)) != CTL_OK)
		return rv;
	if (fo_subscribe(ctl->client, kind) == -1 ||
	    (fd = fo_event_fd(ctl->client)) == -1) {
		ctl_warnx("watch: %s", fo_strerror(ctl->client));
		return CTL_UNREACHABLE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop && (count == 0 || seen < count)) {
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			ctl_warnx("watch: poll: %s", strerror(errno));
			return CTL_UNREACHABLE;
		}
		/* drain what is there */
		while (!stop && (count == 0 || seen < count)) {
			if (fo_event(ctl->client, &k, &events, 0) == -1) {
				if (errno == EBADMSG)
					continue;
				if (errno == EAGAIN || errno == ETIMEDOUT)
					break;
				ctl_warnx("watch: %s",
				    fo_strerror(ctl->client));
				return CTL_UNREACHABLE;
			}
			seen += print_events(ctl, k, events,
			    count > 0 ? count - seen : 0);
			free(k);
			json_decref(events);
		}
	}
	return CTL_OK;
}
