/*
 * PostgreSQL for the commands that use it (db migrate|status, report),
 * implemented in cmd-db.c: where the SQL is, the configuration and the
 * connection, and a statement's rows.
 *
 * Nothing here needs libpq's headers: a connection is libpq's struct
 * pg_conn (PGconn) by its tag, and rows come back as the text PostgreSQL
 * writes, with the kind of each column, which is what both a table and
 * JSON are printed from.
 */
#ifndef FASTOPS_CTL_DB_H
#define FASTOPS_CTL_DB_H

#include <stddef.h>

struct config;
struct ctl;
struct ctl_cmd;
struct pg_conn;

/* --conninfo and --sql. */
struct db_opts {
	const char	*conninfo;	/* NULL: [postgres] conninfo */
	const char	*sqldir;	/* NULL: FASTOPS_SQLDIR, installed,
					   ./sql */
};

/* A ctl_options() callback for 'c' (--conninfo) and 's' (--sql); arg is
 * a struct db_opts. */
int	 db_opt(const struct ctl_cmd *, int, const char *, void *);

/*
 * The SQL directory that has the subdirectory sub ("migrations",
 * "queries"), into buf.  CTL_OK, or CTL_UNREACHABLE with a message.
 */
int	 db_sql_dir(const struct db_opts *, const char *sub, char *buf,
	    size_t len);

/* The configuration of -f or its default: CTL_OK with *cfg (the caller
 * frees it with config_free), or CTL_UNREACHABLE with a message. */
int	 db_config(struct ctl *, struct config **cfg);

/*
 * Connect to --conninfo, else to [postgres] conninfo of cfg (NULL: read
 * the configuration here).  NULL with *rv set (message printed) on
 * failure; the caller closes it with db_close().
 */
struct pg_conn *db_connect(struct ctl *, const struct db_opts *,
	    const struct config *cfg, int *rv);
void	 db_close(struct pg_conn *);

/* A whole file as a string (the caller frees it); NULL with a message. */
char	*db_read_file(const char *path, size_t *len);

/* What a column holds: numbers are printed as JSON numbers. */
enum db_kind {
	DB_TEXT,
	DB_NUMBER,	/* integer, numeric, floating point */
	DB_BOOL		/* "t" or "f" */
};

/* The rows of a statement, as PostgreSQL writes them in text. */
struct db_rows {
	int		  nrows;
	int		  ncols;
	char		**name;		/* [ncols]: column names */
	enum db_kind	 *kind;		/* [ncols] */
	char		**cell;		/* [nrows * ncols], by row; NULL is
					   SQL NULL */
};

/*
 * Run one statement with text parameters (NULL for SQL NULL) and keep its
 * rows in *rows (free with db_rows_free, whatever the outcome).  what
 * names the statement in errors, with the line of sql the error is on.
 * CTL_OK; CTL_REFUSED if PostgreSQL refused it (message printed);
 * CTL_UNREACHABLE if the connection was lost.
 */
int	 db_rows(struct pg_conn *, const char *what, const char *sql,
	    int nparams, const char *const *params, struct db_rows *rows);
void	 db_rows_free(struct db_rows *);

#endif
