/*
 * jobs list — the tickets in the queue, oldest first, a page at a time.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int	jobs_list(struct ctl *, const struct ctl_cmd *, int, char **);
static int	jobs_opt(const struct ctl_cmd *, int, const char *, void *);

const struct ctl_cmd cmd_jobs_list = {
	"jobs list",
	"[--status pending|processing|failed] [--page N] [--per-page N]",
	jobs_list
};

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
		printf("job %" JSON_INTEGER_FORMAT, ctl_int(j, "id"));
		json_object_del(j, "id");
		ctl_put_scalars(stdout, j);
		putchar('\n');
	}
	ctl_print_paging(reply);
	json_decref(reply);
	return CTL_OK;
}
