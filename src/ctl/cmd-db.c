/*
 * db migrate|status — the PostgreSQL schema, kept as numbered steps.
 *
 * <sql>/migrations/NNN_name.sql are the schema's history: 001 creates it
 * and each later file changes it.  The database lists in schema_version
 * the steps it has had; migrate applies the others in order, each in a
 * transaction of its own that also writes its schema_version row, so a
 * step that fails leaves no trace and the next run starts again from it.
 * The daemons of many branches share one database and may be upgraded at
 * the same moment: a session advisory lock makes a second migrate wait
 * for the first, and then find nothing left to do.
 *
 * The SQL comes from --sql DIR, else $FASTOPS_SQLDIR, else the installed
 * $(DATADIR)/sql, else ./sql of a source tree.  The database is the one
 * of --conninfo, else of [postgres] conninfo in the configuration file.
 * The daemon is not involved: these commands work while it is stopped.
 *
 * The other commands that read PostgreSQL (report) find the SQL, the
 * configuration and the database the same way, with the functions of
 * db.h: this is the one file built with libpq's headers.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>

#include "config.h"
#include "xmalloc.h"

#include "ctl.h"
#include "db.h"

#ifndef FASTOPS_DATADIR
#define FASTOPS_DATADIR	"/usr/local/share/fastops"
#endif
#define SQLDIR_ENV	"FASTOPS_SQLDIR"
#define MIGRATION_MAX	(16 * 1024 * 1024)	/* bytes of one file */
#define MIGRATION_NAME	63			/* after "NNN_" */
/* pg_advisory_lock key of migrate: "FastOps\0" as a big-endian int8 */
#define MIGRATE_LOCK	"5071461598782059264"

/* A step: its file, and whether (and when) the database had it. */
struct migration {
	int		 version;
	char		*name;		/* "initial": the file's, else the
					   database's */
	char		*file;		/* "001_initial.sql", NULL: none here */
	int		 applied;
	char		*applied_name;	/* in schema_version */
	int64_t		 applied_at;	/* unix seconds */
};

struct plan {
	char		 sqldir[PATH_MAX];
	char		 dir[PATH_MAX];	/* sqldir/migrations */
	struct migration *m;		/* by version: m[i].version == i + 1 */
	int		 n;		/* files, then rows beyond them */
	int		 latest;	/* the newest file */
	int		 version;	/* the newest step applied, 0 none */
	int		 pending;	/* files not applied */
};

static int	db_migrate(struct ctl *, const struct ctl_cmd *, int, char **);
static int	db_status(struct ctl *, const struct ctl_cmd *, int, char **);
static int	db_args(const struct ctl_cmd *, int, char **, struct db_opts *);
static int	sql_dir(const struct db_opts *, struct plan *);
static int	is_dir(const char *);
static int	parse_file_name(const char *, int *, char *, size_t);
static int	by_version(const void *, const void *);
static int	plan_files(struct plan *);
static void	plan_free(struct plan *);
static struct migration *plan_step(struct plan *, int);
static int	plan_database(struct plan *, PGconn *);
static int	plan_check(const struct plan *);
static const char *plan_state(const struct plan *);
static void	trim(char *);
static const char *config_path(const struct ctl *);
static int	db_ok(PGconn *, PGresult *, const char *);
static int	db_do(PGconn *, const char *, const char *);
static void	db_error(PGconn *, const PGresult *, const char *, const char *);
static int	db_lock(PGconn *);
static int	apply(PGconn *, const struct plan *, const struct migration *,
		    long *);
static void	print_schema(const struct plan *);
static json_t	*schema_json(const struct plan *);
static enum db_kind column_kind(Oid);

const struct ctl_cmd cmd_db_migrate = { "db migrate",
	"[--conninfo STRING] [--sql DIR]", db_migrate };
const struct ctl_cmd cmd_db_status = { "db status",
	"[--conninfo STRING] [--sql DIR]", db_status };

/* --- the command line ------------------------------------------------------ */

int
db_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct db_opts	*o = p;

	switch (ch) {
	case 'c':
		o->conninfo = arg;
		break;
	case 's':
		if (*arg == '\0')
			return ctl_usage_error(cmd, "--sql needs a directory");
		o->sqldir = arg;
		break;
	}
	return 0;
}

static int
db_args(const struct ctl_cmd *cmd, int argc, char **argv, struct db_opts *o)
{
	static const struct option longopts[] = {
		{ "conninfo",	required_argument,	NULL,	'c' },
		{ "sql",	required_argument,	NULL,	's' },
		{ NULL,		0,			NULL,	0 }
	};
	int	rv;

	memset(o, 0, sizeof(*o));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, db_opt,
	    o)) != 0)
		return rv;
	if (argc != 0)
		return ctl_usage(cmd);
	return 0;
}

/* --- the migrations on disk ------------------------------------------------ */

static int
is_dir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Where the SQL is.  A directory named by --sql or the environment must
 * be there; the installed one is only a default, for which a source
 * tree's ./sql stands in.
 */
int
db_sql_dir(const struct db_opts *o, const char *sub, char *buf, size_t len)
{
	struct stat	 st;
	const char	*d, *env;
	char		 path[PATH_MAX];

	env = getenv(SQLDIR_ENV);
	snprintf(path, sizeof(path), "%s/sql/%s", FASTOPS_DATADIR, sub);
	if (o->sqldir != NULL)
		d = o->sqldir;
	else if (env != NULL && *env != '\0')
		d = env;
	else if (is_dir(path))
		d = FASTOPS_DATADIR "/sql";
	else {
		snprintf(path, sizeof(path), "sql/%s", sub);
		if (!is_dir(path)) {
			ctl_warnx("no SQL %s in %s/sql/%s nor in ./sql/%s: "
			    "give --sql DIR or set %s", sub, FASTOPS_DATADIR,
			    sub, sub, SQLDIR_ENV);
			return CTL_UNREACHABLE;
		}
		d = "sql";
	}
	if ((size_t)snprintf(buf, len, "%s", d) >= len ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", d, sub) >=
	    sizeof(path)) {
		ctl_warnx("%s: path too long", d);
		return CTL_UNREACHABLE;
	}
	if (stat(path, &st) == -1) {
		ctl_warnx("%s: %s", path, strerror(errno));
		return CTL_UNREACHABLE;
	}
	if (!S_ISDIR(st.st_mode)) {
		ctl_warnx("%s: not a directory", path);
		return CTL_UNREACHABLE;
	}
	return CTL_OK;
}

/* The migrations' directory. */
static int
sql_dir(const struct db_opts *o, struct plan *p)
{
	int	rv;

	if ((rv = db_sql_dir(o, "migrations", p->sqldir,
	    sizeof(p->sqldir))) != CTL_OK)
		return rv;
	if ((size_t)snprintf(p->dir, sizeof(p->dir), "%s/migrations",
	    p->sqldir) >= sizeof(p->dir)) {
		ctl_warnx("%s: path too long", p->sqldir);
		return CTL_UNREACHABLE;
	}
	return CTL_OK;
}

/* "001_initial.sql": 1 and "initial"; -1 if s is not so named. */
static int
parse_file_name(const char *s, int *version, char *name, size_t len)
{
	size_t	n = strlen(s), i;

	if (n < 9 || strcmp(s + n - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (s[3] != '_' || n - 8 > MIGRATION_NAME || n - 8 >= len)
		return -1;
	for (i = 4; i < n - 4; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return -1;
	*version = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	memcpy(name, s + 4, n - 8);
	name[n - 8] = '\0';
	return *version > 0 ? 0 : -1;
}

static int
by_version(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/*
 * Read the directory: every *.sql is a step, numbered from 001 without
 * gaps.  Anything else there (a README) is not looked at.
 */
static int
plan_files(struct plan *p)
{
	DIR		*d;
	struct dirent	*de;
	char		 name[MIGRATION_NAME + 1];
	size_t		 n;
	int		 i, v, cap = 0, rv = CTL_UNREACHABLE;

	if ((d = opendir(p->dir)) == NULL) {
		ctl_warnx("%s: %s", p->dir, strerror(errno));
		return CTL_UNREACHABLE;
	}
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 4 ||
		    strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		if (parse_file_name(de->d_name, &v, name, sizeof(name)) ==
		    -1) {
			ctl_warnx("%s/%s: a migration is named NNN_name.sql "
			    "(NNN from 001, name of a-z, 0-9 and _)", p->dir,
			    de->d_name);
			goto out;
		}
		if (p->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			p->m = xreallocarray(p->m, (size_t)cap, sizeof(*p->m));
		}
		memset(&p->m[p->n], 0, sizeof(p->m[p->n]));
		p->m[p->n].version = v;
		p->m[p->n].name = xstrdup(name);
		p->m[p->n].file = xstrdup(de->d_name);
		p->n++;
	}
	if (p->n == 0) {
		ctl_warnx("%s: no migrations (NNN_name.sql)", p->dir);
		goto out;
	}
	qsort(p->m, (size_t)p->n, sizeof(*p->m), by_version);
	for (i = 0; i < p->n; i++)
		if (p->m[i].version != i + 1) {
			if (i > 0 && p->m[i].version == p->m[i - 1].version)
				ctl_warnx("%s: %s and %s have one number",
				    p->dir, p->m[i - 1].file, p->m[i].file);
			else
				ctl_warnx("%s: migration %03d is missing",
				    p->dir, i + 1);
			goto out;
		}
	p->latest = p->n;
	rv = CTL_OK;
out:
	closedir(d);
	return rv;
}

static void
plan_free(struct plan *p)
{
	int	i;

	for (i = 0; i < p->n; i++) {
		free(p->m[i].name);
		free(p->m[i].file);
		free(p->m[i].applied_name);
	}
	free(p->m);
	p->m = NULL;
	p->n = 0;
}

/* The step of a version, made (without a file) if the database has one
 * newer than the files. */
static struct migration *
plan_step(struct plan *p, int version)
{
	int	n = p->n;

	if (version <= n)
		return &p->m[version - 1];
	p->m = xreallocarray(p->m, (size_t)version, sizeof(*p->m));
	for (; n < version; n++) {
		memset(&p->m[n], 0, sizeof(p->m[n]));
		p->m[n].version = n + 1;
	}
	p->n = version;
	return &p->m[version - 1];
}

/* The database's side: which steps it had, and when. */
static int
plan_database(struct plan *p, PGconn *c)
{
	PGresult		*res;
	struct migration	*m;
	const char		*name;
	int			 i, v, rv;

	res = PQexec(c, "SELECT to_regclass('schema_version') IS NOT NULL");
	if ((rv = db_ok(c, res, "schema_version")) != CTL_OK)
		return rv;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		goto done;	/* an empty database */
	}
	PQclear(res);
	res = PQexec(c, "SELECT version, name, "
	    "extract(epoch FROM applied_at)::bigint FROM schema_version "
	    "WHERE version > 0 ORDER BY version");
	if ((rv = db_ok(c, res, "schema_version")) != CTL_OK)
		return rv;
	for (i = 0; i < PQntuples(res); i++) {
		v = atoi(PQgetvalue(res, i, 0));
		if (v <= 0 || v > 9999)
			continue;
		name = PQgetvalue(res, i, 1);
		m = plan_step(p, v);
		if (m->name == NULL)
			m->name = xstrdup(name);
		m->applied = 1;
		m->applied_name = xstrdup(name);
		m->applied_at = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	}
	PQclear(res);
done:
	for (i = 0; i < p->n; i++) {
		if (p->m[i].applied)
			p->version = p->m[i].version;
		else if (i < p->latest)
			p->pending++;
	}
	return CTL_OK;
}

/*
 * Is the database's history a beginning of ours?  Not when a step has
 * another name there (these are not its migrations, or --sql is wrong)
 * or when a step was skipped.  CTL_OK, or CTL_REFUSED with the reason.
 */
static int
plan_check(const struct plan *p)
{
	int	i;

	for (i = 0; i < p->n; i++) {
		const struct migration *m = &p->m[i];

		if (m->applied && m->file != NULL &&
		    strcmp(m->name, m->applied_name) != 0) {
			ctl_warnx("the database had migration %03d as \"%s\", "
			    "but %s has %s: is that the right SQL directory?",
			    m->version, m->applied_name, p->dir, m->file);
			return CTL_REFUSED;
		}
		if (!m->applied && m->version < p->version) {
			ctl_warnx("the database had migration %03d but not "
			    "%03d", p->version, m->version);
			return CTL_REFUSED;
		}
	}
	return CTL_OK;
}

static const char *
plan_state(const struct plan *p)
{
	if (p->version > p->latest)
		return "ahead";
	return p->pending > 0 ? "behind" : "up-to-date";
}

char *
db_read_file(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	size_t	 len = 0, cap = 65536, n;

	if ((f = fopen(path, "r")) == NULL) {
		ctl_warnx("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap + 1);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= MIGRATION_MAX) {
				ctl_warnx("%s: larger than %d bytes", path,
				    MIGRATION_MAX);
				goto fail;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
	}
	if (ferror(f)) {
		ctl_warnx("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (memchr(buf, '\0', len) != NULL) {
		ctl_warnx("%s: not a text file (NUL byte)", path);
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* --- the database ---------------------------------------------------------- */

static void
trim(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		s[--n] = '\0';
}

static const char *
config_path(const struct ctl *ctl)
{
	return ctl->config_path != NULL ? ctl->config_path :
	    config_default_path();
}

int
db_config(struct ctl *ctl, struct config **cfg)
{
	const char	*path = config_path(ctl);
	char		*errors;

	if (config_load(path, CONFIG_CLIENT, cfg, &errors) == -1) {
		if (errors != NULL) {
			trim(errors);
			ctl_warnx("%s", errors);
		} else
			ctl_warnx("%s: %s", path, strerror(errno));
		free(errors);
		return CTL_UNREACHABLE;
	}
	return CTL_OK;
}

/*
 * Connect to --conninfo, or to [postgres] conninfo of the configuration.
 * --timeout bounds the connection too.
 */
PGconn *
db_connect(struct ctl *ctl, const struct db_opts *o,
    const struct config *given, int *rv)
{
	const char	*kw[] = { "connect_timeout", "application_name",
			    "client_encoding", "dbname", NULL };
	const char	*val[5];
	struct config	*cfg = NULL;
	PGconn		*c;
	PGresult	*res;
	char		 timeout[16], *msg;

	*rv = CTL_UNREACHABLE;
	if (o->conninfo == NULL) {
		if (given == NULL) {
			if (db_config(ctl, &cfg) != CTL_OK)
				return NULL;
			given = cfg;
		}
		if (!given->postgres.enabled) {
			ctl_warnx("%s has no [postgres] section: add one with "
			    "its conninfo, or give --conninfo",
			    config_path(ctl));
			config_free(cfg);
			return NULL;
		}
	}
	/* whole seconds, rounded up; 0 is no limit for libpq too */
	snprintf(timeout, sizeof(timeout), "%d", ctl->timeout_ms < 0 ? 0 :
	    (ctl->timeout_ms + 999) / 1000);
	val[0] = timeout;
	val[1] = "fastops-ctl";
	/* the SQL files are UTF-8, and so must be what is printed as JSON */
	val[2] = "UTF8";
	/* last, so that what the conninfo says wins */
	val[3] = o->conninfo != NULL ? o->conninfo : given->postgres.conninfo;
	val[4] = NULL;
	c = PQconnectdbParams(kw, val, 1);
	config_free(cfg);
	if (c == NULL) {
		ctl_warnx("PostgreSQL: out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		/* libpq's message names the server, never the password */
		msg = xstrdup(PQerrorMessage(c));
		trim(msg);
		ctl_warnx("PostgreSQL: %s", msg);
		free(msg);
		PQfinish(c);
		return NULL;
	}
	/* the notices of "IF NOT EXISTS" and the like are not news */
	res = PQexec(c, "SET client_min_messages = warning");
	if ((*rv = db_ok(c, res, "SET")) != CTL_OK) {
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/*
 * Did res succeed?  CTL_OK keeps it for the caller; otherwise it is
 * cleared, the error printed, and CTL_UNREACHABLE (the connection is
 * gone) or CTL_REFUSED returned.
 */
static int
db_ok(PGconn *c, PGresult *res, const char *what)
{
	ExecStatusType	st = res != NULL ? PQresultStatus(res) :
			    PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
	    st == PGRES_EMPTY_QUERY)
		return CTL_OK;
	db_error(c, res, what, NULL);
	PQclear(res);
	return PQstatus(c) == CONNECTION_BAD ? CTL_UNREACHABLE : CTL_REFUSED;
}

/* A statement without rows. */
static int
db_do(PGconn *c, const char *sql, const char *what)
{
	PGresult	*res = PQexec(c, sql);
	int		 rv;

	if ((rv = db_ok(c, res, what)) == CTL_OK)
		PQclear(res);
	return rv;
}

/*
 * "WHERE: message (SQLSTATE)" and the server's detail and hint.  With the
 * text of the statement, WHERE gets the line the error is on: "FILE:12".
 */
static void
db_error(PGconn *c, const PGresult *res, const char *where, const char *text)
{
	const char	*primary, *state, *pos, *detail, *hint, *s;
	char		*msg;
	long		 chars, line = 1;

	if (res == NULL || (primary = PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY)) == NULL) {
		msg = xstrdup(PQerrorMessage(c));
		trim(msg);
		ctl_warnx("%s: %s", where, msg[0] != '\0' ? msg :
		    "PostgreSQL failed");
		free(msg);
		return;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	if (text != NULL && pos != NULL && (chars = atol(pos)) > 0) {
		/* the position counts characters, from 1 */
		for (s = text; *s != '\0'; s++) {
			if (((unsigned char)*s & 0xc0) != 0x80 && --chars == 0)
				break;
			if (*s == '\n')
				line++;
		}
		ctl_warnx("%s:%ld: %s (SQLSTATE %s)", where, line, primary,
		    state != NULL ? state : "?");
	} else
		ctl_warnx("%s: %s (SQLSTATE %s)", where, primary,
		    state != NULL ? state : "?");
	if (detail != NULL)
		ctl_warnx("DETAIL: %s", detail);
	if (hint != NULL)
		ctl_warnx("HINT: %s", hint);
}

void
db_close(PGconn *c)
{
	PQfinish(c);
}

/* The type oids of catalog/pg_type.h that hold numbers (fixed since
 * PostgreSQL 7). */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_OID		26
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_NUMERIC	1700

static enum db_kind
column_kind(Oid type)
{
	switch (type) {
	case OID_INT8:
	case OID_INT2:
	case OID_INT4:
	case OID_OID:
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return DB_NUMBER;
	case OID_BOOL:
		return DB_BOOL;
	default:
		return DB_TEXT;
	}
}

int
db_rows(PGconn *c, const char *what, const char *sql, int nparams,
    const char *const *params, struct db_rows *r)
{
	PGresult	*res;
	size_t		 n, k;
	int		 i, j, rv;

	memset(r, 0, sizeof(*r));
	res = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
		    PQresultStatus(res) == PGRES_EMPTY_QUERY)) {
			ctl_warnx("%s: not a query: it returns no rows", what);
			rv = CTL_REFUSED;
		} else {
			db_error(c, res, what, sql);
			rv = PQstatus(c) == CONNECTION_BAD ? CTL_UNREACHABLE :
			    CTL_REFUSED;
		}
		PQclear(res);
		return rv;
	}
	r->nrows = PQntuples(res);
	r->ncols = PQnfields(res);
	if (r->ncols > 0) {
		r->name = xcalloc((size_t)r->ncols, sizeof(*r->name));
		r->kind = xcalloc((size_t)r->ncols, sizeof(*r->kind));
	}
	for (j = 0; j < r->ncols; j++) {
		r->name[j] = xstrdup(PQfname(res, j));
		r->kind[j] = column_kind(PQftype(res, j));
	}
	n = (size_t)r->nrows * (size_t)r->ncols;
	if (n > 0)
		r->cell = xcalloc(n, sizeof(*r->cell));
	for (i = 0, k = 0; i < r->nrows; i++)
		for (j = 0; j < r->ncols; j++, k++)
			if (!PQgetisnull(res, i, j))
				r->cell[k] = xstrdup(PQgetvalue(res, i, j));
	PQclear(res);
	return CTL_OK;
}

void
db_rows_free(struct db_rows *r)
{
	size_t	i, n = (size_t)r->nrows * (size_t)r->ncols;

	for (i = 0; r->cell != NULL && i < n; i++)
		free(r->cell[i]);
	for (i = 0; r->name != NULL && i < (size_t)r->ncols; i++)
		free(r->name[i]);
	free(r->cell);
	free(r->name);
	free(r->kind);
	memset(r, 0, sizeof(*r));
}

/* Wait for any other migrate of this database to finish. */
static int
db_lock(PGconn *c)
{
	PGresult	*res;
	int		 rv;

	res = PQexec(c, "SELECT pg_try_advisory_lock(" MIGRATE_LOCK ")");
	if ((rv = db_ok(c, res, "lock")) != CTL_OK)
		return rv;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		return CTL_OK;
	}
	PQclear(res);
	ctl_warnx("another db migrate is running on this database; "
	    "waiting for it");
	return db_do(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock");
}

/*
 * Apply one step and record it, in one transaction.  The file runs as one
 * simple query, so it may hold any number of statements (and DO blocks)
 * but no transaction control of its own.
 */
static int
apply(PGconn *c, const struct plan *p, const struct migration *m, long *ms)
{
	struct timespec	 t0, t1;
	PGresult	*res;
	const char	*params[2];
	char		*path, *text, version[16];
	size_t		 len;
	int		 rv;

	xasprintf(&path, "%s/%s", p->dir, m->file);
	if ((text = db_read_file(path, &len)) == NULL) {
		free(path);
		return CTL_UNREACHABLE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rv = db_do(c, "BEGIN", "BEGIN")) != CTL_OK)
		goto out;
	res = PQexec(c, text);
	if (res == NULL || (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_EMPTY_QUERY)) {
		db_error(c, res, path, text);
		PQclear(res);
		rv = PQstatus(c) == CONNECTION_BAD ? CTL_UNREACHABLE :
		    CTL_REFUSED;
		if (rv == CTL_REFUSED) {
			(void)db_do(c, "ROLLBACK", "ROLLBACK");
			ctl_warnx("%s: not applied; the database is still at "
			    "version %d", path, p->version);
		}
		goto out;
	}
	PQclear(res);
	if (PQtransactionStatus(c) != PQTRANS_INTRANS) {
		ctl_warnx("%s: the file ended the transaction itself (COMMIT "
		    "or ROLLBACK): what it did before is not recorded in "
		    "schema_version; repair by hand", path);
		rv = CTL_REFUSED;
		goto out;
	}
	snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->name;
	res = PQexecParams(c, "INSERT INTO schema_version (version, name) "
	    "VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
	if ((rv = db_ok(c, res, "schema_version")) != CTL_OK) {
		if (rv == CTL_REFUSED)
			(void)db_do(c, "ROLLBACK", "ROLLBACK");
		goto out;
	}
	PQclear(res);
	/* deferred constraints are checked here: still the file's fault */
	res = PQexec(c, "COMMIT");
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_error(c, res, path, NULL);
		PQclear(res);
		rv = PQstatus(c) == CONNECTION_BAD ? CTL_UNREACHABLE :
		    CTL_REFUSED;
		goto out;
	}
	PQclear(res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	rv = CTL_OK;
out:
	if (rv == CTL_UNREACHABLE && PQstatus(c) == CONNECTION_BAD)
		ctl_warnx("%s: the connection was lost; see db status for "
		    "whether it was applied", path);
	free(text);
	free(path);
	return rv;
}

/* --- output ---------------------------------------------------------------- */

/* "schema version=1 latest=2 pending=1 state=behind sql=DIR" */
static void
print_schema(const struct plan *p)
{
	printf("schema version=%d latest=%d pending=%d state=%s sql=",
	    p->version, p->latest, p->pending, plan_state(p));
	if (strpbrk(p->sqldir, " \"\\=") != NULL)
		ctl_put_quoted(stdout, p->sqldir);
	else
		fputs(p->sqldir, stdout);
	putchar('\n');
}

static json_t *
schema_json(const struct plan *p)
{
	return json_pack("{s:i, s:i, s:i, s:s, s:s}", "version", p->version,
	    "latest", p->latest, "pending", p->pending, "state",
	    plan_state(p), "sql", p->sqldir);
}

/* --- the commands ---------------------------------------------------------- */

static int
db_migrate(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct db_opts	 o;
	struct plan	 p;
	PGconn		*c = NULL;
	json_t		*j = NULL, *done = NULL;
	long		 ms;
	int		 i, rv;

	memset(&p, 0, sizeof(p));
	if ((rv = db_args(cmd, argc, argv, &o)) != 0)
		return rv;
	if ((rv = sql_dir(&o, &p)) != CTL_OK ||
	    (rv = plan_files(&p)) != CTL_OK)
		goto out;
	if ((c = db_connect(ctl, &o, NULL, &rv)) == NULL)
		goto out;
	/* what was applied is read under the lock: it may just have grown */
	if ((rv = db_lock(c)) != CTL_OK ||
	    (rv = plan_database(&p, c)) != CTL_OK ||
	    (rv = plan_check(&p)) != CTL_OK)
		goto out;
	if (p.version > p.latest) {
		ctl_warnx("the database is at version %d, newer than the "
		    "newest migration in %s (%03d): use the fastops-ctl of "
		    "the newer FastOps, or its --sql", p.version, p.dir,
		    p.latest);
		rv = CTL_REFUSED;
		goto out;
	}
	done = json_array();
	for (i = 0; i < p.latest; i++) {
		struct migration *m = &p.m[i];

		if (m->applied)
			continue;
		if ((rv = apply(c, &p, m, &ms)) != CTL_OK)
			goto out;
		m->applied = 1;
		p.version = m->version;
		p.pending--;
		if (ctl->json)
			json_array_append_new(done, json_pack("{s:i, s:s, "
			    "s:I}", "version", m->version, "name", m->name,
			    "ms", (json_int_t)ms));
		else {
			printf("applied version=%d name=%s ms=%ld\n",
			    m->version, m->name, ms);
			fflush(stdout);
		}
	}
	(void)db_do(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")",
	    "unlock");
	if (ctl->json) {
		j = schema_json(&p);
		json_object_set(j, "applied", done);
		ctl_print_json(j);
	} else
		print_schema(&p);
	rv = CTL_OK;
out:
	json_decref(j);
	json_decref(done);
	PQfinish(c);
	plan_free(&p);
	return rv;
}

static int
db_status(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct db_opts	 o;
	struct plan	 p;
	PGconn		*c = NULL;
	json_t		*j, *list;
	int		 i, rv;

	memset(&p, 0, sizeof(p));
	if ((rv = db_args(cmd, argc, argv, &o)) != 0)
		return rv;
	if ((rv = sql_dir(&o, &p)) != CTL_OK ||
	    (rv = plan_files(&p)) != CTL_OK)
		goto out;
	if ((c = db_connect(ctl, &o, NULL, &rv)) == NULL ||
	    (rv = plan_database(&p, c)) != CTL_OK)
		goto out;
	if (ctl->json) {
		j = schema_json(&p);
		list = json_array();
		for (i = 0; i < p.n; i++) {
			const struct migration *m = &p.m[i];

			if (m->name == NULL)
				continue;	/* a gap in the database */
			json_array_append_new(list, json_pack("{s:i, s:s, "
			    "s:s?, s:o}", "version", m->version, "name",
			    m->name, "file", m->file, "applied",
			    m->applied ? json_integer(m->applied_at) :
			    json_null()));
		}
		json_object_set_new(j, "migrations", list);
		ctl_print_json(j);
		json_decref(j);
	} else {
		print_schema(&p);
		for (i = 0; i < p.n; i++) {
			const struct migration *m = &p.m[i];

			if (m->name == NULL)
				continue;
			printf("migration version=%d name=%s file=%s "
			    "applied=", m->version, m->name, m->file != NULL ?
			    m->file : "-");
			if (m->applied)
				ctl_put_time(stdout, m->applied_at);
			else
				putchar('-');
			putchar('\n');
		}
	}
	/* like health: 1 when something needs doing */
	if ((rv = plan_check(&p)) == CTL_OK &&
	    strcmp(plan_state(&p), "up-to-date") != 0)
		rv = CTL_REFUSED;
out:
	PQfinish(c);
	plan_free(&p);
	return rv;
}
