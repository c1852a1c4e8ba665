/*
 * user add|list|del|hash — the staff who may log in, and their roles.
 *
 * A PIN is never needed on the command line, where ps(1) would show it:
 * without --pin it is read from the terminal (twice, without echo) or as
 * a line of standard input.  user hash takes it no other way.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ctl.h"

/*
 * The daemon's PIN hash parameters (src/queued/auth.c, auth_hash_pin() and
 * AUTH_PWHASH_MEM).  The hash string carries them, so any would verify;
 * the same ones make a hash from here cost a guesser what the daemon's do
 * and look like one of its own.
 */
#define PIN_OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PIN_MEMLIMIT	(16 * 1024 * 1024)

static int	user_add(struct ctl *, const struct ctl_cmd *, int, char **);
static int	user_list(struct ctl *, const struct ctl_cmd *, int, char **);
static int	user_del(struct ctl *, const struct ctl_cmd *, int, char **);
static int	user_hash(struct ctl *, const struct ctl_cmd *, int, char **);
static int	refuse_pin(const struct ctl_cmd *, int, const char *, void *);
static const char *check_name(const char *);
static const char *check_pin(const char *);
static int	add_opt(const struct ctl_cmd *, int, const char *, void *);

const struct ctl_cmd cmd_user_add = { "user add",
	"NAME --role waiter|kitchen|admin [--pin PIN]", user_add };
const struct ctl_cmd cmd_user_list = { "user list", "", user_list };
const struct ctl_cmd cmd_user_del = { "user del", "NAME", user_del };
const struct ctl_cmd cmd_user_hash = { "user hash", "", user_hash };

/* Same rules as the daemon, for a clear message before asking the PIN. */
static const char *
check_name(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > FO_NAME_MAX)
		return "a user name has 1 to 32 characters";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return "a user name holds only a-z, 0-9, _ and -";
	return NULL;
}

static const char *
check_pin(const char *s)
{
	size_t	i, n = strlen(s);

	if (n < FO_PIN_MIN || n > FO_PIN_MAX)
		return "a PIN has 4 to 12 digits";
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return "a PIN has digits only";
	return NULL;
}

struct add_args {
	const char	*role, *pin;
};

static int
add_opt(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	struct add_args	*a = p;

	switch (ch) {
	case 'r':
		if (strcmp(arg, FO_ROLE_WAITER) != 0 &&
		    strcmp(arg, FO_ROLE_KITCHEN) != 0 &&
		    strcmp(arg, FO_ROLE_ADMIN) != 0)
			return ctl_usage_error(cmd, "--role is waiter, "
			    "kitchen or admin, not \"%s\"", arg);
		a->role = arg;
		break;
	case 'p':
		a->pin = arg;
		break;
	}
	return 0;
}

static int
user_add(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role",	required_argument,	NULL,	'r' },
		{ "pin",	required_argument,	NULL,	'p' },
		{ NULL,		0,			NULL,	0 }
	};
	struct add_args	 a;
	const char	*why;
	char		 pin[64], prompt[64];
	json_t		*reply, *req;
	int		 rv;

	memset(&a, 0, sizeof(a));
	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, add_opt,
	    &a)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	if ((why = check_name(argv[0])) != NULL)
		return ctl_usage_error(cmd, "%s", why);
	if (a.role == NULL)
		return ctl_usage_error(cmd, "--role is required");
	if (a.pin != NULL)
		snprintf(pin, sizeof(pin), "%s", a.pin);
	else {
		snprintf(prompt, sizeof(prompt), "PIN for %s: ", argv[0]);
		if ((rv = ctl_read_pin(prompt, 1, pin, sizeof(pin))) != 0)
			return rv;
	}
	if ((why = check_pin(pin)) != NULL) {
		explicit_bzero(pin, sizeof(pin));
		return ctl_usage_error(cmd, "%s", why);
	}
	req = json_pack("{s:s, s:s, s:s, s:s}", "op", "users.add", "name",
	    argv[0], "role", a.role, "pin", pin);
	explicit_bzero(pin, sizeof(pin));
	if ((rv = ctl_request(ctl, req, &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		printf("%s role=%s\n", fo_str(json_object_get(reply, "user"),
		    "name"), fo_str(json_object_get(reply, "user"), "role"));
	json_decref(reply);
	return CTL_OK;
}

static int
user_list(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*reply, *u;
	size_t	 i;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s}", "op", "users.list"),
	    &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	else
		json_array_foreach(json_object_get(reply, "users"), i, u)
			printf("%s role=%s\n", fo_str(u, "name"),
			    fo_str(u, "role"));
	json_decref(reply);
	return CTL_OK;
}

static int
user_del(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t	*reply;
	int	 rv;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc != 1)
		return ctl_usage(cmd);
	if ((rv = ctl_request(ctl, json_pack("{s:s, s:s}", "op", "users.del",
	    "name", argv[0]), &reply)) != CTL_OK)
		return rv;
	if (ctl->json)
		ctl_print_json(reply);
	json_decref(reply);
	return CTL_OK;
}

/* A PIN as an operand or with --pin: refused, saying why. */
static int
refuse_pin(const struct ctl_cmd *cmd, int ch, const char *arg, void *p)
{
	return ctl_usage_error(cmd, "a PIN on the command line would show "
	    "in ps(1); give it on standard input");
}

/*
 * The hash of a PIN as the daemon stores it, for a users table kept in
 * PostgreSQL ([menu] source = postgres): no daemon is asked, so the PIN
 * goes nowhere but into this process.
 */
static int
user_hash(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pin",	required_argument,	NULL,	'p' },
		{ NULL,		0,			NULL,	0 }
	};
	const char	*why;
	char		 pin[64], hash[crypto_pwhash_STRBYTES];
	json_t		*reply;
	int		 rv;

	if ((rv = ctl_options(cmd, &argc, &argv, "", longopts, refuse_pin,
	    NULL)) != 0)
		return rv;
	if (argc > 0)
		return refuse_pin(cmd, 0, argv[0], NULL);
	if ((rv = ctl_read_pin("PIN: ", 1, pin, sizeof(pin))) != 0)
		return rv;
	if ((why = check_pin(pin)) != NULL) {
		explicit_bzero(pin, sizeof(pin));
		return ctl_usage_error(cmd, "%s", why);
	}
	if (sodium_init() < 0) {
		explicit_bzero(pin, sizeof(pin));
		ctl_warnx("%s: libsodium cannot be initialised", cmd->name);
		return CTL_REFUSED;
	}
	rv = crypto_pwhash_str(hash, pin, strlen(pin), PIN_OPSLIMIT,
	    PIN_MEMLIMIT);
	explicit_bzero(pin, sizeof(pin));
	if (rv != 0) {
		ctl_warnx("%s: out of memory for the hash", cmd->name);
		return CTL_REFUSED;
	}
	if (!ctl->json) {
		printf("%s\n", hash);
		return CTL_OK;
	}
	reply = json_pack("{s:s}", "hash", hash);
	ctl_print_json(reply);
	json_decref(reply);
	return CTL_OK;
}
