/*
 * fastops-top — the admin's live dashboard, like htop: the queue, the
 * workers, every printer, latency against the 5 s target, tickets per
 * hour and alerts, with keys for turbo, scaling, failed jobs and pausing
 * a printer.
 *
 * Where the numbers come from.  Normally from the daemon's "dashboard"
 * request, asked by link.c every interval and soon after events.  With
 * --shm, or on its own when the daemon has not answered for
 * TOP_FALLBACK_MS, from the queue's shared memory mapped read-only: a
 * daemon that hangs cannot answer requests, but the segment it and its
 * workers keep still says what the printers are doing.  Keys that change
 * something need the daemon and are refused in that view.
 *
 * Redrawing.  A new picture is compared with the one on screen (see
 * struct top_model) and drawn only if it differs, so an idle dashboard
 * sleeps in poll(2) between answers.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "text.h"
#include "top.h"

#ifndef FASTOPS_VERSION
#define FASTOPS_VERSION	"unknown"
#endif

#define TOP_FALLBACK_MS		3000	/* silence before showing the shm */
#define TOP_TURBO_MS		3000	/* the slowest refresh, in turbo */
#define TOP_GAP_MS		250	/* events are coalesced this long */
#define TOP_REATTACH_MS		5000	/* --shm: pick up a new segment */
#define TOKEN_ENV		"FASTOPS_TOKEN"

static void	 usage(FILE *);
static int	 parse_interval(const char *, int *);
static int	 top_config(struct top *);
static void	 top_loop(struct top *);
static void	 top_key(struct top *, int);
static void	 top_action(struct top *, int);
static void	 top_take(struct top *);
static void	 top_result(struct top *, const char *, json_t *,
		    const char *);
static void	 top_shm(struct top *);
static void	 top_set_model(struct top *, const struct top_model *);
static void	 top_pace(struct top *);

static void
usage(FILE *f)
{
	fprintf(f, "usage: fastops-top [-f file] [--mono] [--shm] "
	    "[--interval sec]\n"
	    "       fastops-top --help | --version\n");
}

/* Seconds, with decimals, 0.2 to 60, into milliseconds. */
static int
parse_interval(const char *s, int *ms)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(d >= 0.2) ||
	    d > 60)
		return -1;
	*ms = (int)(d * 1000.0 + 0.5);
	return 0;
}

/* The names the title and the shared memory need, from the file. */
static int
top_config(struct top *t)
{
	struct config	*cfg;
	char		*errors = NULL;
	const char	*path = t->config != NULL ? t->config :
			    config_default_path();

	if (config_load(path, CONFIG_CLIENT, &cfg, &errors) == -1) {
		fprintf(stderr, "fastops-top: %s\n", errors != NULL ? errors :
		    strerror(errno));
		free(errors);
		return -1;
	}
	snprintf(t->company, sizeof t->company, "%s", cfg->daemon.company);
	snprintf(t->branch, sizeof t->branch, "%s", cfg->daemon.branch);
	snprintf(t->instance, sizeof t->instance, "%s", cfg->daemon.instance);
	config_free(cfg);
	return 0;
}

static void
top_set_model(struct top *t, const struct top_model *m)
{
	if (memcmp(m, &t->m, sizeof *m) == 0)
		return;
	t->m = *m;
	t->ui.dirty = 1;
	top_pace(t);
}

/* "Slower UI refresh" in turbo: the daemon has better things to do. */
static void
top_pace(struct top *t)
{
	int	slow;

	if (t->link == NULL)
		return;
	slow = t->interval_ms > TOP_TURBO_MS ? t->interval_ms : TOP_TURBO_MS;
	if (t->m.source == TOP_SRC_DAEMON && t->m.turbo_on)
		link_pace(t->link, slow, slow);
	else
		link_pace(t->link, t->interval_ms, TOP_GAP_MS);
}

/* Read the shared memory, attaching first if need be. */
static void
top_shm(struct top *t)
{
	struct top_model	*m, none;

	if (t->q != NULL && t->shm_only &&
	    t->ui.now_ms - t->shm_since >= TOP_REATTACH_MS) {
		shmq_detach(t->q);
		t->q = NULL;
	}
	if (t->q == NULL) {
		if (shmq_attach(t->instance, 1, &t->q) == -1) {
			t->q = NULL;
			snprintf(t->shm_err, sizeof t->shm_err, "%s",
			    errno == ENOENT ? T_SHM_ENOENT : errno == EACCES ?
			    T_SHM_EACCES : errno == EAGAIN ? T_SHM_EAGAIN :
			    errno == EPROTO ? shmq_strerror() :
			    strerror(errno));
			/* no stale numbers: nothing is known any more */
			memset(m = &none, 0, sizeof none);
			top_set_model(t, m);
			t->ui.dirty = 1;
			return;
		}
		t->shm_since = t->ui.now_ms;
		t->shm_err[0] = '\0';
	}
	m = malloc(sizeof *m);
	if (m == NULL)
		return;
	if (model_from_shm(m, t->q, &t->prev) == 0)
		top_set_model(t, m);
	free(m);
}

/* Say how a command went, in the flash line. */
static void
top_result(struct top *t, const char *what, json_t *reply, const char *err)
{
	const json_t	*v;

	if (reply == NULL) {
		ui_flash(&t->ui, UI_ALERT, T_FAILED_ACT, what, err);
		return;
	}
	if (!fo_reply_ok(reply)) {
		ui_flash(&t->ui, UI_ALERT, T_FAILED_ACT, what,
		    fo_reply_message(reply));
		return;
	}
	if ((v = json_object_get(reply, "turbo")) != NULL)
		ui_flash(&t->ui, UI_OK, "%s: " T_RES_TURBO, what,
		    json_is_true(json_object_get(v, "on")) ? T_TURBO_ON :
		    T_TURBO_OFF, json_string_value(json_object_get(v,
		    "mode")) != NULL && strcmp(json_string_value(
		    json_object_get(v, "mode")), "auto") == 0 ? T_AUTO :
		    T_MANUAL);
	else if ((v = json_object_get(reply, "workers")) != NULL)
		ui_flash(&t->ui, UI_OK, "%s: " T_RES_WORKERS, what,
		    (int)json_integer_value(json_object_get(v, "target")),
		    (int)json_integer_value(json_object_get(v, "min")),
		    (int)json_integer_value(json_object_get(v, "max")));
	else if ((v = json_object_get(reply, "count")) != NULL)
		ui_flash(&t->ui, UI_OK, "%s: " T_RES_JOBS, what,
		    (long long)json_integer_value(v));
	else
		ui_flash(&t->ui, UI_OK, T_DONE, what);
}

/* Take what the link brought: a dashboard, command results. */
static void
top_take(struct top *t)
{
	struct top_model	*m;
	json_t			*d, *reply;
	char			 what[64], err[256];
	int			 answered = t->answered;

	d = link_take_dashboard(t->link, &answered, t->link_err,
	    sizeof t->link_err);
	if (answered != t->answered) {
		t->answered = answered;
		t->ui.dirty = 1;
	}
	/* silence is counted from the last answer, not from noticing it */
	if (answered) {
		t->lost_ms = 0;
		t->last_ok_ms = t->ui.now_ms;
	} else if (t->lost_ms == 0)
		t->lost_ms = t->last_ok_ms != 0 ? t->last_ok_ms : t->ui.now_ms;
	if (d != NULL) {
		m = malloc(sizeof *m);
		if (m != NULL && model_from_json(m, d) == 0) {
			if (t->q != NULL) {
				/* the daemon is back: its word beats ours */
				shmq_detach(t->q);
				t->q = NULL;
				memset(&t->prev, 0, sizeof t->prev);
			}
			top_set_model(t, m);
		}
		free(m);
		json_decref(d);
	}
	while (link_take_result(t->link, what, sizeof what, &reply, err,
	    sizeof err)) {
		top_result(t, what, reply, err);
		json_decref(reply);
	}
}

/* A key that changes something: ask the daemon (via the link). */
static void
top_action(struct top *t, int key)
{
	const struct top_model	*m = &t->m;
	const struct top_printer *p;
	char			 q[160], what[64];
	json_t			*req = NULL;

	if (t->shm_only || t->link == NULL) {
		ui_flash(&t->ui, UI_ALERT, "%s", T_NEED_DAEMON);
		return;
	}
	if (!t->answered || m->source != TOP_SRC_DAEMON) {
		ui_flash(&t->ui, UI_ALERT, "%s", T_NOT_ANSWERING);
		return;
	}
	switch (key) {
	case 't':
		snprintf(what, sizeof what, "%s", m->turbo_on ?
		    T_DO_TURBO_OFF : T_DO_TURBO_ON);
		req = json_pack("{s:s, s:s}", "op", "turbo", "mode",
		    m->turbo_on ? "off" : "on");
		break;
	case 'a':
		snprintf(what, sizeof what, "%s", T_DO_TURBO_AUTO);
		req = json_pack("{s:s, s:s}", "op", "turbo", "mode", "auto");
		break;
	case '+':
	case '-':
		snprintf(what, sizeof what, "%s", key == '+' ? T_DO_UP :
		    T_DO_DOWN);
		req = json_pack("{s:s, s:s, s:i}", "op", "workers.scale",
		    "direction", key == '+' ? "up" : "down", "n", 1);
		break;
	case 'r':
	case 'c':
		if (m->failed_now == 0) {
			ui_flash(&t->ui, UI_WARN, "%s", T_NO_FAILED);
			return;
		}
		snprintf(q, sizeof q, key == 'r' ? T_ASK_RETRY : T_ASK_CLEAR,
		    m->failed_now);
		if (!ui_confirm(&t->ui, q)) {
			ui_flash(&t->ui, UI_INFO, "%s", T_CANCELLED);
			return;
		}
		snprintf(what, sizeof what, "%s", key == 'r' ? T_DO_RETRY :
		    T_DO_CLEAR);
		req = json_pack("{s:s, s:b}", "op", key == 'r' ?
		    "jobs.retry" : "jobs.clear_failed", "all", 1);
		break;
	case 'p':
		if (t->sel < 0 || t->sel >= m->nprinters) {
			ui_flash(&t->ui, UI_WARN, "%s", T_NO_PRINTER);
			return;
		}
		p = &m->printer[t->sel];
		snprintf(what, sizeof what, p->paused ? T_DO_RESUME :
		    T_DO_PAUSE, p->name);
		req = json_pack("{s:s, s:s}", "op", p->paused ?
		    "printer.resume" : "printer.pause", "printer", p->name);
		break;
	default:
		return;
	}
	if (req == NULL)
		return;
	if (link_command(t->link, req, what) == -1)
		ui_flash(&t->ui, UI_WARN, "%s", T_BUSY_QUEUE);
	else
		ui_flash(&t->ui, UI_INFO, T_SENT, what);
}

static void
top_key(struct top *t, int key)
{
	int	y, x;

	switch (key) {
	case 'q':
	case 'Q':
		t->ui.quit = 1;
		break;
	case '?':
	case 'h':
		ui_help(&t->ui, T_HELP_TITLE, draw_help);
		break;
	case KEY_RESIZE:
		t->ui.dirty = 1;
		break;
	case 0x0c:		/* ^L */
		clearok(curscr, TRUE);
		t->ui.dirty = 1;
		break;
	case KEY_UP:
	case 'k':
		if (t->sel > 0)
			t->sel--;
		t->ui.dirty = 1;
		break;
	case KEY_DOWN:
	case 'j':
		if (t->sel < t->m.nprinters - 1)
			t->sel++;
		t->ui.dirty = 1;
		break;
	case KEY_HOME:
		t->sel = 0;
		t->ui.dirty = 1;
		break;
	case KEY_END:
		t->sel = t->m.nprinters > 0 ? t->m.nprinters - 1 : 0;
		t->ui.dirty = 1;
		break;
	case KEY_MOUSE:
		if (ui_mouse(&y, &x) == 0 && y >= t->prow0 &&
		    y < t->prow0 + t->prows) {
			t->sel = t->first + (y - t->prow0);
			t->ui.dirty = 1;
		}
		break;
	case '=':
		top_action(t, '+');
		break;
	case 't':
	case 'a':
	case '+':
	case '-':
	case 'r':
	case 'c':
	case 'p':
		top_action(t, key);
		break;
	}
}

static void
top_loop(struct top *t)
{
	struct ui	*ui = &t->ui;
	uint64_t	 last_shm = 0, minute = 0;
	int		 mask, key, timeout, shm_due;

	while (!ui->quit) {
		if (ui->dirty) {
			ui->dirty = 0;
			draw_screen(t);
			minute = ui->now_ms / 60000;
		}
		/* wake for the shared memory's next look, or the clock */
		shm_due = t->shm_only || (t->lost_ms != 0 &&
		    ui->now_ms - t->lost_ms >= TOP_FALLBACK_MS);
		if (shm_due)
			timeout = t->interval_ms;
		else if (t->lost_ms != 0)
			timeout = TOP_FALLBACK_MS;
		else
			timeout = (int)(60000 - ui->now_ms % 60000) + 10;
		mask = ui_wait(ui, t->link != NULL ? link_fd(t->link) : -1,
		    timeout);
		if (mask & UI_WAKE_KEY)
			while (!ui->quit && (key = ui_key(ui)) != ERR)
				top_key(t, key);
		if (t->link != NULL && (mask & UI_WAKE_EVENT))
			top_take(t);
		shm_due = t->shm_only || (t->lost_ms != 0 &&
		    ui->now_ms - t->lost_ms >= TOP_FALLBACK_MS);
		if (shm_due && ui->now_ms - last_shm >=
		    (uint64_t)t->interval_ms - 50) {
			last_shm = ui->now_ms;
			top_shm(t);
		}
		if (ui->now_ms / 60000 != minute)
			ui->dirty = 1;	/* the clock in the title */
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ "mono",	no_argument,		NULL,	'm' },
		{ "shm",	no_argument,		NULL,	's' },
		{ "interval",	required_argument,	NULL,	'i' },
		{ NULL,		0,			NULL,	0 }
	};
	static const char	 fkeys[13] = { 0, '?', 't', '+', '-', 'r', 'c',
	    'p', 'a', 0, 'q', 0, 0 };
	struct top		*t;
	const char		*token;
	char			 err[1024];
	int			 ch, rv = 0, stopped;

	setlocale(LC_ALL, "");
	t = calloc(1, sizeof *t);
	if (t == NULL) {
		perror("fastops-top");
		return 1;
	}
	t->interval_ms = 1000;
	t->config = getenv("FASTOPS_CONFIG") != NULL &&
	    *getenv("FASTOPS_CONFIG") != '\0' ? getenv("FASTOPS_CONFIG") :
	    NULL;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			t->config = optarg;
			break;
		case 'h':
			usage(stdout);
			free(t);
			return 0;
		case 'V':
			printf("fastops-top %s\n", FASTOPS_VERSION);
			free(t);
			return 0;
		case 'm':
			t->mono = 1;
			break;
		case 's':
			t->shm_only = 1;
			break;
		case 'i':
			if (parse_interval(optarg, &t->interval_ms) == -1) {
				fprintf(stderr, "fastops-top: --interval takes "
				    "seconds, 0.2 to 60\n");
				free(t);
				return 2;
			}
			break;
		default:
			usage(stderr);
			free(t);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		free(t);
		return 2;
	}
	if (top_config(t) == -1) {
		free(t);
		return 1;
	}
	if (!t->shm_only) {
		if (fo_open(t->config, &t->client, err, sizeof err) == -1) {
			fprintf(stderr, "fastops-top: %s\n", err);
			free(t);
			return 1;
		}
		if ((token = getenv(TOKEN_ENV)) != NULL && *token != '\0')
			fo_set_token(t->client, token);
	}
	if (ui_init(&t->ui, t->mono) == -1) {
		fo_close(t->client);
		free(t);
		return 1;
	}
	ui_fkeys(fkeys);
	if (!t->shm_only && link_start(t->client, t->interval_ms, &t->link,
	    err, sizeof err) == -1) {
		ui_end();
		fprintf(stderr, "fastops-top: %s\n", err);
		rv = 1;
		goto out;
	}
	t->answered = 1;	/* until a request says otherwise */
	t->last_ok_ms = t->ui.now_ms;	/* (the start counts as one) */
	if (t->shm_only)
		top_shm(t);
	top_loop(t);
	ui_end();
out:
	stopped = link_stop(t->link) == 0;
	if (t->q != NULL)
		shmq_detach(t->q);
	if (stopped) {
		fo_close(t->client);
		free(t);
	}
	return rv;
}
