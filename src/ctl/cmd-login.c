/*
 * login, logout — sessions for scripts.
 *
 *	export FASTOPS_TOKEN=$(fastops-ctl login ana)
 *
 * and every later fastops-ctl acts as ana, with ana's role.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int	login_exec(struct ctl *, const struct ctl_cmd *, int, char **);
static int	logout_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);

const struct ctl_cmd cmd_login = { "login", "USER", login_exec };
const struct ctl_cmd cmd_logout = { "logout", "", logout_exec };

static int
login_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	char	 pin[64], prompt[64];
	json_t	*req, *reply;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	if ((rv = ctl_connect(ctl)) != CTL_OK)
		return rv;
	/* an old session must not stand in the way of a new one */
	fo_set_token(ctl->client, NULL);
	snprintf(prompt, sizeof(prompt), "PIN for %s: ", argv[0]);
	if ((rv = ctl_read_pin(prompt, 0, pin, sizeof(pin))) != 0)
		return rv;
	req = json_pack("{s:s, s:s, s:s}", "op", "login", "user", argv[0],
	    "pin", pin);
	explicit_bzero(pin, sizeof(pin));
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		printf("%s\n", fo_str(reply, "token"));
	json_decref(reply);
	return CTL_OK;
}

static int
logout_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t	*reply;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "logout"),
	    &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	json_decref(reply);
	return CTL_OK;
}
