/*
 * stats — counters and latencies of the daemon, one line per group:
 * "stats company=demo ...", "queue enqueued=...", "latency.ack p50_ms=...".
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int	stats_exec(struct ctl *, const struct ctl_cmd *, int, char **);

const struct ctl_cmd cmd_stats = { "stats", "", stats_exec };

static int
stats_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*reply, *v;
	char	 label[64];
	const char *key;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "stats"), &reply))
	    != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else {
		fputs("stats", stdout);
		ctl_put_scalars(stdout, reply);
		putchar('\n');
		json_object_foreach(reply, key, v) {
			if (!json_is_object(v))
				continue;
			snprintf(label, sizeof(label), "%s", key);
			ctl_print_flat(label, v);
		}
	}
	json_decref(reply);
	return CTL_OK;
}
