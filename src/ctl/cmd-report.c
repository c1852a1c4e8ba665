/*
 * report hourly|printers|failures — a day's figures, from PostgreSQL.
 *
 * The daemons' write-behind (pgsync) copies every branch's orders,
 * tickets and events into the database, so a report reads them there: it
 * works while the daemon is stopped and can span the branches of a
 * company, which no one daemon knows.  Each report is one statement,
 * <sql>/queries/report-NAME.sql, that does all the counting; its
 * parameters are the company of the configuration, its branch (or
 * --branch, or NULL for every branch with --all-branches) and the day.
 *
 * Here the arguments are checked, the branch is looked up first (an empty
 * report would not say that its name was wrong), and the rows printed:
 * an aligned table under a header line, or with --json an array of
 * objects, numbers as numbers and NULL as null.  The branch column is
 * left out unless the report spans branches.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xmalloc.h"

#include "ctl.h"
#include "db.h"

/* How a cell fills its column: the last one is not padded. */
enum align {
	ALIGN_LEFT,
	ALIGN_RIGHT,
	ALIGN_LAST
};

struct report_opts {
	struct db_opts	 db;
	const char	*date;		/* --date: NULL for today */
	const char	*branch;	/* --branch */
	int		 all;		/* --all-branches */
};

static int	report_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	report_opt(const struct ctl_cmd *, int, const char *, void *);
static int	valid_date(const char *);
static int	valid_name(const char *);
static int	find_branch(struct pg_conn *, const char *, const char *);
static int	needs_quotes(const char *);
static char	*cell_text(const char *, enum db_kind);
static size_t	text_width(const char *);
static void	put_padded(const char *, size_t, enum align);
static void	print_table(const struct db_rows *, int);
static json_t	*cell_json(const char *, enum db_kind);
static void	print_json(const struct db_rows *, int);

const struct ctl_cmd cmd_report = { "report",
	"hourly|printers|failures [--date D] [--branch B | --all-branches] "
	"[--conninfo STRING] [--sql DIR]", report_exec };

/* The reports, by the name that is also their file's. */
static const char *const reports[] = { "hourly", "printers", "failures" };
#define NREPORTS	(sizeof(reports) / sizeof(reports[0]))

/* --- the command line ----------------------------------------------------- */

static int
report_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct report_opts	*o = p;

	switch (ch) {
	case 'd':
		if (valid_date(arg) == -1)
			return ctl_usage_error(cmd, "--date takes a day as "
			    "YYYY-MM-DD, not \"%s\"", arg);
		o->date = arg;
		break;
	case 'b':
		if (valid_name(arg) == -1)
			return ctl_usage_error(cmd, "--branch takes a branch "
			    "name (a-z, 0-9, _ and -, up to %d characters), "
			    "not \"%s\"", CONFIG_NAME_MAX, arg);
		o->branch = arg;
		break;
	case 'a':
		o->all = 1;
		break;
	case 'c':
	case 's':
		return db_opt(cmd, ch, arg, &o->db);
	}
	return 0;
}

/* YYYY-MM-DD, a day of the calendar from year 1; -1 if s is not one. */
static int
valid_date(const char *s)
{
	static const int	 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			 i, y = 0, m, d, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap) ? 0 : -1;
}

/* A name as fastops.ini takes it; -1 if s is not one. */
static int
valid_name(const char *s)
{
	size_t	n = strlen(s);

	if (n < 1 || n > CONFIG_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return -1;
	return 0;
}

/* --- the database --------------------------------------------------------- */

/*
 * Is there such a branch (with branch NULL: any branch of the company)?
 * CTL_OK, or CTL_REFUSED saying what is not there.
 */
static int
find_branch(struct pg_conn *c, const char *company, const char *branch)
{
	const char	*params[2] = { company, branch };
	struct db_rows	 r;
	int		 rv;

	rv = db_rows(c, "branch", "SELECT count(DISTINCT c.id), count(b.id) "
	    "FROM companies c LEFT JOIN branches b ON b.company_id = c.id "
	    "AND ($2::text IS NULL OR b.name = $2) "
	    "WHERE c.name = $1::text", 2, params, &r);
	if (rv == CTL_OK && strcmp(r.cell[1], "0") == 0) {
		if (branch != NULL)
			ctl_warnx("no branch %s of company %s in the database",
			    branch, company);
		else if (strcmp(r.cell[0], "0") == 0)
			ctl_warnx("no company %s in the database", company);
		else
			ctl_warnx("no branch of company %s in the database",
			    company);
		rv = CTL_REFUSED;
	}
	db_rows_free(&r);
	return rv;
}

/* --- output --------------------------------------------------------------- */

/* Free text is quoted when it would not read back as one word, or as a
 * NULL ("-"). */
static int
needs_quotes(const char *s)
{
	if (*s == '\0' || strcmp(s, "-") == 0)
		return 1;
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '"' || *s == '\\' ||
		    (unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* A cell as the table shows it (the caller frees it). */
static char *
cell_text(const char *v, enum db_kind kind)
{
	json_t	*j;
	char	*s;

	if (v == NULL)
		return xstrdup("-");
	if (kind != DB_TEXT || !needs_quotes(v))
		return xstrdup(v);
	j = json_string(v);
	s = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	return s != NULL ? s : xstrdup("\"?\"");
}

/* Columns on a terminal: characters, not bytes, of UTF-8. */
static size_t
text_width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* s in a column width characters wide. */
static void
put_padded(const char *s, size_t width, enum align align)
{
	size_t	n = text_width(s);

	if (align == ALIGN_RIGHT)
		for (; n < width; n++)
			putchar(' ');
	fputs(s, stdout);
	if (align == ALIGN_LEFT)
		for (; n < width; n++)
			putchar(' ');
}

/*
 * The table: a header line of the column names, then a line per row;
 * columns two blanks apart, numbers to the right, NULL as "-".  Column
 * skip (-1: none) is left out.
 */
static void
print_table(const struct db_rows *r, int skip)
{
	char	**text;
	size_t	 *width, n = (size_t)r->nrows * (size_t)r->ncols, k;
	int	  i, j, last = -1, first;

	if (r->ncols == 0)
		return;
	text = xcalloc(n > 0 ? n : 1, sizeof(*text));
	width = xcalloc((size_t)r->ncols, sizeof(*width));
	for (j = 0; j < r->ncols; j++) {
		width[j] = text_width(r->name[j]);
		if (j != skip)
			last = j;
	}
	for (k = 0; k < n; k++) {
		j = (int)(k % (size_t)r->ncols);
		text[k] = cell_text(r->cell[k], r->kind[j]);
		if (text_width(text[k]) > width[j])
			width[j] = text_width(text[k]);
	}
	for (i = -1; i < r->nrows; i++) {
		first = 1;
		for (j = 0; j < r->ncols; j++) {
			if (j == skip)
				continue;
			if (!first)
				fputs("  ", stdout);
			first = 0;
			put_padded(i < 0 ? r->name[j] :
			    text[(size_t)i * (size_t)r->ncols + (size_t)j],
			    width[j], r->kind[j] != DB_TEXT ? ALIGN_RIGHT :
			    j == last ? ALIGN_LAST : ALIGN_LEFT);
		}
		putchar('\n');
	}
	for (k = 0; k < n; k++)
		free(text[k]);
	free(text);
	free(width);
}

/* A cell as JSON: numbers as numbers, NULL (and NaN) as null. */
static json_t *
cell_json(const char *v, enum db_kind kind)
{
	json_t		*j;
	char		*end;
	long long	 ll;
	double		 d;

	if (v == NULL)
		return json_null();
	switch (kind) {
	case DB_NUMBER:
		errno = 0;
		ll = strtoll(v, &end, 10);
		if (errno == 0 && end != v && *end == '\0')
			return json_integer((json_int_t)ll);
		d = strtod(v, &end);
		if (end != v && *end == '\0' && isfinite(d))
			return json_real(d);
		return json_null();
	case DB_BOOL:
		return json_boolean(strcmp(v, "t") == 0);
	case DB_TEXT:
	default:
		j = json_string(v);
		return j != NULL ? j : json_null();
	}
}

/* The rows as one JSON array of objects, on one line. */
static void
print_json(const struct db_rows *r, int skip)
{
	json_t	*a = json_array(), *o;
	char	*s;
	size_t	 k = 0;
	int	 i, j;

	for (i = 0; i < r->nrows; i++) {
		o = json_object();
		for (j = 0; j < r->ncols; j++, k++)
			if (j != skip)
				json_object_set_new(o, r->name[j],
				    cell_json(r->cell[k], r->kind[j]));
		json_array_append_new(a, o);
	}
	/* 15 digits: 8.6, not 8.5999999999999996 */
	s = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(a);
}

/* --- the command ---------------------------------------------------------- */

static int
report_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option longopts[] = {
		{ "date",		required_argument,	NULL,	'd' },
		{ "branch",		required_argument,	NULL,	'b' },
		{ "all-branches",	no_argument,		NULL,	'a' },
		{ "conninfo",		required_argument,	NULL,	'c' },
		{ "sql",		required_argument,	NULL,	's' },
		{ NULL,			0,			NULL,	0 }
	};
	struct report_opts	 o;
	struct config		*cfg = NULL;
	struct pg_conn		*c = NULL;
	struct db_rows		 rows;
	const char		*params[3];
	char			 dir[PATH_MAX], *path = NULL, *text = NULL;
	size_t			 i, len;
	int			 skip = -1, j, rv;

	memset(&o, 0, sizeof(o));
	memset(&rows, 0, sizeof(rows));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, report_opt,
	    &o)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	for (i = 0; i < NREPORTS; i++)
		if (strcmp(argv[0], reports[i]) == 0)
			break;
	if (i == NREPORTS)
		return ctl_usage_error(cmd, "no report \"%s\": hourly, "
		    "printers or failures", argv[0]);
	if (o.all && o.branch != NULL)
		return ctl_usage_error(cmd, "--branch and --all-branches "
		    "exclude each other");

	if ((rv = db_config(ctl, &cfg)) != CTL_OK ||
	    (rv = db_sql_dir(&o.db, "queries", dir, sizeof(dir))) != CTL_OK)
		goto out;
	xasprintf(&path, "%s/queries/report-%s.sql", dir, reports[i]);
	if ((text = db_read_file(path, &len)) == NULL) {
		rv = CTL_UNREACHABLE;
		goto out;
	}
	params[0] = cfg->daemon.company;
	params[1] = o.all ? NULL : o.branch != NULL ? o.branch :
	    cfg->daemon.branch;
	params[2] = o.date;
	if ((c = db_connect(ctl, &o.db, cfg, &rv)) == NULL ||
	    (rv = find_branch(c, params[0], params[1])) != CTL_OK ||
	    (rv = db_rows(c, path, text, 3, params, &rows)) != CTL_OK)
		goto out;

	for (j = 0; !o.all && j < rows.ncols; j++)
		if (strcmp(rows.name[j], "branch") == 0)
			skip = j;
	if (ctl->json)
		print_json(&rows, skip);
	else
		print_table(&rows, skip);
	rv = CTL_OK;
out:
	db_rows_free(&rows);
	db_close(c);
	free(text);
	free(path);
	config_free(cfg);
	return rv;
}
