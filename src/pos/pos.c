/*
 * fastops-pos — the waiter's terminal: log in with a PIN, write an order
 * from the menu, send it, and watch it go through the kitchen.
 *
 * The main loop blocks in ui_wait() on the keyboard, the event socket and
 * one timer.  The timer probes the daemon (a "health" request: cheap, and
 * its pid tells a restarted daemon from a live one), retries a draft whose
 * send got no answer, and resynchronises the order list now and then in
 * case an event was lost (PUB drops messages for slow subscribers).
 * Nothing is redrawn unless something changed.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pos.h"
#include "text.h"
#include "xmalloc.h"

#ifndef FASTOPS_VERSION
#define FASTOPS_VERSION	"unknown"
#endif

#define USAGE		"usage: fastops-pos [-f file] [--mono] [-u user]\n" \
			"       fastops-pos --help | --version\n"

static void	usage(FILE *);
static int	state_dir(char *, size_t);
static int	client_open(struct pos *, char *, size_t);
static void	reconnected(struct pos *);
static void	tick(struct pos *);
static void	drain_events(struct pos *);
static void	handle_key(struct pos *, int);
static void	draw(struct pos *);
static int	wait_ms(const struct pos *);
static const char *error_label(const char *);

static void
usage(FILE *f)
{
	fputs(USAGE, f);
}

/*
 * Where the draft is kept: $XDG_STATE_HOME/fastops, else
 * ~/.local/state/fastops (the XDG base directory rules).
 */
static int
state_dir(char *buf, size_t len)
{
	const char	*x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int		 n;

	if (x != NULL && x[0] == '/')
		n = snprintf(buf, len, "%s/fastops", x);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/fastops", home);
	else {
		errno = ENOENT;
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Open (or reopen) the client, with the session's token and events. */
static int
client_open(struct pos *p, char *err, size_t errlen)
{
	struct fo_client	*c;
	int			 fd;

	if (fo_open(p->config, &c, err, errlen) == -1)
		return -1;
	if (fo_subscribe(c, "order.") == -1 || fo_subscribe(c, "job.") == -1 ||
	    (fd = fo_event_fd(c)) == -1) {
		snprintf(err, errlen, "%s", fo_strerror(c));
		fo_close(c);
		return -1;
	}
	fo_set_token(c, p->token);
	fo_close(p->c);
	p->c = c;
	p->evfd = fd;
	return 0;
}

/* A one-line message above the status bar, and a redraw when it goes. */
void
pos_flash(struct pos *p, int role, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ui_flash(&p->ui, role, "%s", buf);
	p->flash_ms = p->ui.now_ms;
}

static const char *
error_label(const char *code)
{
	static const struct {
		const char	*code;
		const char	*label;
	} labels[] = {
		{ FO_EINVAL,	T_E_EINVAL },
		{ FO_ENOENT,	T_E_ENOENT },
		{ FO_EPERM,	T_E_EPERM },
		{ FO_EAUTH,	T_E_EAUTH },
		{ FO_EBUSY,	T_E_EBUSY },
		{ FO_EFULL,	T_E_EFULL },
		{ FO_ESTORAGE,	T_E_ESTORAGE },
		{ FO_ESHUTDOWN,	T_E_ESHUTDOWN },
	};
	size_t	i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(code, labels[i].code) == 0)
			return labels[i].label;
	return T_E_OTHER;
}

/*
 * The daemon said no: say so in Spanish, with its own words after.  An
 * expired session sends the waiter back to the login screen (the draft
 * is on disk and comes back after logging in).
 */
void
pos_refused(struct pos *p, const char *what, const json_t *reply)
{
	const char	*code = fo_reply_code(reply);

	if (strcmp(code, FO_EAUTH) == 0 && p->screen != SCREEN_LOGIN) {
		pos_set_screen(p, SCREEN_LOGIN);
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    T_LOGIN_EXPIRED);
		return;
	}
	if (what != NULL)
		pos_flash(p, UI_ALERT, "%s — " T_REFUSED, what,
		    error_label(code), fo_reply_message(reply));
	else
		pos_flash(p, UI_ALERT, T_REFUSED, error_label(code),
		    fo_reply_message(reply));
}

/*
 * Send a request (taken: freed here) and wait up to timeout_ms.  Returns
 * 0 with *reply (the caller's, ok or not), or -1 with errno ENOTCONN
 * (never sent) or another (sent, no answer).  A request is not even
 * tried while the daemon is known to be gone: the waiter would only wait.
 */
int
pos_request(struct pos *p, json_t *req, json_t **reply, int timeout_ms)
{
	char	err[512];
	int	rv, saved;

	*reply = NULL;
	if (req == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if (!p->connected && !fo_connected(p->c)) {
		json_decref(req);
		errno = ENOTCONN;
		return -1;
	}
	rv = fo_request(p->c, req, reply, timeout_ms, err, sizeof(err));
	saved = errno;
	json_decref(req);
	if (rv == -1) {
		if (p->connected) {
			p->connected = 0;
			p->next_tick = 0;	/* probe at once */
			p->ui.dirty = 1;
		}
		errno = saved;
		return -1;
	}
	return 0;
}

/* "12,50 €" */
void
pos_money(const struct pos *p, char *buf, size_t len, long long cents)
{
	const char	*sign = cents < 0 ? "-" : "";

	if (cents < 0)
		cents = -cents;
	snprintf(buf, len, "%s%lld,%02lld %s", sign, cents / 100, cents % 100,
	    ui_glyph(&p->ui, "€", "EUR"));
}

const char *
pos_type_name(enum pos_type t)
{
	switch (t) {
	case TYPE_LLEVAR:
		return FO_TYPE_LLEVAR;
	case TYPE_DOMICILIO:
		return FO_TYPE_DOMICILIO;
	default:
		return FO_TYPE_MESA;
	}
}

const char *
pos_type_label(enum pos_type t)
{
	switch (t) {
	case TYPE_LLEVAR:
		return T_LLEVAR;
	case TYPE_DOMICILIO:
		return T_DOMICILIO;
	default:
		return T_MESA;
	}
}

/* The F-keys of each screen, as letters (ui_fkeys). */
void
pos_set_screen(struct pos *p, enum pos_screen s)
{
	static const char login_keys[13] = {
		0, '?', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, POS_KEY_QUIT
	};
	static const char edit_keys[13] = {
		0, '?', 'm', 'o', 'l', 'd', 'n', '/', 'c', 0, 'e', 0, 'q'
	};
	static const char list_keys[13] = {
		0, '?', 0, 'o', 'u', 'r', 'm', 0, 'x', 0, 0, 0, 'q'
	};

	p->screen = s;
	switch (s) {
	case SCREEN_LOGIN:
		ui_fkeys(login_keys);
		break;
	case SCREEN_EDIT:
		ui_fkeys(edit_keys);
		break;
	case SCREEN_ORDERS:
		ui_fkeys(list_keys);
		p->alert[0] = '\0';	/* seen */
		break;
	}
	p->ack_shown = 0;
	p->ui.dirty = 1;
}

/*
 * After a successful login: the menu, the waiter's saved draft, the list
 * of their orders.  -1 with login.error set if the menu is unusable.
 */
int
pos_start_session(struct pos *p)
{
	json_t	*reply;

	if (pos_request(p, json_pack("{s:s}", "op", "menu"), &reply,
	    POS_REQ_MS) == -1) {
		snprintf(p->login.error, sizeof(p->login.error), T_LOGIN_NOMENU,
		    errno == ENOTCONN ? T_OFFLINE : T_NOREPLY);
		return -1;
	}
	if (!fo_reply_ok(reply)) {
		snprintf(p->login.error, sizeof(p->login.error), T_LOGIN_NOMENU,
		    fo_reply_message(reply));
		json_decref(reply);
		return -1;
	}
	catalog_free(&p->cat);
	if (catalog_load(&p->cat, reply) == -1) {
		json_decref(reply);
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    T_LOGIN_BADMENU);
		return -1;
	}
	json_decref(reply);

	if (draft_load(p) == -1)
		pos_flash(p, UI_WARN, "%s", T_DRAFT_BAD);
	p->ed = &p->draft;
	editor_reset(p);
	mine_clear(p);
	(void)mine_refresh(p, 0);
	p->next_resync = p->ui.now_ms + POS_RESYNC_MS;
	pos_set_screen(p, SCREEN_EDIT);
	if (p->draft.nlines > 0)
		pos_flash(p, UI_INFO, "%s", T_DRAFT_RESTORED);
	else
		pos_flash(p, UI_OK, T_LOGIN_HELLO, p->user);
	if (p->draft.pending)
		draft_send(p);
	return 0;
}

/*
 * The daemon is back, or it is another daemon (restarted: new pid; the
 * caller opened fresh sockets, so the event subscription is sure to be
 * live): catch up on what was missed and send a draft that was waiting.
 */
static void
reconnected(struct pos *p)
{
	p->connected = 1;
	p->ui.dirty = 1;
	if (p->screen == SCREEN_LOGIN)
		return;
	pos_flash(p, UI_OK, "%s", T_RECONNECTED);
	(void)mine_refresh(p, 1);
	/* events sent before the new subscription took: look again soon */
	p->next_resync = p->ui.now_ms + 1500;
	if (p->draft.pending)
		draft_send(p);
}

/* The timer: probe the daemon, retry a pending send, resynchronise. */
static void
tick(struct pos *p)
{
	json_t		*req, *reply = NULL;
	json_int_t	 pid;
	uint64_t	 now = p->ui.now_ms;
	char		 err[512];
	int		 was = p->connected, rv;

	if (now / 60000 != (uint64_t)p->minute) {
		p->minute = (int)(now / 60000);	/* the clock in the title */
		p->ui.dirty = 1;
	}
	/* the connection went (nng tells at once): say so, probe now */
	if (p->connected && !fo_connected(p->c)) {
		p->connected = 0;
		p->next_tick = now;
		p->ui.dirty = 1;
		was = 0;
	}
	if (now < p->next_tick)
		goto resync;
	/*
	 * Nobody there: nng redials by itself and fo_connected() will say
	 * when it is back.  Only now and then a probe that fails, which
	 * makes the client start a fresh dialer (see fo_request()).
	 */
	if (!fo_connected(p->c) && now < p->next_kick) {
		p->next_tick = now + POS_TICK_DOWN_MS;
		return;
	}
	if (!fo_connected(p->c))
		p->next_kick = now + POS_KICK_MS;

	/* straight to the client: a failed probe is what makes it redial */
	req = json_pack("{s:s}", "op", "health");
	rv = req != NULL ? fo_request(p->c, req, &reply, was ? 1500 :
	    POS_PROBE_MS, err, sizeof(err)) : -1;
	json_decref(req);
	if (rv == -1 || !fo_reply_ok(reply)) {
		json_decref(reply);
		if (p->connected) {
			p->connected = 0;
			p->ui.dirty = 1;
		}
		p->next_tick = now + POS_TICK_DOWN_MS;
		return;
	}
	pid = json_integer_value(json_object_get(reply, "pid"));
	json_decref(reply);
	p->next_tick = now + POS_TICK_UP_MS;
	if (!was || pid != p->daemon_pid) {
		/* another daemon than before: fresh sockets */
		if (p->daemon_pid != 0 && pid != p->daemon_pid)
			(void)client_open(p, err, sizeof(err));
		p->daemon_pid = pid;
		reconnected(p);
	}

resync:
	if (!p->connected || p->screen == SCREEN_LOGIN)
		return;
	if (p->draft.pending && now >= p->next_retry)
		draft_send(p);
	if (now >= p->next_resync) {
		p->next_resync = now + POS_RESYNC_MS;
		(void)mine_refresh(p, 1);
	}
}

/* Every waiting event message, a bounded number per wake-up. */
static void
drain_events(struct pos *p)
{
	json_t	*events, *ev;
	char	*kind;
	size_t	 i;
	int	 n;

	for (n = 0; n < 64; n++) {
		if (fo_event(p->c, &kind, &events, 0) == -1) {
			if (errno == EBADMSG)
				continue;
			break;
		}
		if (p->screen != SCREEN_LOGIN) {
			json_array_foreach(events, i, ev)
				mine_event(p, kind, ev);
		}
		free(kind);
		json_decref(events);
	}
}

static void
handle_key(struct pos *p, int ch)
{
	int	y, x;

	if (ch == KEY_RESIZE) {
		p->ui.dirty = 1;
		return;
	}
	/* the acknowledgement box goes with the next key, which still
	 * does what it does */
	if (p->ack_shown) {
		p->ack_shown = 0;
		p->ui.dirty = 1;
	}
	if (ch == KEY_MOUSE) {
		if (ui_mouse(&y, &x) == -1)
			return;
		if (p->screen == SCREEN_EDIT)
			editor_mouse(p, y, x);
		else if (p->screen == SCREEN_ORDERS)
			mine_mouse(p, y, x);
		p->ui.dirty = 1;
		return;
	}
	switch (p->screen) {
	case SCREEN_LOGIN:
		login_key(p, ch);
		break;
	case SCREEN_EDIT:
		editor_key(p, ch);
		break;
	case SCREEN_ORDERS:
		mine_key(p, ch);
		break;
	}
	p->ui.dirty = 1;
}

static void
draw(struct pos *p)
{
	erase();
	if (!ui_too_small(&p->ui)) {
		switch (p->screen) {
		case SCREEN_LOGIN:
			login_draw(p);
			break;
		case SCREEN_EDIT:
			editor_draw(p);
			break;
		case SCREEN_ORDERS:
			mine_draw(p);
			break;
		}
		ui_flash_draw(&p->ui);
	}
	refresh();
	p->ui.dirty = 0;
}

/* How long ui_wait() may sleep: until the next thing the timer does. */
static int
wait_ms(const struct pos *p)
{
	uint64_t	now = p->ui.now_ms, next;

	next = p->next_tick;
	if (p->connected && now + POS_WATCH_MS < next)
		next = now + POS_WATCH_MS;	/* look at fo_connected() */
	if ((now / 60000 + 1) * 60000 < next)
		next = (now / 60000 + 1) * 60000;
	if (p->screen != SCREEN_LOGIN && p->connected) {
		if (p->next_resync < next)
			next = p->next_resync;
		if (p->draft.pending && p->next_retry < next)
			next = p->next_retry;
	}
	if (next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mono",	no_argument,		NULL,	'M' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	struct pos		*p;
	struct ui_opts		 opts = { NULL, 0 };
	const char		*user = NULL;
	char			 err[4096];
	int			 ch, wake;

	setlocale(LC_ALL, "");

	while ((ch = getopt_long(argc, argv, "f:u:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opts.config = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'M':
			opts.mono = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("fastops-pos %s\n", FASTOPS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (user != NULL && (*user == '\0' || strlen(user) > FO_NAME_MAX)) {
		fprintf(stderr, "fastops-pos: -u: a user name has 1 to %d "
		    "bytes\n", FO_NAME_MAX);
		return 2;
	}

	p = xcalloc(1, sizeof(*p));
	p->config = opts.config;
	p->evfd = -1;
	if (state_dir(p->statedir, sizeof(p->statedir)) == -1) {
		fprintf(stderr, "fastops-pos: no place for the draft: set "
		    "HOME or XDG_STATE_HOME\n");
		return 1;
	}
	if (client_open(p, err, sizeof(err)) == -1) {
		fprintf(stderr, "fastops-pos: %s\n", err);
		return 1;
	}
	draft_init(&p->draft);
	draft_init(&p->mod);
	p->ed = &p->draft;
	if (user != NULL) {
		snprintf(p->login.user, sizeof(p->login.user), "%s", user);
		p->login.field = 1;
	}

	if (ui_init(&p->ui, opts.mono) == -1) {
		fo_close(p->c);
		return 1;
	}
	pos_set_screen(p, SCREEN_LOGIN);
	p->minute = -1;
	p->ui.dirty = 1;
	/* SIGINT, SIGTERM and SIGHUP set ui.quit (ui_init's handlers) */
	while (!p->ui.quit) {
		tick(p);
		if (p->ui.dirty)
			draw(p);
		wake = ui_wait(&p->ui, p->evfd, wait_ms(p));
		if (wake & UI_WAKE_EVENT)
			drain_events(p);
		if (wake & UI_WAKE_KEY) {
			while (!p->ui.quit && (ch = ui_key(&p->ui)) != ERR)
				handle_key(p, ch);
		}
	}
	ui_end();

	if (p->token != NULL)
		explicit_bzero(p->token, strlen(p->token));
	free(p->token);
	mine_clear(p);
	catalog_free(&p->cat);
	fo_close(p->c);
	free(p);
	return 0;
}
