/*
 * order create|get|list|modify|cancel|urgent|reprint|bump
 *
 * Items on the command line are PRODUCT[:QTY[:NOTE]]: the product's menu
 * id or name, then an optional quantity (1 if left out or empty) and an
 * optional note, which runs to the end of the argument and so may hold
 * colons ("cafe:2:leche: aparte").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static int	order_create(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	order_get(struct ctl *, const struct ctl_cmd *, int, char **);
static int	order_list(struct ctl *, const struct ctl_cmd *, int, char **);
static int	order_change(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	one_of(const char *, const char *const *);
static int	parse_item(const struct ctl_cmd *, const char *, const char *,
		    int, json_t *);
static int	valid_uuid(const char *);
static int	create_opt(const struct ctl_cmd *, int, const char *, void *);
static void	print_order(const json_t *);
static int	list_opt(const struct ctl_cmd *, int, const char *, void *);
static int	change_opt(const struct ctl_cmd *, int, const char *, void *);

const struct ctl_cmd cmd_order_create = {
	"order create",
	"--type mesa|llevar|domicilio [--table T] [--notes N] [--uuid U] "
	"--item PRODUCT[:QTY[:NOTE]] ...",
	order_create
};
const struct ctl_cmd cmd_order_get = { "order get", "ID", order_get };
const struct ctl_cmd cmd_order_list = {
	"order list",
	"[--state S] [--mine] [--page N] [--per-page N]",
	order_list
};
const struct ctl_cmd cmd_order_modify = {
	"order modify",
	"ID [--add PRODUCT[:QTY[:NOTE]]] ... [--remove PRODUCT[:QTY]] ...",
	order_change
};
const struct ctl_cmd cmd_order_cancel = { "order cancel", "ID",
	order_change };
const struct ctl_cmd cmd_order_urgent = { "order urgent", "ID",
	order_change };
const struct ctl_cmd cmd_order_reprint = { "order reprint",
	"ID [--station S]", order_change };
const struct ctl_cmd cmd_order_bump = { "order bump",
	"ID [--station S] [--state en_preparacion|listo]", order_change };

static const char *const order_states[] = {
	FO_ORDER_RECIBIDO, FO_ORDER_EN_COLA, FO_ORDER_IMPRIMIENDO,
	FO_ORDER_IMPRESO, FO_ORDER_EN_PREPARACION, FO_ORDER_LISTO,
	FO_ORDER_CANCELADO, NULL
};

static int
one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/*
 * PRODUCT[:QTY[:NOTE]] (with_note) or PRODUCT[:QTY] into
 * {"product", "qty", "notes"}, appended to items.
 */
static int
parse_item(const struct ctl_cmd *cmd, const char *opt, const char *arg,
    int with_note, json_t *items)
{
	const char	*c1, *c2 = NULL, *note = NULL;
	char		 product[128], qty[16];
	long long	 q = 1;
	size_t		 n;
	json_t		*it;

	c1 = strchr(arg, ':');
	n = c1 != NULL ? (size_t)(c1 - arg) : strlen(arg);
	if (n == 0)
		return ctl_usage_error(cmd, "%s \"%s\": no product", opt, arg);
	if (n >= sizeof(product))
		return ctl_usage_error(cmd, "%s: product name too long", opt);
	memcpy(product, arg, n);
	product[n] = '\0';
	if (c1 != NULL) {
		c2 = strchr(c1 + 1, ':');
		if (c2 != NULL && !with_note)
			return ctl_usage_error(cmd, "%s \"%s\": no note is "
			    "taken here, only PRODUCT[:QTY]", opt, arg);
		n = c2 != NULL ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
		if (n >= sizeof(qty))
			n = sizeof(qty) - 1;
		memcpy(qty, c1 + 1, n);
		qty[n] = '\0';
		if (qty[0] != '\0' && ctl_number(qty, FO_QTY_MIN, FO_QTY_MAX,
		    &q) == -1)
			return ctl_usage_error(cmd, "%s \"%s\": the quantity "
			    "must be a number from %d to %d", opt, arg,
			    FO_QTY_MIN, FO_QTY_MAX);
		if (c2 != NULL)
			note = c2 + 1;
	}
	if (note != NULL && strlen(note) > FO_NOTES_MAX)
		return ctl_usage_error(cmd, "%s: a note holds at most %d bytes",
		    opt, FO_NOTES_MAX);
	if (json_array_size(items) >= FO_ITEMS_MAX)
		return ctl_usage_error(cmd, "at most %d items per order",
		    FO_ITEMS_MAX);
	it = json_pack("{s:s, s:I}", "product", product, "qty", (json_int_t)q);
	if (note != NULL && *note != '\0')
		json_object_set_new(it, "notes", json_string(note));
	json_array_append_new(items, it);
	return 0;
}

static int
valid_uuid(const char *s)
{
	static const char	hex[] = "0123456789abcdefABCDEF";
	size_t			i;

	if (strlen(s) != FO_UUID_LEN)
		return 0;
	for (i = 0; i < FO_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr(hex, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* --- order create ------------------------------------------------------ */

struct create_args {
	const char	*type, *table, *notes, *uuid;
	json_t		*items;
};

static int
create_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	static const char *const types[] = { FO_TYPE_MESA, FO_TYPE_LLEVAR,
	    FO_TYPE_DOMICILIO, NULL };
	struct create_args	*a = p;

	switch (ch) {
	case 'y':
		if (!one_of(arg, types))
			return ctl_usage_error(cmd, "--type is mesa, llevar "
			    "or domicilio, not \"%s\"", arg);
		a->type = arg;
		break;
	case 't':
		if (*arg == '\0' || strlen(arg) > FO_TABLE_MAX)
			return ctl_usage_error(cmd, "--table takes 1 to %d "
			    "bytes", FO_TABLE_MAX);
		a->table = arg;
		break;
	case 'n':
		if (strlen(arg) > FO_NOTES_MAX)
			return ctl_usage_error(cmd, "--notes takes at most %d "
			    "bytes", FO_NOTES_MAX);
		a->notes = arg;
		break;
	case 'u':
		if (!valid_uuid(arg))
			return ctl_usage_error(cmd, "--uuid takes a UUID "
			    "(8-4-4-4-12 hex digits), not \"%s\"", arg);
		a->uuid = arg;
		break;
	case 'i':
		return parse_item(cmd, "--item", arg, 1, a->items);
	}
	return 0;
}

static int
order_create(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option longopts[] = {
		{ "type",	required_argument,	NULL,	'y' },
		{ "table",	required_argument,	NULL,	't' },
		{ "notes",	required_argument,	NULL,	'n' },
		{ "uuid",	required_argument,	NULL,	'u' },
		{ "item",	required_argument,	NULL,	'i' },
		{ NULL,		0,			NULL,	0 }
	};
	struct create_args	 a;
	char			 uuid[FO_UUID_LEN + 1];
	json_t			*req, *reply, *order;
	int			 rv;

	memset(&a, 0, sizeof(a));
	a.items = json_array();
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, create_opt,
	    &a)) != 0)
		goto out;
	rv = CTL_USAGE;
	if (argc > 0) {
		ctl_usage_error(cmd, "unexpected argument \"%s\"", argv[0]);
		goto out;
	}
	if (a.type == NULL) {
		ctl_usage_error(cmd, "--type is required");
		goto out;
	}
	if (strcmp(a.type, FO_TYPE_MESA) == 0 && a.table == NULL) {
		ctl_usage_error(cmd, "a mesa order needs --table");
		goto out;
	}
	if (json_array_size(a.items) == 0) {
		ctl_usage_error(cmd, "at least one --item is required");
		goto out;
	}
	if (a.uuid == NULL) {
		if (fo_uuid(uuid) == -1) {
			ctl_warnx("cannot make a UUID: %s", strerror(errno));
			rv = CTL_UNREACHABLE;
			goto out;
		}
		a.uuid = uuid;
	}
	req = json_pack("{s:s, s:s, s:s, s:O}", "op", "order.create", "uuid",
	    a.uuid, "type", a.type, "items", a.items);
	if (a.table != NULL)
		json_object_set_new(req, "table", json_string(a.table));
	if (a.notes != NULL)
		json_object_set_new(req, "notes", json_string(a.notes));
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK) {
		/* it may have been taken: a retry must not make a second */
		if (rv == CTL_UNREACHABLE && ctl->client != NULL &&
		    errno != ENOTCONN)
			ctl_warnx("the order may or may not have been taken; "
			    "to retry without a duplicate, add --uuid %s",
			    a.uuid);
		goto out;
	}
	if (ctl->json)
		ctl_print_json(reply);
	else if ((order = json_object_get(reply, "order")) != NULL) {
		if (json_is_true(json_object_get(reply, "duplicate"))) {
			/* same line, marked: the order existed already */
			printf("%s id=%" JSON_INTEGER_FORMAT " %s queue=%"
			    JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
			    " eta=%" JSON_INTEGER_FORMAT "s duplicate\n",
			    fo_str(order, "number"), fo_int(order, "id"),
			    fo_str(order, "state"),
			    fo_int(order, "queue_position"),
			    fo_int(order, "queue_length"),
			    fo_int(order, "eta_s"));
		} else
			ctl_print_order_summary(order);
	}
	json_decref(reply);
out:
	json_decref(a.items);
	return rv;
}

/* --- order get ----------------------------------------------------------- */

static void
print_order(const json_t *o)
{
	json_t	*it, *j;
	size_t	 i;

	ctl_put_order_header(stdout, o);
	putchar('\n');
	json_array_foreach(json_object_get(o, "items"), i, it) {
		printf("item %" JSON_INTEGER_FORMAT " %s station=%s "
		    "price_cents=%" JSON_INTEGER_FORMAT " name=",
		    fo_int(it, "qty"), fo_str(it, "product"),
		    fo_str(it, "station"), fo_int(it, "price_cents"));
		ctl_put_quoted(stdout, fo_str(it, "name"));
		fputs(" notes=", stdout);
		ctl_put_quoted(stdout, fo_str(it, "notes"));
		putchar('\n');
	}
	json_array_foreach(json_object_get(o, "jobs"), i, j) {
		printf("job %" JSON_INTEGER_FORMAT " station=%s priority=%s "
		    "status=%s attempts=%" JSON_INTEGER_FORMAT " kind=%s "
		    "printer=%s reprint=%" JSON_INTEGER_FORMAT "\n",
		    fo_int(j, "id"), fo_str(j, "station"),
		    fo_str(j, "priority"), fo_str(j, "status"),
		    fo_int(j, "attempts"), fo_str(j, "kind"),
		    json_is_string(json_object_get(j, "printer")) ?
		    fo_str(j, "printer") : "-", fo_int(j, "reprint"));
	}
}

static int
order_get(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_int_t	 id;
	json_t		*reply;
	int		 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	if ((rv = ctl_order_id(cmd, argv[0], &id)) != 0)
		return rv;
	if ((rv = ctl_request(ctl, json_pack("{s:s, s:I}", "op", "order.get",
	    "id", id), &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		print_order(json_object_get(reply, "order"));
	json_decref(reply);
	return CTL_OK;
}

/* --- order list ------------------------------------------------------------ */

struct list_args {
	const char	*state;
	int		 mine;
	struct ctl_paging pg;
};

static int
list_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct list_args	*a = p;
	int			 rv;

	switch (ch) {
	case 's':
		if (!one_of(arg, order_states))
			return ctl_usage_error(cmd, "--state is one of "
			    "recibido, en_cola, imprimiendo, impreso, "
			    "en_preparacion, listo, cancelado; not \"%s\"",
			    arg);
		a->state = arg;
		break;
	case 'm':
		a->mine = 1;
		break;
	default:
		if (ctl_paging_opt(cmd, ch, arg, &a->pg, &rv))
			return rv;
		break;
	}
	return 0;
}

static int
order_list(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state",	required_argument,	NULL,	's' },
		{ "mine",	no_argument,		NULL,	'm' },
		{ "page",	required_argument,	NULL,	'p' },
		{ "per-page",	required_argument,	NULL,	'n' },
		{ NULL,		0,			NULL,	0 }
	};
	struct list_args	 a;
	json_t			*req, *reply, *o;
	size_t			 i;
	int			 rv;

	memset(&a, 0, sizeof(a));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, list_opt,
	    &a)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage_error(cmd, "unexpected argument \"%s\"",
		    argv[0]);
	req = json_pack("{s:s}", "op", "order.list");
	if (a.state != NULL)
		json_object_set_new(req, "state", json_string(a.state));
	if (a.mine)
		json_object_set_new(req, "mine", json_true());
	ctl_paging_req(req, &a.pg);
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else {
		json_array_foreach(json_object_get(reply, "orders"), i, o) {
			ctl_put_order_header(stdout, o);
			putchar('\n');
		}
		ctl_print_paging(reply);
	}
	json_decref(reply);
	return CTL_OK;
}

/* --- modify, cancel, urgent, reprint, bump --------------------------------- */

struct change_args {
	json_t		*req;
	json_t		*add, *remove;
};

static int
change_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	static const char *const bump_states[] = { FO_ORDER_EN_PREPARACION,
	    FO_ORDER_LISTO, NULL };
	struct change_args	*a = p;

	switch (ch) {
	case 'a':
		return parse_item(cmd, "--add", arg, 1, a->add);
	case 'r':
		return parse_item(cmd, "--remove", arg, 0, a->remove);
	case 's':
		if (*arg == '\0')
			return ctl_usage_error(cmd, "--station takes a "
			    "station name");
		json_object_set_new(a->req, "station", json_string(arg));
		break;
	case 'S':
		if (!one_of(arg, bump_states))
			return ctl_usage_error(cmd, "--state is "
			    "en_preparacion or listo, not \"%s\"", arg);
		json_object_set_new(a->req, "state", json_string(arg));
		break;
	}
	return 0;
}

static int
order_change(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option modify_opts[] = {
		{ "add",	required_argument,	NULL,	'a' },
		{ "remove",	required_argument,	NULL,	'r' },
		{ NULL,		0,			NULL,	0 }
	};
	static const struct option reprint_opts[] = {
		{ "station",	required_argument,	NULL,	's' },
		{ NULL,		0,			NULL,	0 }
	};
	static const struct option bump_opts[] = {
		{ "station",	required_argument,	NULL,	's' },
		{ "state",	required_argument,	NULL,	'S' },
		{ NULL,		0,			NULL,	0 }
	};
	static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };
	const struct option	*longopts = no_opts;
	struct change_args	 a;
	json_int_t		 id;
	json_t			*reply;
	char			 op[32];
	int			 rv;

	/* "order cancel" -> "order.cancel" */
	snprintf(op, sizeof(op), "order.%s", cmd->name + strlen("order "));
	if (cmd == &cmd_order_modify)
		longopts = modify_opts;
	else if (cmd == &cmd_order_reprint)
		longopts = reprint_opts;
	else if (cmd == &cmd_order_bump)
		longopts = bump_opts;

	a.req = json_pack("{s:s}", "op", op);
	a.add = json_array();
	a.remove = json_array();
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, change_opt,
	    &a)) != 0)
		goto out;
	rv = CTL_USAGE;
	if (argc != 1) {
		ctl_usage(cmd);
		goto out;
	}
	if ((rv = ctl_order_id(cmd, argv[0], &id)) != 0)
		goto out;
	json_object_set_new(a.req, "id", json_integer(id));
	if (cmd == &cmd_order_modify) {
		if (json_array_size(a.add) == 0 &&
		    json_array_size(a.remove) == 0) {
			rv = ctl_usage_error(cmd, "give at least one --add or "
			    "--remove");
			goto out;
		}
		if (json_array_size(a.add) > 0)
			json_object_set(a.req, "add", a.add);
		if (json_array_size(a.remove) > 0)
			json_object_set(a.req, "remove", a.remove);
	}
	rv = ctl_request(ctl, json_incref(a.req), &reply);
	if (rv != CTL_OK)
		goto out;
	if (ctl->json)
		ctl_print_json(reply);
	else if (json_object_get(reply, "order") != NULL)
		ctl_print_order_summary(json_object_get(reply, "order"));
	json_decref(reply);
out:
	json_decref(a.req);
	json_decref(a.add);
	json_decref(a.remove);
	return rv;
}
