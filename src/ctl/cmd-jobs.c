/*
 * jobs list|retry|clear — the tickets in the queue, oldest first, a page
 * at a time; and failed tickets (those on the kitchen screen too) sent
 * back to the printers or removed, one or all.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int	jobs_list(struct ctl *, const struct ctl_cmd *, int, char **);
static int	jobs_opt(const struct ctl_cmd *, int, const char *, void *);
static int	jobs_failed(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	failed_opt(const struct ctl_cmd *, int, const char *, void *);

const struct ctl_cmd cmd_jobs_list = {
	"jobs list",
	"[--status pending|processing|failed] [--page N] [--per-page N]",
	jobs_list
};
const struct ctl_cmd cmd_jobs_retry = { "jobs retry", "ID|--all",
	jobs_failed };
const struct ctl_cmd cmd_jobs_clear = { "jobs clear", "ID|--all",
	jobs_failed };

struct jobs_args {
	const char	*status;
	struct ctl_paging pg;
};

static int
jobs_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct jobs_args	*a = p;
	int			 rv;

	switch (ch) {
	case 's':
		if (strcmp(arg, FO_JOB_PENDING) != 0 &&
		    strcmp(arg, FO_JOB_PROCESSING) != 0 &&
		    strcmp(arg, FO_JOB_FAILED) != 0)
			return ctl_usage_error(cmd, "--status is pending, "
			    "processing or failed, not \"%s\"", arg);
		a->status = arg;
		break;
	default:
		if (ctl_paging_opt(cmd, ch, arg, &a->pg, &rv))
			return rv;
		break;
	}
	return 0;
}

static int
jobs_list(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "status",	required_argument,	NULL,	's' },
		{ "page",	required_argument,	NULL,	'p' },
		{ "per-page",	required_argument,	NULL,	'n' },
		{ NULL,		0,			NULL,	0 }
	};
	struct jobs_args	 a;
	json_t			*req, *reply, *j;
	size_t			 i;
	int			 rv;

	memset(&a, 0, sizeof(a));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, jobs_opt,
	    &a)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage_error(cmd, "unexpected argument \"%s\"",
		    argv[0]);
	req = json_pack("{s:s}", "op", "jobs.list");
	if (a.status != NULL)
		json_object_set_new(req, "status", json_string(a.status));
	ctl_paging_req(req, &a.pg);
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json) {
		ctl_print_json(reply);
		json_decref(reply);
		return CTL_OK;
	}
	json_array_foreach(json_object_get(reply, "jobs"), i, j) {
		printf("job %" JSON_INTEGER_FORMAT, fo_int(j, "id"));
		json_object_del(j, "id");
		ctl_put_scalars(stdout, j);
		putchar('\n');
	}
	ctl_print_paging(reply);
	json_decref(reply);
	return CTL_OK;
}

static int
failed_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	int	*all = p;

	if (ch == 'a')
		*all = 1;
	return 0;
}

/*
 * jobs retry|clear ID|--all: "job 7 action=retried" for each ticket the
 * daemon changed, then "# count=N".  A ticket that is not failed is
 * ENOENT; --all with none failed changes nothing and says count=0.
 */
static int
jobs_failed(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option longopts[] = {
		{ "all",	no_argument,		NULL,	'a' },
		{ NULL,		0,			NULL,	0 }
	};
	const char	*action;
	json_t		*req, *reply, *id;
	long long	 v;
	size_t		 i;
	int		 rv, all = 0, retry = cmd == &cmd_jobs_retry;

	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, failed_opt,
	    &all)) != 0)
		return rv;
	if (argc > 1 || (argc == 1) == all)
		return ctl_usage_error(cmd, "give a job ID or --all");
	req = json_pack("{s:s}", "op", retry ? "jobs.retry" :
	    "jobs.clear_failed");
	if (all)
		json_object_set_new(req, "all", json_true());
	else {
		if (ctl_number(argv[0], 1, LLONG_MAX, &v) == -1) {
			json_decref(req);
			return ctl_usage_error(cmd, "ID must be a job id (a "
			    "positive number, as in \"job 42\" of jobs list), "
			    "not \"%s\"", argv[0]);
		}
		json_object_set_new(req, "id", json_integer((json_int_t)v));
	}
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json) {
		ctl_print_json(reply);
		json_decref(reply);
		return CTL_OK;
	}
	action = retry ? "retried" : "cleared";
	json_array_foreach(json_object_get(reply, "jobs"), i, id)
		printf("job %" JSON_INTEGER_FORMAT " action=%s\n",
		    json_integer_value(id), action);
	printf("# count=%" JSON_INTEGER_FORMAT "\n", fo_int(reply, "count"));
	json_decref(reply);
	return CTL_OK;
}
