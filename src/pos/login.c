/*
 * login — who is taking orders: a user name and a PIN (shown as stars).
 * Both fields are edited here, in the main loop, rather than with the
 * blocking ui_input(), so the connection state stays live on screen
 * while the waiter types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "text.h"

#define KEY_ESC		0x1b
#define KEY_CTRL_U	0x15

static int	user_ok(const char *);
static void	submit(struct pos *);
static void	help(struct pos *);

/* Names the daemon accepts and that are safe in a file name. */
static int
user_ok(const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > FO_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

static void
submit(struct pos *p)
{
	json_t		*reply;
	const json_t	*u;
	const char	*token, *name, *role;
	size_t		 n = strlen(p->login.pin), i;

	p->login.error[0] = '\0';
	if (!user_ok(p->login.user)) {
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    T_LOGIN_NO_USER);
		p->login.field = 0;
		return;
	}
	for (i = 0; i < n; i++)
		if (p->login.pin[i] < '0' || p->login.pin[i] > '9')
			break;
	if (n < FO_PIN_MIN || n > FO_PIN_MAX || i != n) {
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    T_LOGIN_BAD_PIN);
		explicit_bzero(p->login.pin, sizeof(p->login.pin));
		p->login.field = 1;
		return;
	}
	fo_set_token(p->c, NULL);	/* an old session must not interfere */
	if (pos_request(p, json_pack("{s:s, s:s, s:s}", "op", "login", "user",
	    p->login.user, "pin", p->login.pin), &reply, POS_REQ_MS) == -1) {
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    errno == ENOTCONN ? T_OFFLINE : T_NOREPLY);
		return;
	}
	explicit_bzero(p->login.pin, sizeof(p->login.pin));
	p->login.field = 1;
	if (!fo_reply_ok(reply)) {
		if (strcmp(fo_reply_code(reply), FO_EAUTH) == 0)
			snprintf(p->login.error, sizeof(p->login.error), "%s",
			    T_LOGIN_WRONG);
		else if (strcmp(fo_reply_code(reply), FO_EBUSY) == 0)
			snprintf(p->login.error, sizeof(p->login.error), "%s",
			    T_LOGIN_BUSY);
		else
			snprintf(p->login.error, sizeof(p->login.error),
			    T_REFUSED, fo_reply_code(reply),
			    fo_reply_message(reply));
		json_decref(reply);
		return;
	}
	token = json_string_value(json_object_get(reply, "token"));
	u = json_object_get(reply, "user");
	name = json_string_value(json_object_get(u, "name"));
	role = json_string_value(json_object_get(u, "role"));
	if (token == NULL || name == NULL || role == NULL || !user_ok(name)) {
		snprintf(p->login.error, sizeof(p->login.error), T_REFUSED,
		    T_E_OTHER, "?");
		json_decref(reply);
		return;
	}
	if (strcmp(role, FO_ROLE_WAITER) != 0 &&
	    strcmp(role, FO_ROLE_ADMIN) != 0) {
		snprintf(p->login.error, sizeof(p->login.error), T_LOGIN_ROLE,
		    name);
		json_decref(reply);
		return;
	}
	/* another waiter on this terminal: their own orders and draft */
	if (strcmp(name, p->user) != 0)
		mine_clear(p);
	snprintf(p->user, sizeof(p->user), "%s", name);
	snprintf(p->role, sizeof(p->role), "%s", role);
	if (p->token != NULL)
		explicit_bzero(p->token, strlen(p->token));
	free(p->token);
	p->token = strdup(token);
	json_decref(reply);
	if (p->token == NULL) {
		snprintf(p->login.error, sizeof(p->login.error), "%s",
		    strerror(ENOMEM));
		return;
	}
	fo_set_token(p->c, p->token);
	(void)pos_start_session(p);
}

static void
help(struct pos *p)
{
	static const char *const lines[] = {
		"Escriba su usuario, Tab o Enter, y su PIN (4 a 12 cifras).",
		"",
		"Tab          cambiar de campo",
		"Enter        siguiente campo / entrar",
		"Retroceso    borrar          Ctrl-U  borrar todo",
		"F12          salir",
		NULL
	};

	ui_help(&p->ui, T_HELP_TITLE, lines);
}

void
login_key(struct pos *p, int ch)
{
	char	*buf = p->login.field == 0 ? p->login.user : p->login.pin;
	size_t	 size = p->login.field == 0 ? sizeof(p->login.user) :
		    sizeof(p->login.pin);
	size_t	 n = strlen(buf);

	switch (ch) {
	case '\t':
	case KEY_UP:
	case KEY_DOWN:
	case KEY_BTAB:
		p->login.field = !p->login.field;
		return;
	case '\r':
	case '\n':
	case KEY_ENTER:
		if (p->login.field == 0 && p->login.pin[0] == '\0') {
			p->login.field = 1;
			return;
		}
		submit(p);
		return;
	case KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		if (n > 0)
			buf[n - 1] = '\0';
		return;
	case KEY_CTRL_U:
		explicit_bzero(buf, size);
		return;
	case KEY_ESC:
		p->login.error[0] = '\0';
		return;
	case POS_KEY_QUIT:	/* F12: no letter, letters are typed here */
		p->ui.quit = 1;
		return;
	case '?':
		help(p);
		return;
	}
	if (p->login.field == 1 && (ch < '0' || ch > '9'))
		return;
	if (ch < 0x21 || ch >= 0x7f || n + 1 >= size)
		return;
	buf[n] = (char)ch;
	buf[n + 1] = '\0';
	p->login.error[0] = '\0';
}

void
login_draw(struct pos *p)
{
	const struct ui	*ui = &p->ui;
	char		 stars[FO_PIN_MAX + 1];
	size_t		 n;
	int		 w = 52, h = 10, y, x, fx;

	ui_titlebar(ui, T_TITLE, p->connected);
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	fx = x + 14;
	ui_box(ui, stdscr, y, x, h, w, ui_attr(ui, UI_INFO));
	ui_textf(ui, stdscr, y, x + 2, w - 4, ui_attr(ui, UI_TITLE), 0,
	    " %s ", T_LOGIN_HEAD);

	ui_text(ui, stdscr, y + 2, x + 3, 10, ui_attr(ui, UI_NORMAL), 0,
	    T_LOGIN_USER);
	ui_text(ui, stdscr, y + 2, fx, FO_NAME_MAX / 2 + 2,
	    p->login.field == 0 ? ui_attr(ui, UI_SELECT) : (int)A_UNDERLINE, 1,
	    p->login.user);
	n = strlen(p->login.pin);
	memset(stars, '*', n);
	stars[n] = '\0';
	ui_text(ui, stdscr, y + 4, x + 3, 10, ui_attr(ui, UI_NORMAL), 0,
	    T_LOGIN_PIN);
	ui_text(ui, stdscr, y + 4, fx, FO_PIN_MAX + 2,
	    p->login.field == 1 ? ui_attr(ui, UI_SELECT) : (int)A_UNDERLINE, 1,
	    stars);
	if (p->login.error[0] != '\0')
		ui_text(ui, stdscr, y + 6, x + 3, w - 6, ui_attr(ui, UI_ALERT),
		    0, p->login.error);
	ui_text(ui, stdscr, y + 8, x + 3, w - 6, ui_attr(ui, UI_DIM), 0,
	    T_LOGIN_HINT);
	ui_statusbar(ui, T_LOGIN_HINTS);
}
