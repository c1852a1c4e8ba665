/*
 * draft — the order being written, and sending it exactly once.
 *
 * The draft is written to $XDG_STATE_HOME/fastops/pos-USER.json after
 * every change (temp file, fsync, rename, fsync of the directory), so
 * neither a daemon restart nor a crash of this terminal loses what the
 * waiter typed.  It keeps its uuid until the daemon acknowledges the
 * order: a send that got no answer is repeated with the same uuid, and
 * the daemon, which keys orders by uuid, answers with the order it
 * already has instead of making a second one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pos.h"
#include "text.h"

#define DRAFT_VERSION	1
#define DRAFT_FILE_MAX	(64 * 1024)

static int	text_ok(const char *, size_t);
static int	get_str(const json_t *, const char *, char *, size_t, int);
static int	draft_path(const struct pos *, char *, size_t, const char *);
static int	write_all(int, const char *, size_t);
static json_t	*draft_json(const struct pos_draft *);
static int	draft_parse(struct pos_draft *, const json_t *);
static void	draft_acked(struct pos *, const json_t *);

void
draft_init(struct pos_draft *d)
{
	memset(d, 0, sizeof(*d));
	if (fo_uuid(d->uuid) == -1)	/* no randomness: no idempotency */
		d->uuid[0] = '\0';
	d->type = TYPE_MESA;
}

/*
 * Add one of a product: to its line without a note if there is one,
 * else on a new line.  The line's index, or -1 with errno E2BIG (the
 * order has FO_ITEMS_MAX lines) or ERANGE (FO_QTY_MAX reached).
 */
int
draft_add(struct pos_draft *d, const struct pos_product *pr)
{
	struct pos_line	*l;
	int		 i;

	for (i = 0; i < d->nlines; i++) {
		l = &d->lines[i];
		if (strcmp(l->product, pr->id) != 0 || l->notes[0] != '\0')
			continue;
		if (l->qty >= FO_QTY_MAX) {
			errno = ERANGE;
			return -1;
		}
		l->qty++;
		return i;
	}
	if (d->nlines == FO_ITEMS_MAX) {
		errno = E2BIG;
		return -1;
	}
	l = &d->lines[d->nlines];
	memset(l, 0, sizeof(*l));
	snprintf(l->product, sizeof(l->product), "%s", pr->id);
	snprintf(l->name, sizeof(l->name), "%s", pr->name);
	l->price_cents = pr->price_cents;
	l->qty = 1;
	return d->nlines++;
}

long long
draft_total(const struct pos_draft *d)
{
	long long	t = 0;
	int		i;

	for (i = 0; i < d->nlines; i++)
		t += (long long)d->lines[i].qty * d->lines[i].price_cents;
	return t;
}

/* Modify: does any line differ from what was sent? */
int
draft_changed(const struct pos_draft *d)
{
	int	i;

	for (i = 0; i < d->nlines; i++)
		if (d->lines[i].qty != d->lines[i].sent_qty)
			return 1;
	return 0;
}

/* {"op":"order.create", ...} for a new order. */
json_t *
draft_create_req(const struct pos_draft *d)
{
	json_t	*req, *items;
	int	 i;

	items = json_array();
	for (i = 0; i < d->nlines; i++)
		json_array_append_new(items, json_pack("{s:s, s:i, s:s}",
		    "product", d->lines[i].product, "qty", d->lines[i].qty,
		    "notes", d->lines[i].notes));
	req = json_pack("{s:s, s:s, s:s, s:s, s:o}", "op", "order.create",
	    "uuid", d->uuid, "type", pos_type_name(d->type), "notes",
	    d->notes, "items", items);
	if (req != NULL && d->type == TYPE_MESA)
		json_object_set_new(req, "table", json_string(d->table));
	return req;
}

/*
 * {"op":"order.modify", ...}: each line's difference from what the
 * kitchen has, as additions (with the line's note) and removals.
 */
json_t *
draft_modify_req(const struct pos_draft *d)
{
	const struct pos_line	*l;
	json_t			*add, *rem;
	int			 i;

	add = json_array();
	rem = json_array();
	for (i = 0; i < d->nlines; i++) {
		l = &d->lines[i];
		if (l->qty > l->sent_qty)
			json_array_append_new(add, json_pack("{s:s, s:i, s:s}",
			    "product", l->product, "qty", l->qty - l->sent_qty,
			    "notes", l->notes));
		else if (l->qty < l->sent_qty)
			json_array_append_new(rem, json_pack("{s:s, s:i}",
			    "product", l->product, "qty", l->sent_qty - l->qty));
	}
	return json_pack("{s:s, s:I, s:o, s:o}", "op", "order.modify", "id",
	    d->order_id, "add", add, "remove", rem);
}

/* A sent order as a draft to change: its lines, as sent. */
int
draft_from_order(struct pos_draft *d, const json_t *o)
{
	const json_t	*items, *it;
	struct pos_line	*l;
	json_int_t	 qty, price;
	size_t		 i;

	memset(d, 0, sizeof(*d));
	d->order_id = json_integer_value(json_object_get(o, "id"));
	if (d->order_id <= 0 || get_str(o, "number", d->number,
	    sizeof(d->number), 0) == -1)
		goto bad;
	items = json_object_get(o, "items");
	if (!json_is_array(items) || json_array_size(items) > FO_ITEMS_MAX)
		goto bad;
	json_array_foreach(items, i, it) {
		l = &d->lines[d->nlines];
		qty = json_integer_value(json_object_get(it, "qty"));
		price = json_integer_value(json_object_get(it, "price_cents"));
		if (get_str(it, "product", l->product, sizeof(l->product),
		    0) == -1 || get_str(it, "name", l->name, sizeof(l->name),
		    0) == -1 || get_str(it, "notes", l->notes,
		    sizeof(l->notes), 1) == -1 || qty < FO_QTY_MIN ||
		    qty > FO_QTY_MAX || price < 0 || price > MENU_PRICE_MAX)
			goto bad;
		l->qty = l->sent_qty = (int)qty;
		l->price_cents = (int)price;
		d->nlines++;
	}
	return 0;
bad:
	memset(d, 0, sizeof(*d));
	errno = EINVAL;
	return -1;
}

/* --- on disk ----------------------------------------------------------- */

/* Printable UTF-8-ish text: no control characters, fits. */
static int
text_ok(const char *s, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (strlen(s) > max)
		return 0;
	for (; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

/* Copy the string member key of o into buf; -1 if missing or too long. */
static int
get_str(const json_t *o, const char *key, char *buf, size_t len,
    int empty_ok)
{
	const char	*s = json_string_value(json_object_get(o, key));

	if (s == NULL || (!empty_ok && *s == '\0') || !text_ok(s, len - 1))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int
draft_path(const struct pos *p, char *buf, size_t len, const char *suffix)
{
	int	n;

	n = snprintf(buf, len, "%s/pos-%s.json%s", p->statedir, p->user,
	    suffix);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static json_t *
draft_json(const struct pos_draft *d)
{
	json_t	*items;
	int	 i;

	items = json_array();
	for (i = 0; i < d->nlines; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:i, "
		    "s:s}", "product", d->lines[i].product, "name",
		    d->lines[i].name, "price_cents", d->lines[i].price_cents,
		    "qty", d->lines[i].qty, "notes", d->lines[i].notes));
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:b, s:o}",
	    "version", DRAFT_VERSION, "uuid", d->uuid, "type",
	    pos_type_name(d->type), "table", d->table, "notes", d->notes,
	    "pending", d->pending, "maybe_sent", d->maybe_sent, "items", items);
}

static int
draft_parse(struct pos_draft *d, const json_t *j)
{
	const json_t	*items, *it;
	struct pos_line	*l;
	const char	*type;
	json_int_t	 qty, price;
	size_t		 i;

	memset(d, 0, sizeof(*d));
	type = json_string_value(json_object_get(j, "type"));
	items = json_object_get(j, "items");
	if (json_integer_value(json_object_get(j, "version")) !=
	    DRAFT_VERSION || type == NULL || !json_is_array(items) ||
	    json_array_size(items) > FO_ITEMS_MAX ||
	    get_str(j, "uuid", d->uuid, sizeof(d->uuid), 0) == -1 ||
	    strlen(d->uuid) != FO_UUID_LEN ||
	    get_str(j, "table", d->table, sizeof(d->table), 1) == -1 ||
	    get_str(j, "notes", d->notes, sizeof(d->notes), 1) == -1)
		return -1;
	if (strcmp(type, FO_TYPE_MESA) == 0)
		d->type = TYPE_MESA;
	else if (strcmp(type, FO_TYPE_LLEVAR) == 0)
		d->type = TYPE_LLEVAR;
	else if (strcmp(type, FO_TYPE_DOMICILIO) == 0)
		d->type = TYPE_DOMICILIO;
	else
		return -1;
	d->pending = json_is_true(json_object_get(j, "pending"));
	d->maybe_sent = json_is_true(json_object_get(j, "maybe_sent"));
	json_array_foreach(items, i, it) {
		l = &d->lines[d->nlines];
		qty = json_integer_value(json_object_get(it, "qty"));
		price = json_integer_value(json_object_get(it, "price_cents"));
		if (get_str(it, "product", l->product, sizeof(l->product),
		    0) == -1 || get_str(it, "name", l->name, sizeof(l->name),
		    0) == -1 || get_str(it, "notes", l->notes,
		    sizeof(l->notes), 1) == -1 || qty < FO_QTY_MIN ||
		    qty > FO_QTY_MAX || price < 0 || price > MENU_PRICE_MAX)
			return -1;
		l->qty = (int)qty;
		l->price_cents = (int)price;
		d->nlines++;
	}
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write the draft durably: temp file, fsync, rename over the old one,
 * fsync the directory.  An empty draft that is not waiting to be sent
 * is a removed file.  -1 with errno (and a flash) on failure: the draft
 * is still in memory, so the waiter loses nothing yet.
 */
int
draft_save(struct pos *p)
{
	const struct pos_draft	*d = &p->draft;
	char			 path[PATH_MAX], tmp[PATH_MAX], *text = NULL;
	json_t			*j;
	int			 fd = -1, dfd, saved;

	if (p->user[0] == '\0')
		return 0;
	if (draft_path(p, path, sizeof(path), "") == -1 ||
	    draft_path(p, tmp, sizeof(tmp), ".tmp") == -1)
		goto fail;
	if (d->nlines == 0 && !d->pending && d->table[0] == '\0' &&
	    d->notes[0] == '\0') {
		if (unlink(path) == -1 && errno != ENOENT)
			goto fail;
		return 0;
	}
	if (mkdir(p->statedir, 0700) == -1 && errno == ENOENT) {
		/* ~/.local/state may not exist yet */
		char	parent[PATH_MAX], *slash;

		snprintf(parent, sizeof(parent), "%s", p->statedir);
		for (slash = parent + 1; (slash = strchr(slash, '/')) != NULL;
		    slash++) {
			*slash = '\0';
			(void)mkdir(parent, 0700);
			*slash = '/';
		}
		(void)mkdir(p->statedir, 0700);
	}
	if ((j = draft_json(d)) == NULL ||
	    (text = json_dumps(j, JSON_INDENT(1))) == NULL) {
		json_decref(j);
		errno = ENOMEM;
		goto fail;
	}
	json_decref(j);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write_all(fd, text, strlen(text)) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	if ((dfd = open(p->statedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(text);
	return 0;

fail:
	saved = errno;
	if (fd != -1) {
		close(fd);
		(void)unlink(tmp);
	}
	free(text);
	pos_flash(p, UI_ALERT, T_DRAFT_SAVE, strerror(saved));
	errno = saved;
	return -1;
}

/*
 * Read the user's saved draft, if any.  A file that does not parse is
 * set aside as .bad (not silently lost) and -1 returned; the draft is
 * then a fresh one.
 */
int
draft_load(struct pos *p)
{
	char		 path[PATH_MAX], bad[PATH_MAX];
	json_error_t	 jerr;
	json_t		*j;
	struct stat	 sb;

	draft_init(&p->draft);
	if (draft_path(p, path, sizeof(path), "") == -1 ||
	    draft_path(p, bad, sizeof(bad), ".bad") == -1)
		return -1;
	if (stat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(sb.st_mode) || sb.st_size > DRAFT_FILE_MAX) {
		(void)rename(path, bad);
		return -1;
	}
	j = json_load_file(path, 0, &jerr);
	if (j == NULL || draft_parse(&p->draft, j) == -1) {
		json_decref(j);
		draft_init(&p->draft);
		(void)rename(path, bad);
		return -1;
	}
	json_decref(j);
	return 0;
}

/* --- sending -------------------------------------------------------------- */

/* The daemon has the order: show the acknowledgement, start afresh. */
static void
draft_acked(struct pos *p, const json_t *o)
{
	const char	*number = json_string_value(json_object_get(o,
			    "number"));
	char		 state[64];
	int		 qp, ql, eta, role;

	if (number == NULL)
		number = "?";
	qp = (int)json_integer_value(json_object_get(o, "queue_position"));
	ql = (int)json_integer_value(json_object_get(o, "queue_length"));
	eta = (int)json_integer_value(json_object_get(o, "eta_s"));
	if (qp > 0)
		snprintf(p->ack_text, sizeof(p->ack_text), T_ACK, number, qp,
		    ql, eta);
	else {
		mine_state(p, o, state, sizeof(state), &role);
		snprintf(p->ack_text, sizeof(p->ack_text), T_ACK_DONE, number,
		    state);
	}
	p->ack_id = json_integer_value(json_object_get(o, "id"));
	p->ack_shown = 1;
	mine_update(p, o, 0, 0);

	draft_init(&p->draft);
	(void)draft_save(p);
	if (p->ed == &p->draft)
		editor_reset(p);
	p->ui.dirty = 1;
}

/*
 * Send the draft as a new order (the caller checked it).  Without a
 * connection it stays pending and goes by itself on reconnection; after a
 * send with no answer it is also "maybe sent" and locked against edits
 * until the daemon answers, because the same uuid with other contents
 * would be answered with the first contents.
 */
void
draft_send(struct pos *p)
{
	struct pos_draft	*d = &p->draft;
	json_t			*reply;
	const char		*code;

	if (d->uuid[0] == '\0' && fo_uuid(d->uuid) == -1) {
		pos_flash(p, UI_ALERT, T_DRAFT_SAVE, strerror(errno));
		return;
	}
	if (!d->pending) {
		d->pending = 1;
		(void)draft_save(p);
	}
	p->next_retry = p->ui.now_ms + POS_TICK_UP_MS;
	if (pos_request(p, draft_create_req(d), &reply, POS_SEND_MS) == -1) {
		if (errno != ENOTCONN && !d->maybe_sent) {
			d->maybe_sent = 1;
			(void)draft_save(p);
		}
		pos_flash(p, UI_WARN, "%s", errno == ENOTCONN ?
		    T_SENDING_OFFLINE : T_SENDING_NOREPLY);
		return;
	}
	if (fo_reply_ok(reply) && json_is_object(json_object_get(reply,
	    "order"))) {
		draft_acked(p, json_object_get(reply, "order"));
		json_decref(reply);
		return;
	}
	code = fo_reply_code(reply);
	if (strcmp(code, FO_ESHUTDOWN) == 0 || strcmp(code, FO_EAUTH) == 0) {
		/* the daemon is going down, or the session is over: send it
		 * to the next daemon, or after logging in again */
		pos_refused(p, NULL, reply);
		json_decref(reply);
		return;
	}
	/* refused: nothing was made, the waiter corrects the draft */
	d->pending = 0;
	d->maybe_sent = 0;
	(void)draft_save(p);
	pos_refused(p, NULL, reply);
	json_decref(reply);
}
