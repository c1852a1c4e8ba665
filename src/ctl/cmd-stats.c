/*
 * stats, alerts, dashboard — what the daemon measures and what needs a
 * person, one line per group: "stats company=demo ...", "queue
 * enqueued=...", "latency.ack p50_ms=...", "alert kind=printer_down ...".
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int	stats_exec(struct ctl *, const struct ctl_cmd *, int, char **);
static int	alerts_exec(struct ctl *, const struct ctl_cmd *, int, char **);
static int	dashboard_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	request(struct ctl *, const struct ctl_cmd *, int, char **,
		    const char *, json_t **);
static void	print_alerts(const json_t *);
static void	print_hours(const json_t *);

const struct ctl_cmd cmd_stats = { "stats", "", stats_exec };
const struct ctl_cmd cmd_alerts = { "alerts", "", alerts_exec };
const struct ctl_cmd cmd_dashboard = { "dashboard", "", dashboard_exec };

/*
 * The three take no arguments and print the whole reply with --json:
 * CTL_OK with *reply only when it is still to be printed plainly.
 */
static int
request(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv,
    const char *op, json_t **reply)
{
	int	rv;

	*reply = NULL;
	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", op), reply)) !=
	    CTL_OK)
		return rv;
	if (ctl->json) {
		ctl_print_json(*reply);
		json_decref(*reply);
		*reply = NULL;
	}
	return CTL_OK;
}

/* "alert kind=K level=L printer=P since=T message="..."", oldest first. */
static void
print_alerts(const json_t *reply)
{
	const json_t	*a;
	size_t		 i;

	json_array_foreach(json_object_get(reply, "alerts"), i, a) {
		printf("alert kind=%s level=%s printer=%s since=%"
		    JSON_INTEGER_FORMAT " message=", fo_str(a, "kind"),
		    fo_str(a, "level"), json_is_string(json_object_get(a,
		    "printer")) ? fo_str(a, "printer") : "-",
		    fo_int(a, "since"));
		ctl_put_quoted(stdout, fo_str(a, "message"));
		putchar('\n');
	}
}

/* The hours of the last day that saw tickets, oldest first. */
static void
print_hours(const json_t *reply)
{
	const json_t	*h;
	size_t		 i;

	json_array_foreach(json_object_get(reply, "hours"), i, h) {
		if (fo_int(h, "queued") == 0 && fo_int(h, "printed") == 0 &&
		    fo_int(h, "failed") == 0)
			continue;
		fputs("hour ", stdout);
		ctl_put_time(stdout, fo_int(h, "hour"));
		printf(" queued=%" JSON_INTEGER_FORMAT " printed=%"
		    JSON_INTEGER_FORMAT " failed=%" JSON_INTEGER_FORMAT "\n",
		    fo_int(h, "queued"), fo_int(h, "printed"),
		    fo_int(h, "failed"));
	}
}

static int
stats_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t		*reply, *v;
	const char	*key;
	int		 rv;

	if ((rv = request(ctl, cmd, argc, argv, "stats", &reply)) != CTL_OK ||
	    reply == NULL)
		return rv;
	fputs("stats", stdout);
	ctl_put_scalars(stdout, reply);
	putchar('\n');
	json_object_foreach(reply, key, v)
		if (json_is_object(v))
			ctl_print_flat(key, v);
	print_alerts(reply);
	json_decref(reply);
	return CTL_OK;
}

static int
alerts_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*reply;
	int	 rv;

	if ((rv = request(ctl, cmd, argc, argv, "stats", &reply)) != CTL_OK ||
	    reply == NULL)
		return rv;
	print_alerts(reply);
	json_decref(reply);
	return CTL_OK;
}

/*
 * What fastops-top shows, in a screenful: the queue, the pool, turbo,
 * print times, each station and printer, the alerts and the busy hours.
 */
static int
dashboard_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	static const char *const groups[] = { "queue", "workers", "turbo",
	    "print" };
	static const char *const latencies[] = { "print", "total" };
	json_t		*reply, *lat, *v;
	char		 label[32];
	size_t		 i;
	int		 rv;

	if ((rv = request(ctl, cmd, argc, argv, "dashboard", &reply)) !=
	    CTL_OK || reply == NULL)
		return rv;
	printf("dashboard company=%s branch=%s uptime_s=%" JSON_INTEGER_FORMAT
	    " orders=%" JSON_INTEGER_FORMAT "\n", fo_str(reply, "company"),
	    fo_str(reply, "branch"), fo_int(reply, "uptime_s"),
	    fo_int(reply, "orders"));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		ctl_print_flat(groups[i], json_object_get(reply, groups[i]));
	lat = json_object_get(reply, "latency");
	for (i = 0; i < sizeof(latencies) / sizeof(latencies[0]); i++) {
		snprintf(label, sizeof(label), "latency.%s", latencies[i]);
		ctl_print_flat(label, json_object_get(lat, latencies[i]));
	}
	json_array_foreach(json_object_get(reply, "stations"), i, v) {
		printf("station %s urgent=%" JSON_INTEGER_FORMAT " normal=%"
		    JSON_INTEGER_FORMAT " low=%" JSON_INTEGER_FORMAT "\n",
		    fo_str(v, "name"), fo_int(v, "urgent"),
		    fo_int(v, "normal"), fo_int(v, "low"));
	}
	json_array_foreach(json_object_get(reply, "printers"), i, v)
		ctl_print_printer(v);
	print_alerts(reply);
	print_hours(reply);
	json_decref(reply);
	return CTL_OK;
}
