/*
 * turbo, workers, workers scale, printers, printer pause|resume — the
 * printing side of the daemon: its worker pool, turbo mode and printers.
 *
 * Each prints what the daemon reports after the change, so a script sees
 * the state it left: "turbo on=true mode=on ...", "workers alive=4 ...",
 * "printer cocina1 station=cocina circuit=closed ...".
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#define SCALE_MAX	64	/* workers.scale's "n", as the daemon takes it */

static int	turbo_exec(struct ctl *, const struct ctl_cmd *, int, char **);
static int	workers_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	workers_scale(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	printers_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);
static int	printer_pause(struct ctl *, const struct ctl_cmd *, int,
		    char **);

const struct ctl_cmd cmd_turbo = { "turbo", "[on|off|auto]", turbo_exec };
const struct ctl_cmd cmd_workers = { "workers", "", workers_exec };
const struct ctl_cmd cmd_workers_scale = { "workers scale", "up|down [N]",
	workers_scale };
const struct ctl_cmd cmd_printers = { "printers", "", printers_exec };
const struct ctl_cmd cmd_printer_pause = { "printer pause", "NAME",
	printer_pause };
const struct ctl_cmd cmd_printer_resume = { "printer resume", "NAME",
	printer_pause };

void
ctl_print_printer(const json_t *p)
{
	json_t	*rest = json_copy((json_t *)(uintptr_t)p);

	printf("printer %s", fo_str(p, "name"));
	if (rest != NULL) {
		json_object_del(rest, "name");
		ctl_put_scalars(stdout, rest);
		json_decref(rest);
	}
	putchar('\n');
}

/* Without an argument, show the mode; with one, set it (admin). */
static int
turbo_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*req;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 1)
		return ctl_usage(cmd);
	req = json_pack("{s:s}", "op", "turbo");
	if (argc == 1) {
		if (strcmp(argv[0], "on") != 0 && strcmp(argv[0], "off") != 0 &&
		    strcmp(argv[0], "auto") != 0) {
			json_decref(req);
			return ctl_usage_error(cmd, "the mode is on, off or "
			    "auto, not \"%s\"", argv[0]);
		}
		json_object_set_new(req, "mode", json_string(argv[0]));
	}
	return ctl_show(ctl, req, "turbo", "turbo");
}

/* The pool as stats reports it: there is no operation of its own. */
static int
workers_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage_error(cmd, "unexpected argument \"%s\"",
		    argv[0]);
	return ctl_show(ctl, json_pack("{s:s}", "op", "stats"), "workers",
	    "workers");
}

static int
workers_scale(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	long long	 n = 1;
	int		 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc < 1 || argc > 2)
		return ctl_usage(cmd);
	if (strcmp(argv[0], "up") != 0 && strcmp(argv[0], "down") != 0)
		return ctl_usage_error(cmd, "the direction is up or down, not "
		    "\"%s\"", argv[0]);
	if (argc == 2 && ctl_number(argv[1], 1, SCALE_MAX, &n) == -1)
		return ctl_usage_error(cmd, "N is a number of workers from 1 "
		    "to %d, not \"%s\"", SCALE_MAX, argv[1]);
	return ctl_show(ctl, json_pack("{s:s, s:s, s:I}", "op",
	    "workers.scale", "direction", argv[0], "n", (json_int_t)n),
	    "workers", "workers");
}

static int
printers_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*reply, *p;
	size_t	 i;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "printers"),
	    &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		json_array_foreach(json_object_get(reply, "printers"), i, p)
			ctl_print_printer(p);
	json_decref(reply);
	return CTL_OK;
}

/* printer pause|resume NAME: "printer pause" -> "printer.pause" */
static int
printer_pause(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*reply;
	char	 op[32];
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	snprintf(op, sizeof(op), "printer.%s", cmd->name + strlen("printer "));
	if ((rv = ctl_request(ctl, json_pack("{s:s, s:s}", "op", op, "printer",
	    argv[0]), &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		ctl_print_printer(json_object_get(reply, "printer"));
	json_decref(reply);
	return CTL_OK;
}
