/*
 * health — is the daemon well?  For monitoring: exit 0 when its status is
 * ok, 1 when degraded (the journal went read-only, or it is not ready),
 * 3 when it cannot be reached.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int	health_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);

const struct ctl_cmd cmd_health = { "health", "", health_exec };

static int
health_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*reply;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "health"),
	    &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		ctl_print_flat("health", reply);
	rv = strcmp(fo_str(reply, "status"), "ok") == 0 ? CTL_OK :
	    CTL_REFUSED;
	json_decref(reply);
	return rv;
}
