/*
 * queue — what is waiting, by priority, for the whole queue and for each
 * station.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int	queue_exec(struct ctl *, const struct ctl_cmd *, int, char **);

const struct ctl_cmd cmd_queue = { "queue", "", queue_exec };

static int
queue_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*reply, *st;
	size_t	 i;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "queue.status"),
	    &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else {
		/* queue urgent=0 normal=3 ... / station cocina urgent=0 ... */
		fputs("queue", stdout);
		ctl_put_scalars(stdout, json_object_get(reply, "queue"));
		putchar('\n');
		json_array_foreach(json_object_get(reply, "stations"), i, st) {
			printf("station %s", fo_str(st, "name"));
			json_object_del(st, "name");
			ctl_put_scalars(stdout, st);
			putchar('\n');
		}
	}
	json_decref(reply);
	return CTL_OK;
}
