/*
 * pgmenu — the menu and the staff of the branch from PostgreSQL.  See
 * pgmenu.h.
 *
 * Each call opens its own short connection and closes it: the daemon asks
 * at start-up and on SIGHUP, seconds apart at best, and must not depend
 * on a connection left open for hours.  Both the connection and the
 * queries are bounded (connect_timeout, statement_timeout), since the
 * daemon waits for them: a database that does not answer must not keep a
 * branch from opening for long.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "daemon.h"
#include "log.h"
#include "pgmenu.h"

/* The branch's ids, found by the names in [daemon]. */
#define BRANCH_SQL \
	"SELECT b.company_id, b.id FROM branches b " \
	"JOIN companies c ON c.id = b.company_id " \
	"WHERE c.name = $1 AND b.name = $2"
/* The table keeps no order: categories (the POS's tabs) and names sort. */
#define PRODUCTS_SQL \
	"SELECT id, name, category, price_cents FROM products " \
	"WHERE company_id = $1 AND branch_id = $2 AND active " \
	"ORDER BY category, name, id"
#define USERS_SQL \
	"SELECT name, role, pin_hash FROM users " \
	"WHERE company_id = $1 AND branch_id = $2 ORDER BY name"

struct branch_ids {
	char	company[16];
	char	branch[16];
};

static void	 set_err(char *, size_t, const char *, const char *);
static PGconn	*pg_connect(const struct config *, char *, size_t);
static PGresult	*pg_query(PGconn *, const char *, int, const char *const *,
		    const char *, char *, size_t);
static int	 branch_find(PGconn *, const struct config *,
		    struct branch_ids *, char *, size_t);
static void	 put_field(FILE *, const char *);
static int	 write_menu(const struct config *, PGresult *, const char *,
		    char *, size_t, char *, size_t);
static int	 check_menu(const struct config *, const char *, char *,
		    size_t);
static void	 fsync_dir(const char *);
static int	 hash_ok(const char *);
static int	 in_result(PGresult *, const char *);

/* "what: message" on one line: libpq's messages span several. */
static void
set_err(char *err, size_t errlen, const char *what, const char *msg)
{
	size_t	i, n;
	int	space = 0, line = 0;

	if (errlen == 0)
		return;
	if ((n = (size_t)snprintf(err, errlen, "%s: ", what)) >= errlen)
		return;
	for (i = 0; msg != NULL && msg[i] != '\0' && n + 3 < errlen; i++) {
		if (msg[i] == '\n')
			line = 1;
		if (msg[i] == '\n' || msg[i] == '\t' || msg[i] == ' ') {
			space = 1;
			continue;
		}
		if (line && err[n - 1] != ' ')
			err[n++] = ';';
		if (space && err[n - 1] != ' ')
			err[n++] = ' ';
		space = line = 0;
		err[n++] = msg[i];
	}
	err[n] = '\0';
}

/*
 * Connect with [postgres] conninfo.  connect_timeout and application_name
 * come first, so that what the conninfo says wins.
 */
static PGconn *
pg_connect(const struct config *cfg, char *err, size_t errlen)
{
	const char *const kw[] = { "connect_timeout", "application_name",
			    "dbname", NULL };
	const char *const val[] = { PGMENU_CONNECT_TIMEOUT, "fastops-queued",
			    cfg->postgres.conninfo, NULL };
	PGconn		*c;
	PGresult	*res;

	if ((c = PQconnectdbParams(kw, val, 1)) == NULL) {
		snprintf(err, errlen, "PostgreSQL: out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		/* libpq's message names the server, never the password */
		set_err(err, errlen, "PostgreSQL", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	res = PQexec(c, "SET statement_timeout = '" PGMENU_QUERY_TIMEOUT "'");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_err(err, errlen, "PostgreSQL", PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* A query returning rows; NULL with err set on failure. */
static PGresult *
pg_query(PGconn *c, const char *sql, int n, const char *const *params,
    const char *what, char *err, size_t errlen)
{
	PGresult	*res;

	res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_err(err, errlen, what, PQerrorMessage(c));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int
branch_find(PGconn *c, const struct config *cfg, struct branch_ids *ids,
    char *err, size_t errlen)
{
	const char	*params[2];
	PGresult	*res;

	params[0] = cfg->daemon.company;
	params[1] = cfg->daemon.branch;
	if ((res = pg_query(c, BRANCH_SQL, 2, params, "branches", err,
	    errlen)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		snprintf(err, errlen, "company %s, branch %s is not in the "
		    "database (fastops-ctl menu import adds it)",
		    cfg->daemon.company, cfg->daemon.branch);
		PQclear(res);
		return -1;
	}
	snprintf(ids->company, sizeof(ids->company), "%s",
	    PQgetvalue(res, 0, 0));
	snprintf(ids->branch, sizeof(ids->branch), "%s",
	    PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

/* A CSV field, always quoted: names hold commas, quotes, anything. */
static void
put_field(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}

/*
 * The rows as a menu file: a temporary file in dir, written and fsynced,
 * its name in tmp.  -1 with err set (and nothing left behind) on failure.
 */
static int
write_menu(const struct config *cfg, PGresult *res, const char *dir,
    char *tmp, size_t tmplen, char *err, size_t errlen)
{
	FILE	*f;
	int	 fd, i, saved;

	if ((size_t)snprintf(tmp, tmplen, "%s/%s.XXXXXX", dir, PGMENU_FILE) >=
	    tmplen) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	(void)fchmod(fd, 0640);		/* a menu is no secret */
	if ((f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		goto fail;
	}
	fprintf(f, "# The menu of company %s, branch %s, from PostgreSQL.\n"
	    "# Written by fastops-queued; the next fetch replaces it.\n",
	    cfg->daemon.company, cfg->daemon.branch);
	fputs("id,name,category,price_cents\n", f);
	for (i = 0; i < PQntuples(res); i++) {
		put_field(f, PQgetvalue(res, i, 0));
		putc(',', f);
		put_field(f, PQgetvalue(res, i, 1));
		putc(',', f);
		put_field(f, PQgetvalue(res, i, 2));
		fprintf(f, ",%s\n", PQgetvalue(res, i, 3));
	}
	if (fflush(f) == EOF || ferror(f) || fsync(fileno(f)) == -1) {
		saved = errno;
		fclose(f);
		goto fail;
	}
	if (fclose(f) == EOF) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", tmp, strerror(saved));
	(void)unlink(tmp);
	return -1;
}

/*
 * Would the daemon take this menu?  The same two checks it makes on any
 * menu file; the mistakes are logged, as nobody else will see them.
 */
static int
check_menu(const struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	struct menu	*m = NULL;
	char		*errors = NULL;
	size_t		 n;
	int		 rv = 0;

	if (menu_load(path, &m, &errors) == -1 ||
	    menu_check_routes(m, cfg, &errors) > 0) {
		if (errors != NULL && (n = strlen(errors)) > 0 &&
		    errors[n - 1] == '\n')
			errors[n - 1] = '\0';
		log_warnx("menu: the products of company %s, branch %s in "
		    "PostgreSQL are not a menu this daemon can take:\n%s",
		    cfg->daemon.company, cfg->daemon.branch,
		    errors != NULL ? errors : "");
		snprintf(err, errlen, "the products in PostgreSQL are not a "
		    "valid menu here (mistakes logged above)");
		rv = -1;
	}
	free(errors);
	menu_free(m);
	return rv;
}

/* After a rename: the new name is durable only once its directory is. */
static void
fsync_dir(const char *dir)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (fsync(fd) == -1)
		log_warn("fsync %s", dir);
	close(fd);
}

int
pgmenu_fetch(const struct config *cfg, int flags, char *path,
    size_t pathlen, char *err, size_t errlen)
{
	struct branch_ids	 ids;
	struct stat		 sb;
	const char		*params[2], *tmpdir;
	PGconn			*c;
	PGresult		*res = NULL;
	char			 cache[PATH_MAX], tmp[PATH_MAX];
	int			 n;

	if ((size_t)snprintf(cache, sizeof(cache), "%s/%s",
	    cfg->daemon.state_dir, PGMENU_FILE) >= sizeof(cache)) {
		snprintf(err, errlen, "%s: path too long",
		    cfg->daemon.state_dir);
		return -1;
	}
	if ((c = pg_connect(cfg, err, errlen)) == NULL ||
	    branch_find(c, cfg, &ids, err, errlen) == -1)
		goto cached;
	params[0] = ids.company;
	params[1] = ids.branch;
	if ((res = pg_query(c, PRODUCTS_SQL, 2, params, "products", err,
	    errlen)) == NULL)
		goto cached;
	/* an empty menu would refuse every order: keep the last one */
	if ((n = PQntuples(res)) == 0) {
		snprintf(err, errlen, "company %s, branch %s has no active "
		    "products in PostgreSQL", cfg->daemon.company,
		    cfg->daemon.branch);
		goto cached;
	}
	if (flags & PGMENU_CHECK) {
		if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
			tmpdir = "/tmp";
	} else
		tmpdir = cfg->daemon.state_dir;
	if (write_menu(cfg, res, tmpdir, tmp, sizeof(tmp), err, errlen) == -1)
		goto cached;
	PQclear(res);
	res = NULL;
	PQfinish(c);
	c = NULL;
	if (check_menu(cfg, tmp, err, errlen) == -1) {
		(void)unlink(tmp);
		goto cached;
	}
	if (!(flags & PGMENU_CHECK)) {
		if (rename(tmp, cache) == -1) {
			snprintf(err, errlen, "%s: %s", cache, strerror(errno));
			(void)unlink(tmp);
			goto cached;
		}
		fsync_dir(cfg->daemon.state_dir);
		snprintf(tmp, sizeof(tmp), "%s", cache);
	}
	if ((size_t)snprintf(path, pathlen, "%s", tmp) >= pathlen) {
		snprintf(err, errlen, "%s: path too long", tmp);
		return -1;
	}
	log_info("menu: %d products of company %s, branch %s from "
	    "PostgreSQL", n, cfg->daemon.company, cfg->daemon.branch);
	return 0;

cached:
	PQclear(res);
	PQfinish(c);
	if (stat(cache, &sb) == -1 || !S_ISREG(sb.st_mode))
		return -1;
	if ((size_t)snprintf(path, pathlen, "%s", cache) >= pathlen)
		return -1;
	return 1;
}

/* What crypto_pwhash_str() makes, and fits a user record. */
static int
hash_ok(const char *s)
{
	size_t	i, n = strlen(s);

	if (n >= AUTH_HASH_MAX || strncmp(s, "$argon2", 7) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f ||
		    s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

/* Is name among the users of res (column 0)? */
static int
in_result(PGresult *res, const char *name)
{
	int	i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), name) == 0)
			return 1;
	return 0;
}

int
pgmenu_users(struct daemon *d)
{
	const struct config	*cfg = d->cfg;
	const struct auth_user	*u;
	struct branch_ids	 ids;
	const char		*params[2], *name, *role, *hash, *why;
	PGconn			*c;
	PGresult		*res = NULL;
	json_t			*rec;
	char			 err[512];
	uint64_t		 lsn, last = 0;
	size_t			 k;
	int			 i, r = -1, known, added = 0, changed = 0;
	int			 here = 0;
	int			 rv = 0;

	if ((c = pg_connect(cfg, err, sizeof(err))) == NULL ||
	    branch_find(c, cfg, &ids, err, sizeof(err)) == -1)
		goto unread;
	params[0] = ids.company;
	params[1] = ids.branch;
	if ((res = pg_query(c, USERS_SQL, 2, params, "users", err,
	    sizeof(err))) == NULL)
		goto unread;
	PQfinish(c);
	c = NULL;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < PQntuples(res); i++) {
		name = PQgetvalue(res, i, 0);
		role = PQgetvalue(res, i, 1);
		hash = PQgetvalue(res, i, 2);
		why = auth_check_name(name);
		if (why == NULL && (r = auth_role_parse(role)) == -1)
			why = "unknown role";
		if (why == NULL && !hash_ok(hash))
			why = "pin_hash is not a crypto_pwhash_str() hash";
		if (why != NULL) {
			log_warnx("users: %.40s of PostgreSQL skipped: %s",
			    name, why);
			continue;
		}
		if ((u = auth_user_get(d->auth, name)) != NULL &&
		    (int)u->role == r && strcmp(u->hash, hash) == 0)
			continue;
		known = u != NULL;
		if (!known && auth_user_count(d->auth) >= AUTH_MAX_USERS) {
			log_warnx("users: %s of PostgreSQL skipped: at most %d "
			    "users", name, AUTH_MAX_USERS);
			continue;
		}
		/* as users.add does: journaled, then applied */
		rec = json_pack("{s:s, s:s, s:s}", "name", name, "role", role,
		    "hash", hash);
		lsn = store_append(d, ORD_REC_USER_PUT, rec);
		json_decref(rec);
		if (lsn == 0) {
			log_warn("users: the journal could not take %s", name);
			rv = -1;
			break;
		}
		last = lsn;
		if (known)
			changed++;
		else
			added++;
		log_info("users: %s %s from PostgreSQL, role %s", name,
		    known ? "changed" : "added", role);
	}
	for (k = 0; k < auth_user_count(d->auth); k++) {
		u = auth_user_at(d->auth, k);
		if (in_result(res, u->name))
			continue;
		log_info("users: %s is not in PostgreSQL; kept", u->name);
		here++;
	}
	pthread_mutex_unlock(&d->lock);

	/* no commit thread runs yet: wait for the disk here */
	if (last != 0 && journal_sync(d->j, last) == -1) {
		pthread_mutex_lock(&d->lock);
		store_failed(d, journal_error(d->j) != NULL ?
		    journal_error(d->j) : strerror(errno));
		pthread_mutex_unlock(&d->lock);
		rv = -1;
	}
	log_info("users: %d in PostgreSQL, %d added, %d changed, %d only "
	    "here", PQntuples(res), added, changed, here);
	PQclear(res);
	return rv;

unread:
	log_warnx("users: not read from PostgreSQL (%s); the daemon's users "
	    "stay as they are", err);
	PQclear(res);
	PQfinish(c);
	return -1;
}
