/*
 * journal verify|dump — read a journal offline, without the daemon and
 * without changing a byte: is it whole, and what does it hold?
 *
 * Queue records (types below 64) are binary and decoded here with
 * qrec_decode(); the daemon's records (orders, users) are JSON text and
 * printed as such, except the PIN hashes of user records, which are
 * masked.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "journal.h"
#include "orders.h"	/* ORD_REC_*: the daemon's record types */
#include "qstate.h"

#include "ctl.h"

static int	journal_verify_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	journal_dump_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static const char *rec_type_name(uint16_t, char *, size_t);
static int	journal_dir(struct ctl *, const struct ctl_cmd *, int, char **,
		    char *, size_t);
static int	verdict(const char *, int, int,
		    const struct journal_recovery *);
static json_t	*qrec_json(uint16_t, const void *, size_t);
static int	dump_record(uint64_t, uint16_t, const void *, size_t,
		    void *);

const struct ctl_cmd cmd_journal_verify = { "journal verify", "[DIR]",
	journal_verify_exec };
const struct ctl_cmd cmd_journal_dump = { "journal dump", "[DIR]",
	journal_dump_exec };

static const char *
rec_type_name(uint16_t type, char *buf, size_t len)
{
	switch (type) {
	case ORD_REC_CREATED:		return "order.created";
	case ORD_REC_MODIFIED:		return "order.modified";
	case ORD_REC_CANCELLED:		return "order.cancelled";
	case ORD_REC_URGENT:		return "order.urgent";
	case ORD_REC_REPRINT:		return "order.reprint";
	case ORD_REC_BUMPED:		return "order.bumped";
	case ORD_REC_USER_PUT:		return "user.put";
	case ORD_REC_USER_DEL:		return "user.del";
	case ORD_REC_PRINTER:		return "printer";
	}
	if (type < QREC_DAEMON_BASE && strcmp(qrec_type_name(type),
	    "unknown") != 0)
		return qrec_type_name(type);
	snprintf(buf, len, "type-%u", type);
	return buf;
}

/* The journal directory: DIR, or <state_dir>/journal of the config. */
static int
journal_dir(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv, char *dir, size_t len)
{
	struct config	*cfg;
	const char	*path;
	char		*errors;
	size_t		 n;

	if (argc > 1)
		return ctl_usage(cmd);
	if (argc == 1) {
		snprintf(dir, len, "%s", argv[0]);
		return CTL_OK;
	}
	path = ctl->config_path != NULL ? ctl->config_path :
	    config_default_path();
	if (config_load(path, CONFIG_CLIENT, &cfg, &errors) == -1) {
		if (errors != NULL) {
			n = strlen(errors);
			while (n > 0 && errors[n - 1] == '\n')
				errors[--n] = '\0';
			ctl_warnx("%s", errors);
		} else
			ctl_warnx("%s: %s", path, strerror(errno));
		free(errors);
		return CTL_UNREACHABLE;
	}
	snprintf(dir, len, "%s/journal", cfg->daemon.state_dir);
	config_free(cfg);
	return CTL_OK;
}

/* A verdict: CTL_OK when whole, else the message and CTL_DAMAGED (or
 * CTL_UNREACHABLE when the directory cannot be read at all). */
static int
verdict(const char *dir, int rc, int saved, const struct journal_recovery *r)
{
	if (rc == 0)
		return CTL_OK;
	ctl_warnx("journal %s: %s", dir, r->message[0] != '\0' ? r->message :
	    strerror(saved));
	return saved == EBADMSG || saved == EPROTO ? CTL_DAMAGED :
	    CTL_UNREACHABLE;
}

static int
journal_verify_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	struct journal_recovery	 r;
	char			 dir[PATH_MAX];
	json_t			*j;
	int			 rc, rv, saved;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if ((rv = journal_dir(ctl, cmd, argc, argv, dir, sizeof(dir))) != 0)
		return rv;
	rc = journal_verify(dir, NULL, NULL, &r);
	saved = errno;
	if (rc == -1 && saved != EBADMSG && saved != EPROTO)
		return verdict(dir, rc, saved, &r);
	if (ctl->json) {
		j = json_pack("{s:s, s:b, s:i, s:I, s:I, s:I, s:I, s:s}",
		    "dir", dir, "whole", rc == 0, "segments", (int)r.segments,
		    "snapshot_lsn", (json_int_t)r.snapshot_lsn,
		    "first_lsn", (json_int_t)r.first_lsn,
		    "last_lsn", (json_int_t)r.last_lsn,
		    "records", (json_int_t)r.records, "message", r.message);
		ctl_print_json(j);
		json_decref(j);
	} else {
		printf("%s %s segments=%u snapshot_lsn=%llu first_lsn=%llu "
		    "last_lsn=%llu records=%llu", rc == 0 ? "whole" :
		    "damaged", dir, r.segments,
		    (unsigned long long)r.snapshot_lsn,
		    (unsigned long long)r.first_lsn,
		    (unsigned long long)r.last_lsn,
		    (unsigned long long)r.records);
		if (r.message[0] != '\0') {
			fputs(" message=", stdout);
			ctl_put_quoted(stdout, r.message);
		}
		putchar('\n');
	}
	return verdict(dir, rc, saved, &r);
}

/* --- dump ------------------------------------------------------------------ */

struct dump {
	int		json;
	uint64_t	n;
};

/* A queue record's fields as JSON. */
static json_t *
qrec_json(uint16_t type, const void *p, size_t len)
{
	struct qrec	 q;
	json_t		*o, *payload;
	json_error_t	 err;

	if (qrec_decode(type, p, len, &q) == -1)
		return json_pack("{s:s, s:I}", "malformed", "cannot decode",
		    "length", (json_int_t)len);
	o = json_pack("{s:I}", "job", (json_int_t)q.job_id);
	switch (type) {
	case QREC_JOB_QUEUED:
		json_object_set_new(o, "order", json_integer(
		    (json_int_t)q.order_id));
		json_object_set_new(o, "station", json_integer(q.station));
		json_object_set_new(o, "prio", json_integer(q.prio));
		json_object_set_new(o, "flags", json_integer(q.flags));
		payload = json_loadb(q.payload, q.payload_len, 0, &err);
		json_object_set_new(o, "payload", payload != NULL ? payload :
		    json_stringn_nocheck(q.payload, q.payload_len));
		break;
	case QREC_JOB_CLAIMED:
	case QREC_JOB_PRINTED:
		json_object_set_new(o, "printer", json_integer(q.printer));
		break;
	case QREC_JOB_RETRY:
	case QREC_JOB_FAILED:
		json_object_set_new(o, "printer", json_integer(q.printer));
		json_object_set_new(o, "error", json_stringn_nocheck(q.error,
		    q.error_len));
		break;
	case QREC_JOB_FLAGS:
		json_object_set_new(o, "set", json_integer(q.flags));
		json_object_set_new(o, "clear", json_integer(q.clear));
		break;
	}
	return o;
}

static int
dump_record(uint64_t lsn, uint16_t type, const void *p, size_t len,
    void *arg)
{
	struct dump	*d = arg;
	json_error_t	 err;
	json_t		*body, *line;
	const char	*key;
	json_t		*v;
	char		 tbuf[32], *text;
	const char	*name = rec_type_name(type, tbuf, sizeof(tbuf));
	int		 queue = type < QREC_DAEMON_BASE;

	if (queue)
		body = qrec_json(type, p, len);
	else if ((body = json_loadb(p, len, 0, &err)) == NULL)
		body = json_pack("{s:s, s:s%}", "malformed", err.text, "text",
		    (const char *)p, len);
	else if (json_is_object(body) && json_object_get(body, "hash"))
		json_object_set_new(body, "hash", json_string("*"));

	if (d->json) {
		line = json_pack("{s:I, s:i, s:s, s:O}", "lsn",
		    (json_int_t)lsn, "type", type, "name", name, "record",
		    body);
		ctl_print_json(line);
		json_decref(line);
	} else if (queue && json_is_object(body)) {
		/* "12 job.claimed job=3 printer=0" */
		printf("%llu %s", (unsigned long long)lsn, name);
		json_object_foreach(body, key, v) {
			if (json_is_object(v) || json_is_array(v)) {
				text = json_dumps(v, JSON_COMPACT);
				printf(" %s=%s", key, text != NULL ? text : "");
				free(text);
			} else {
				json_t *one = json_pack("{s:O}", key, v);

				ctl_put_scalars(stdout, one);
				json_decref(one);
			}
		}
		putchar('\n');
	} else {
		text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%llu %s %s\n", (unsigned long long)lsn, name,
		    text != NULL ? text : "");
		free(text);
	}
	json_decref(body);
	d->n++;
	return 0;
}

static int
journal_dump_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	struct journal_recovery	 r;
	struct dump		 d;
	char			 dir[PATH_MAX];
	int			 rc, rv, saved;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if ((rv = journal_dir(ctl, cmd, argc, argv, dir, sizeof(dir))) != 0)
		return rv;
	memset(&d, 0, sizeof(d));
	d.json = ctl->json;
	rc = journal_verify(dir, dump_record, &d, &r);
	saved = errno;
	return verdict(dir, rc, saved, &r);
}
