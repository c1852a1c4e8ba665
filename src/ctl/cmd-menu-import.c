/*
 * menu import — a menu.csv into the products table, for the daemons
 * whose [menu] source is postgres: how a chain keeps one menu for its
 * branches.
 *
 * The file is read with menu_load(), so it is held to the daemon's rules
 * and its mistakes come out as the daemon would print them; a file with
 * any mistake writes nothing.  Then, in one transaction, every product of
 * the file is upserted into the branch (or every branch of the company)
 * as active, and the branch's products missing from the file are marked
 * inactive: never deleted, since past orders name them.
 *
 * A branch must exist, except the configuration's own: its company and
 * branch rows are added if missing, as pgsync adds them, since importing
 * the menu is how a new branch starts.  Another name is more likely a
 * typing mistake than a new branch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "config.h"
#include "menu.h"
#include "xmalloc.h"

#include "ctl.h"
#include "db.h"

#define ENSURE_COMPANY_SQL \
	"INSERT INTO companies (name) VALUES ($1) " \
	"ON CONFLICT (name) DO NOTHING"
#define ENSURE_BRANCH_SQL \
	"INSERT INTO branches (company_id, name) " \
	"SELECT id, $2::text FROM companies WHERE name = $1 " \
	"ON CONFLICT (company_id, name) DO NOTHING"
/* $2 NULL: every branch of the company */
#define BRANCHES_SQL \
	"SELECT b.company_id, b.id, b.name FROM branches b " \
	"JOIN companies c ON c.id = b.company_id " \
	"WHERE c.name = $1 AND ($2::text IS NULL OR b.name = $2::text) " \
	"ORDER BY b.name"
/* $3: the products as a JSON array of objects */
#define UPSERT_SQL \
	"INSERT INTO products (company_id, branch_id, id, name, category, " \
	"    price_cents, active, updated_at) " \
	"SELECT $1, $2, p.id, p.name, p.category, p.price_cents, true, " \
	"    now() " \
	"FROM jsonb_to_recordset($3::jsonb) AS p(id text, name text, " \
	"    category text, price_cents integer) " \
	"ON CONFLICT (company_id, branch_id, id) DO UPDATE SET " \
	"    name = EXCLUDED.name, category = EXCLUDED.category, " \
	"    price_cents = EXCLUDED.price_cents, active = true, " \
	"    updated_at = now()"
#define DEACTIVATE_SQL \
	"UPDATE products SET active = false, updated_at = now() " \
	"WHERE company_id = $1 AND branch_id = $2 AND active AND " \
	"    id NOT IN (SELECT p.id FROM jsonb_to_recordset($3::jsonb) " \
	"    AS p(id text))"

struct import_args {
	const char	*branch;	/* --branch */
	int		 all;		/* --all-branches */
	const char	*conninfo;	/* --conninfo */
};

static int	import_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	import_opt(const struct ctl_cmd *, int, const char *, void *);
static void	trim(char *);
static void	warn_routes(const struct menu *, const struct config *);
static char	*products_json(const struct menu *);
static int	check(PGconn *, PGresult *, const char *);
static int	exec_params(PGconn *, const char *, int, const char *const *,
		    const char *, PGresult **);
static int	import(PGconn *, const struct config *,
		    const struct import_args *, const char *, json_t *);

const struct ctl_cmd cmd_menu_import = { "menu import",
	"FILE [--branch NAME | --all-branches] [--conninfo STRING]",
	import_exec };

static int
import_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct import_args	*a = p;

	switch (ch) {
	case 'b':
		if (!config_valid_name(arg, CONFIG_NAME_MAX))
			return ctl_usage_error(cmd, "--branch takes a branch "
			    "name (a-z, 0-9, _ and -, at most %d), not \"%s\"",
			    CONFIG_NAME_MAX, arg);
		a->branch = arg;
		break;
	case 'a':
		a->all = 1;
		break;
	case 'c':
		a->conninfo = arg;
		break;
	}
	return 0;
}

static void
trim(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
}

/*
 * The branch's daemon keeps its last menu while a category has no
 * station: say so now rather than let the admin find out there.  Only a
 * warning, as this machine's [routing] may not be the branch's.
 */
static void
warn_routes(const struct menu *m, const struct config *cfg)
{
	char	*errors = NULL, *line, *next;

	if (cfg->nroutes == 0 || menu_check_routes(m, cfg, &errors) == 0)
		return;
	for (line = errors; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		ctl_warnx("warning: %s", line);
	}
	ctl_warnx("warning: the daemon of branch %s keeps its previous menu "
	    "until every category has a station", cfg->daemon.branch);
	free(errors);
}

/* [{"id":..., "name":..., "category":..., "price_cents":...}, ...] */
static char *
products_json(const struct menu *m)
{
	const struct menu_product	*p;
	json_t				*a;
	char				*s;
	size_t				 i;

	a = json_array();
	for (i = 0; i < menu_count(m); i++) {
		p = menu_product(m, i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i}",
		    "id", p->id, "name", p->name, "category", p->category,
		    "price_cents", p->price_cents));
	}
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/*
 * Did res succeed?  CTL_OK keeps it; otherwise it is cleared, the error
 * printed ("what: message (SQLSTATE)" and the server's detail), and
 * CTL_UNREACHABLE (the connection is gone) or CTL_REFUSED returned.
 */
static int
check(PGconn *c, PGresult *res, const char *what)
{
	ExecStatusType	 st = PQresultStatus(res);
	const char	*primary, *state, *detail;
	char		*msg;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return CTL_OK;
	if (res != NULL && (primary = PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY)) != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		ctl_warnx("%s: %s (SQLSTATE %s)", what, primary,
		    state != NULL ? state : "?");
		if (detail != NULL)
			ctl_warnx("DETAIL: %s", detail);
	} else {
		msg = xstrdup(PQerrorMessage(c));
		trim(msg);
		ctl_warnx("%s: %s", what, msg[0] != '\0' ? msg :
		    "PostgreSQL failed");
		free(msg);
	}
	PQclear(res);
	return PQstatus(c) == CONNECTION_BAD ? CTL_UNREACHABLE : CTL_REFUSED;
}

/* One statement; its result in *out if out is not NULL. */
static int
exec_params(PGconn *c, const char *sql, int n, const char *const *params,
    const char *what, PGresult **out)
{
	PGresult	*res;
	int		 rv;

	res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if ((rv = check(c, res, what)) != CTL_OK)
		return rv;
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return CTL_OK;
}

/*
 * The transaction: the branches, then for each the upsert and the
 * deactivation.  done gets {"branch", "imported", "deactivated"} per
 * branch.  Nothing is left changed unless it returns CTL_OK.
 */
static int
import(PGconn *c, const struct config *cfg, const struct import_args *a,
    const char *products, json_t *done)
{
	const char	*branch, *params[3];
	PGresult	*res = NULL, *r;
	long long	 imported, deactivated;
	int		 i, rv;

	branch = a->all ? NULL : a->branch != NULL ? a->branch :
	    cfg->daemon.branch;
	if ((rv = exec_params(c, "BEGIN", 0, NULL, "BEGIN", NULL)) != CTL_OK)
		return rv;
	params[0] = cfg->daemon.company;
	params[1] = branch;
	if (branch != NULL && strcmp(branch, cfg->daemon.branch) == 0 &&
	    ((rv = exec_params(c, ENSURE_COMPANY_SQL, 1, params, "companies",
	    NULL)) != CTL_OK || (rv = exec_params(c, ENSURE_BRANCH_SQL, 2,
	    params, "branches", NULL)) != CTL_OK))
		goto fail;
	if ((rv = exec_params(c, BRANCHES_SQL, 2, params, "branches", &res)) !=
	    CTL_OK)
		goto fail;
	if (PQntuples(res) == 0) {
		if (branch != NULL)
			ctl_warnx("company %s has no branch %s in the "
			    "database (only this configuration's own, %s, is "
			    "added by menu import)", cfg->daemon.company,
			    branch, cfg->daemon.branch);
		else
			ctl_warnx("company %s has no branches in the "
			    "database", cfg->daemon.company);
		rv = CTL_REFUSED;
		goto fail;
	}
	for (i = 0; i < PQntuples(res); i++) {
		params[0] = PQgetvalue(res, i, 0);
		params[1] = PQgetvalue(res, i, 1);
		params[2] = products;
		if ((rv = exec_params(c, UPSERT_SQL, 3, params, "products",
		    &r)) != CTL_OK)
			goto fail;
		imported = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		if ((rv = exec_params(c, DEACTIVATE_SQL, 3, params, "products",
		    &r)) != CTL_OK)
			goto fail;
		deactivated = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		json_array_append_new(done, json_pack("{s:s, s:I, s:I}",
		    "branch", PQgetvalue(res, i, 2), "imported",
		    (json_int_t)imported, "deactivated",
		    (json_int_t)deactivated));
	}
	PQclear(res);
	return exec_params(c, "COMMIT", 0, NULL, "COMMIT", NULL);
fail:
	PQclear(res);
	if (PQstatus(c) == CONNECTION_OK)
		PQclear(PQexec(c, "ROLLBACK"));
	return rv;
}

static int
import_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "branch",		required_argument,	NULL,	'b' },
		{ "all-branches",	no_argument,		NULL,	'a' },
		{ "conninfo",		required_argument,	NULL,	'c' },
		{ NULL,			0,			NULL,	0 }
	};
	struct import_args	 a;
	struct db_opts		 dbo = { NULL, NULL };
	struct config		*cfg = NULL;
	struct menu		*m = NULL;
	PGconn			*c = NULL;
	json_t			*done = NULL, *b;
	char			*errors = NULL, *products = NULL;
	size_t			 i;
	int			 rv;

	memset(&a, 0, sizeof(a));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, import_opt,
	    &a)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	if (a.all && a.branch != NULL)
		return ctl_usage_error(cmd, "--branch and --all-branches "
		    "exclude each other");

	/* the company, this machine's branch and the database */
	if ((rv = db_config(ctl, &cfg)) != CTL_OK)
		return rv;
	/* the daemon's rules, and its messages, before anything is sent */
	if (menu_load(argv[0], &m, &errors) == -1) {
		rv = errno == EINVAL ? CTL_REFUSED : CTL_UNREACHABLE;
		fputs(errors != NULL ? errors : "", stderr);
		ctl_warnx("%s: nothing imported", argv[0]);
		goto out;
	}
	if (!a.all && (a.branch == NULL ||
	    strcmp(a.branch, cfg->daemon.branch) == 0))
		warn_routes(m, cfg);
	if ((products = products_json(m)) == NULL) {
		ctl_warnx("%s: out of memory", argv[0]);
		rv = CTL_REFUSED;
		goto out;
	}
	dbo.conninfo = a.conninfo;
	if ((c = db_connect(ctl, &dbo, cfg, &rv)) == NULL)
		goto out;
	done = json_array();
	if ((rv = import(c, cfg, &a, products, done)) != CTL_OK) {
		ctl_warnx("%s: nothing imported", argv[0]);
		goto out;
	}
	if (ctl->json) {
		b = json_pack("{s:b, s:O}", "ok", 1, "branches", done);
		ctl_print_json(b);
		json_decref(b);
	} else
		json_array_foreach(done, i, b)
			printf("%" JSON_INTEGER_FORMAT " products imported, %"
			    JSON_INTEGER_FORMAT " deactivated (branch %s)\n",
			    fo_int(b, "imported"), fo_int(b, "deactivated"),
			    fo_str(b, "branch"));
out:
	json_decref(done);
	db_close(c);
	free(products);
	free(errors);
	menu_free(m);
	config_free(cfg);
	return rv;
}
