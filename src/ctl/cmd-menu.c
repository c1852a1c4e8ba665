/*
 * menu — the products the daemon takes, with the station each goes to:
 * what --item and --add accept.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int	menu_exec(struct ctl *, const struct ctl_cmd *, int, char **);

const struct ctl_cmd cmd_menu = { "menu", "", menu_exec };

static int
menu_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*reply, *p;
	size_t	 i;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "menu"), &reply))
	    != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		json_array_foreach(json_object_get(reply, "products"), i, p) {
			printf("%s category=%s station=%s price_cents=%"
			    JSON_INTEGER_FORMAT " name=", fo_str(p, "id"),
			    fo_str(p, "category"), fo_str(p, "station"),
			    fo_int(p, "price_cents"));
			ctl_put_quoted(stdout, fo_str(p, "name"));
			putchar('\n');
		}
	json_decref(reply);
	return CTL_OK;
}
