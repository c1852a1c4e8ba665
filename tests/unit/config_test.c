/*
 * src/common/config: the shipped fastops.ini, defaults, every class of
 * mistake reported with its line, paths, dump, diff and reload.
 *
 * Run from the top of the source tree (make check does), or point
 * FASTOPS_SRCDIR at it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

/* A daemon-valid file: one station, one printer. */
#define BASE \
	"[station s1]\n" \
	"printers = p1\n" \
	"[printer p1]\n" \
	"uri = tcp://127.0.0.1:9100\n"

static char	 tmpdir[] = "/tmp/config_test.XXXXXX";
static char	 ini[PATH_MAX];

static const char *
srcdir(void)
{
	const char	*s = getenv("FASTOPS_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* Load text as t.ini with flags; returns config_load's result. */
static int
load(const char *text, int flags, struct config **cfg, char **errors)
{
	write_file(ini, text);
	return config_load(ini, flags, cfg, errors);
}

/* Load text expecting failure, and return the errors (caller frees). */
static char *
load_bad(const char *text, int flags)
{
	struct config	*cfg;
	char		*errors;

	assert_int_equal(load(text, flags, &cfg, &errors), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(cfg);
	assert_non_null(errors);
	return errors;
}

static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * Assert that errors has the line "t.ini:LINE: ..." containing want.
 */
static void
expect_error(const char *errors, int line, const char *want)
{
	char		 prefix[PATH_MAX + 32];
	const char	*s, *eol;
	size_t		 plen;

	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", ini, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", ini);
	plen = strlen(prefix);
	for (s = errors; *s != '\0'; s = eol + 1) {
		eol = strchr(s, '\n');
		assert_non_null(eol);
		if (strncmp(s, prefix, plen) == 0) {
			char	*msg = strndup(s, (size_t)(eol - s));
			int	 hit = strstr(msg, want) != NULL;

			free(msg);
			if (hit)
				return;
		}
	}
	fail_msg("no error \"%s...%s\" in:\n%s", prefix, want, errors);
}

/* One error, exactly: its line and a part of its text. */
static void
expect_only(const char *text, int line, const char *want)
{
	char	*errors = load_bad(text, CONFIG_DAEMON);

	if (count_lines(errors) != 1)
		fail_msg("expected one error, got:\n%s", errors);
	expect_error(errors, line, want);
	free(errors);
}

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(ini, sizeof(ini), "%s/t.ini", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t	ls = strlen(s), lt = strlen(tail);

	return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

/* --- the shipped file --------------------------------------------------- */

static void
test_shipped_ini(void **state)
{
	struct config		*cfg;
	const struct config_printer *pr;
	char			 path[PATH_MAX], *errors;
	int			 s;

	snprintf(path, sizeof(path), "%s/etc/fastops.ini", srcdir());
	if (config_load(path, CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	assert_null(errors);
	assert_string_equal(cfg->daemon.company, "demo");
	assert_string_equal(cfg->daemon.branch, "centro");
	assert_string_equal(cfg->daemon.instance, "demo-centro");
	assert_true(cfg->path[0] == '/');
	assert_true(ends_with(cfg->path, "/etc/fastops.ini"));
	assert_true(cfg->daemon.state_dir[0] == '/');
	assert_true(ends_with(cfg->daemon.state_dir, "/etc/state"));
	assert_true(ends_with(cfg->daemon.runtime_dir, "/etc/run"));
	assert_int_equal(cfg->daemon.fsync, CONFIG_FSYNC_GROUP);
	assert_string_equal(cfg->daemon.http, "127.0.0.1:9480");
	assert_string_equal(cfg->daemon.listen, "");
	assert_int_equal(cfg->daemon.admin_uids.n, 0);
	assert_int_equal(cfg->daemon.queue_slots, 65536);
	assert_int_equal(cfg->daemon.payload_max, 4096);
	assert_int_equal(cfg->daemon.numbering, CONFIG_NUMBERING_DAILY);
	assert_int_equal(cfg->daemon.log_level, CONFIG_LOG_INFO);
	assert_int_equal(cfg->workers.min, 3);	/* one per printer */
	assert_int_equal(cfg->workers.max, 10);
	assert_int_equal(cfg->workers.scale_up_at, 15);
	assert_int_equal(cfg->workers.scale_down_at, 5);
	assert_int_equal(cfg->workers.print_timeout_ms, 5000);
	assert_int_equal(cfg->workers.worker_timeout_ms, 10000);
	assert_int_equal(cfg->workers.max_attempts, 3);
	assert_int_equal(cfg->workers.retry_delay_ms, 2000);
	assert_int_equal(cfg->breaker.failures, 5);
	assert_int_equal(cfg->breaker.open_for_s, 60);
	assert_int_equal(cfg->breaker.close_after, 3);
	assert_int_equal(cfg->turbo.automatic, 1);
	assert_int_equal(cfg->turbo.print_timeout_ms, 3000);
	assert_int_equal(cfg->turbo.batch, 4);
	assert_int_equal(cfg->turbo.off_below, 5);
	assert_int_equal(cfg->turbo.off_print_ms, 3000);

	assert_int_equal(cfg->nstations, 3);
	assert_string_equal(cfg->station[0].name, "cocina");
	assert_string_equal(cfg->station[1].name, "bar");
	assert_string_equal(cfg->station[2].name, "postres");
	assert_int_equal(cfg->nprinters, 3);
	for (s = 0; s < 3; s++) {
		assert_int_equal(cfg->station[s].nprinters, 1);
		pr = &cfg->printer[cfg->station[s].printer[0]];
		assert_int_equal(pr->station, s);
		assert_int_equal(pr->uri.transport, CONFIG_TRANSPORT_TCP);
		assert_string_equal(pr->uri.host, "127.0.0.1");
		assert_int_equal(pr->uri.port, 9101 + s);
		assert_int_equal(pr->width, 48);
		assert_int_equal(pr->codepage, 19);
		/* fastops-printsim answers GS ( H */
		assert_int_equal(pr->confirm, CONFIG_CONFIRM_GS_H);
		assert_int_equal(pr->buzzer, CONFIG_BUZZER_NONE);
		assert_int_equal(pr->paused, 0);
		assert_true(cfg->station[s].kds);
	}
	assert_string_equal(cfg->printer[cfg->station[0].printer[0]].name,
	    "cocina1");
	assert_int_equal(config_route(cfg, "principales"), 0);
	assert_int_equal(config_route(cfg, "entradas"), 0);
	assert_int_equal(config_route(cfg, "bebidas"), 1);
	assert_int_equal(config_route(cfg, "postres"), 2);
	assert_int_equal(config_route(cfg, "sushi"), -1);
	assert_true(ends_with(cfg->menu.file, "/etc/menu.csv"));
	assert_int_equal(cfg->menu.source, CONFIG_MENU_FILE);
	assert_false(cfg->postgres.enabled);
	config_free(cfg);

	assert_int_equal(config_load(path, CONFIG_CLIENT, &cfg, &errors), 0);
	assert_string_equal(cfg->daemon.instance, "demo-centro");
	config_free(cfg);
}

/*
 * The shipped file is the reference: every key of the table is there with
 * its default, in the right section.
 */
static void
test_shipped_ini_has_every_key(void **state)
{
	struct config_keyinfo	 ki;
	char			 path[PATH_MAX], want[128], sec[64], line[512];
	char			*text = NULL;
	size_t			 i, len = 0;
	FILE			*fp;

	snprintf(path, sizeof(path), "%s/etc/fastops.ini", srcdir());
	fp = fopen(path, "r");
	assert_non_null(fp);
	/* "section|line" for every key line, commented or not. */
	sec[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL) {
		char	*l = line + strspn(line, ";");

		l[strcspn(l, "\n")] = '\0';
		if (*l == '[') {
			snprintf(sec, sizeof(sec), "%.*s", (int)strcspn(l + 1,
			    " ]"), l + 1);
			continue;
		}
		if (strchr(l, '=') == NULL)
			continue;
		text = realloc(text, len + strlen(sec) + strlen(l) + 3);
		assert_non_null(text);
		len += (size_t)sprintf(text + len, "%s|%s\n", sec, l);
	}
	fclose(fp);
	assert_non_null(text);
	for (i = 0; config_keyinfo(i, &ki) == 0; i++) {
		if (*ki.def != '\0')
			snprintf(want, sizeof(want), "%s|%s = %s\n",
			    ki.section, ki.key, ki.def);
		else
			snprintf(want, sizeof(want), "%s|%s =", ki.section,
			    ki.key);
		if (strstr(text, want) == NULL)
			fail_msg("etc/fastops.ini lacks \"%s\"", want);
	}
	assert_true(i > 40);
	free(text);
}

/* fastops.ini(5) documents every key of the table. */
static void
test_manual_has_every_key(void **state)
{
	struct config_keyinfo	 ki;
	char			 path[PATH_MAX], want[128], *text;
	size_t			 i, n;
	FILE			*fp;

	snprintf(path, sizeof(path), "%s/man/fastops.ini.5", srcdir());
	fp = fopen(path, "r");
	assert_non_null(fp);
	text = calloc(1, 256 * 1024);
	assert_non_null(text);
	n = fread(text, 1, 256 * 1024 - 1, fp);
	assert_true(n > 0);
	fclose(fp);
	for (i = 0; config_keyinfo(i, &ki) == 0; i++) {
		snprintf(want, sizeof(want), ".It Ic %s ", ki.key);
		if (strstr(text, want) == NULL)
			fail_msg("fastops.ini.5 does not document %s", ki.key);
	}
	free(text);
}

/* The configuration in fastops.ini(5) EXAMPLES is a valid one. */
static void
test_manual_example(void **state)
{
	struct config	*cfg;
	char		 path[PATH_MAX], line[512], *text, *errors;
	size_t		 len = 0;
	int		 in_examples = 0, in_display = 0;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/man/fastops.ini.5", srcdir());
	fp = fopen(path, "r");
	assert_non_null(fp);
	text = calloc(1, 64 * 1024);
	assert_non_null(text);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, ".Sh ", 4) == 0)
			in_examples = strcmp(line, ".Sh EXAMPLES\n") == 0;
		else if (in_examples && strncmp(line, ".Bd -literal", 12) == 0)
			in_display = 1;
		else if (in_display && strncmp(line, ".Ed", 3) == 0)
			break;
		else if (in_display) {
			assert_true(len + strlen(line) < 64 * 1024);
			strcpy(text + len, line);
			len += strlen(line);
		}
	}
	fclose(fp);
	assert_non_null(strstr(text, "[printer cocina2]"));
	if (load(text, CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(cfg->nstations, 2);
	assert_int_equal(cfg->station[0].nprinters, 2);
	assert_int_equal(cfg->printer[1].uri.transport,
	    CONFIG_TRANSPORT_SERIAL);
	assert_true(cfg->postgres.enabled);
	config_free(cfg);
	free(text);
}

/* --- defaults and paths ------------------------------------------------- */

static void
test_defaults(void **state)
{
	struct config	*cfg;
	char		*errors, want[PATH_MAX + 32];

	assert_int_equal(load(BASE, CONFIG_DAEMON, &cfg, &errors), 0);
	assert_string_equal(cfg->daemon.company, "demo");
	assert_string_equal(cfg->daemon.branch, "centro");
	assert_string_equal(cfg->daemon.instance, "demo-centro");
	snprintf(want, sizeof(want), "%s/state", cfg->dir);
	assert_string_equal(cfg->daemon.state_dir, want);
	snprintf(want, sizeof(want), "%s/run", cfg->dir);
	assert_string_equal(cfg->daemon.runtime_dir, want);
	snprintf(want, sizeof(want), "%s/menu.csv", cfg->dir);
	assert_string_equal(cfg->menu.file, want);
	assert_int_equal(cfg->daemon.fsync, CONFIG_FSYNC_GROUP);
	assert_string_equal(cfg->daemon.http, "127.0.0.1:9480");
	assert_string_equal(cfg->daemon.listen, "");
	assert_int_equal(cfg->daemon.queue_slots, 65536);
	assert_int_equal(cfg->daemon.payload_max, 4096);
	assert_int_equal(cfg->daemon.low_max_wait_s, 60);
	assert_int_equal(cfg->daemon.snapshot_every, 100000);
	assert_int_equal(cfg->daemon.log_level, CONFIG_LOG_INFO);
	assert_int_equal(cfg->workers.min, 2);
	assert_int_equal(cfg->workers.max, 10);
	assert_int_equal(cfg->workers.scale_step, 2);
	assert_int_equal(cfg->turbo.queue_on, 15);
	assert_int_equal(cfg->turbo.sustain_s, 30);
	assert_int_equal(cfg->breaker.failures, 5);
	assert_true(cfg->station[0].kds);
	assert_string_equal(cfg->station[0].on_fallback, "");
	assert_int_equal(cfg->printer[0].width, 48);
	assert_int_equal(cfg->printer[0].codepage, 19);
	assert_int_equal(cfg->printer[0].confirm, CONFIG_CONFIRM_STATUS);
	assert_int_equal(cfg->printer[0].buzzer, CONFIG_BUZZER_NONE);
	assert_int_equal(cfg->menu.source, CONFIG_MENU_FILE);
	assert_false(cfg->postgres.enabled);
	assert_null(cfg->postgres.conninfo);
	config_free(cfg);
}

/* Every kind of value, given, read back. */
static void
test_values(void **state)
{
	struct config	*cfg;
	char		*errors;

	if (load("[daemon]\n"
	    "company = la-tasca\n"
	    "branch = sol_2\n"
	    "instance = tasca2\n"
	    "fsync = always\n"
	    "http = [::1]:9000\n"
	    "listen = tcp://0.0.0.0:5555\n"
	    "admin_uids = 0, 1000 ,1001\n"
	    "numbering = continuous\n"
	    "log_level = debug ; inline comment\n"
	    "[turbo]\n"
	    "auto = Off\n"
	    "[station cocina]\n"
	    "printers = c1,c2\n"
	    "kds = no\n"
	    "on_fallback = lp -d oficina %f   ; 100%% sure\n"
	    "[printer c1]\n"
	    "uri = serial:/dev/ttyUSB0?baud=19200&flow=rtscts\n"
	    "width = 42\n"
	    "codepage = 16\n"
	    "confirm = gs-h\n"
	    "buzzer = esc-b\n"
	    "[printer c2]\n"
	    "uri = tcp://impresora-cocina.local:9100\n"
	    "[routing]\n"
	    "principales = cocina\n"
	    "[postgres]\n"
	    "conninfo = host=db dbname=fastops\n"
	    "[menu]\n"
	    "source = postgres\n", CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	assert_string_equal(cfg->daemon.company, "la-tasca");
	assert_string_equal(cfg->daemon.instance, "tasca2");
	assert_int_equal(cfg->daemon.fsync, CONFIG_FSYNC_ALWAYS);
	assert_string_equal(cfg->daemon.http, "[::1]:9000");
	assert_string_equal(cfg->daemon.listen, "tcp://0.0.0.0:5555");
	assert_int_equal(cfg->daemon.admin_uids.n, 3);
	assert_int_equal(cfg->daemon.admin_uids.v[0], 0);
	assert_int_equal(cfg->daemon.admin_uids.v[2], 1001);
	assert_int_equal(cfg->daemon.numbering, CONFIG_NUMBERING_CONTINUOUS);
	assert_int_equal(cfg->daemon.log_level, CONFIG_LOG_DEBUG);
	assert_int_equal(cfg->turbo.automatic, 0);
	assert_int_equal(cfg->station[0].kds, 0);
	assert_string_equal(cfg->station[0].on_fallback, "lp -d oficina %f");
	assert_int_equal(cfg->station[0].nprinters, 2);
	assert_int_equal(cfg->printer[0].uri.transport,
	    CONFIG_TRANSPORT_SERIAL);
	assert_string_equal(cfg->printer[0].uri.device, "/dev/ttyUSB0");
	assert_int_equal(cfg->printer[0].uri.baud, 19200);
	assert_int_equal(cfg->printer[0].uri.flow, CONFIG_FLOW_RTSCTS);
	assert_int_equal(cfg->printer[0].width, 42);
	assert_int_equal(cfg->printer[0].codepage, 16);
	assert_int_equal(cfg->printer[0].confirm, CONFIG_CONFIRM_GS_H);
	assert_int_equal(cfg->printer[0].buzzer, CONFIG_BUZZER_ESC_B);
	assert_string_equal(cfg->printer[1].uri.host,
	    "impresora-cocina.local");
	assert_int_equal(cfg->printer[1].uri.port, 9100);
	assert_int_equal(cfg->printer[1].station, 0);
	assert_true(cfg->postgres.enabled);
	assert_string_equal(cfg->postgres.conninfo, "host=db dbname=fastops");
	assert_int_equal(cfg->menu.source, CONFIG_MENU_POSTGRES);
	assert_string_equal(config_word("daemon", "fsync", cfg->daemon.fsync),
	    "always");
	assert_null(config_word("daemon", "fsync", 7));
	assert_null(config_word("workers", "min", 0));
	config_free(cfg);
}

/* A BOM, CRLF line ends, indentation (not a continuation), no final
 * newline. */
static void
test_file_forms(void **state)
{
	struct config	*cfg;
	char		*errors;

	if (load("\xef\xbb\xbf[workers]\r\n"
	    "min = 3\r\n"
	    "   max = 4\r\n"
	    "\t[breaker]\n"
	    "failures = 7", CONFIG_CLIENT, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(cfg->workers.min, 3);
	assert_int_equal(cfg->workers.max, 4);
	assert_int_equal(cfg->breaker.failures, 7);
	config_free(cfg);
}

static void
test_relative_paths(void **state)
{
	struct config	*cfg;
	char		*errors, sub[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/sub/f.ini", tmpdir);
	write_file(sub, "[daemon]\n"
	    "state_dir = ./var//state/\n"
	    "runtime_dir = /run/fastops\n"
	    "[menu]\n"
	    "file = ../carta.csv\n");

	/* Given relative to the working directory, resolved to the file's. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(config_load("sub/f.ini", CONFIG_CLIENT, &cfg,
	    &errors), 0);
	assert_int_equal(chdir(cwd), 0);

	assert_true(cfg->dir[0] == '/');
	assert_true(ends_with(cfg->dir, "/sub"));
	assert_true(ends_with(cfg->path, "/sub/f.ini"));
	snprintf(want, sizeof(want), "%s/var/state", cfg->dir);
	assert_string_equal(cfg->daemon.state_dir, want);
	assert_string_equal(cfg->daemon.runtime_dir, "/run/fastops");
	snprintf(want, sizeof(want), "%s/../carta.csv", cfg->dir);
	assert_string_equal(cfg->menu.file, want);
	config_free(cfg);
	unlink(sub);
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	rmdir(sub);
}

/* A client needs no station; the daemon does. */
static void
test_client_flags(void **state)
{
	struct config	*cfg;
	char		*errors;

	assert_int_equal(load("; nothing\n", CONFIG_CLIENT, &cfg, &errors), 0);
	assert_int_equal(cfg->nstations, 0);
	assert_string_equal(cfg->daemon.instance, "demo-centro");
	config_free(cfg);

	/* Cross-section rules are the daemon's; line mistakes are anyone's. */
	assert_int_equal(load("[printer lost]\n", CONFIG_CLIENT, &cfg,
	    &errors), 0);
	config_free(cfg);
	errors = load_bad("[workers]\nmin = many\n", CONFIG_CLIENT);
	expect_error(errors, 2, "[workers] min: 'many' is not a whole number");
	free(errors);

	errors = load_bad("; nothing\n", CONFIG_DAEMON);
	expect_error(errors, 0, "no [station NAME] section");
	free(errors);

	assert_int_equal(load(BASE, 0, &cfg, &errors), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(errors, "bad flags"));
	free(errors);
	assert_int_equal(load(BASE, CONFIG_CLIENT | CONFIG_DAEMON, &cfg,
	    &errors), -1);
	free(errors);
}

static void
test_missing_file(void **state)
{
	struct config	*cfg;
	char		*errors, path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/nope.ini", tmpdir);
	assert_int_equal(config_load(path, CONFIG_DAEMON, &cfg, &errors), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(cfg);
	assert_non_null(strstr(errors, "nope.ini: No such file"));
	free(errors);

	assert_int_equal(config_load(tmpdir, CONFIG_DAEMON, &cfg, &errors),
	    -1);
	assert_non_null(strstr(errors, "not a regular file"));
	free(errors);
}

static void
test_default_path(void **state)
{
	unsetenv("FASTOPS_CONFIG");
	assert_string_equal(config_default_path(), "/etc/fastops/fastops.ini");
	setenv("FASTOPS_CONFIG", "", 1);
	assert_string_equal(config_default_path(), "/etc/fastops/fastops.ini");
	setenv("FASTOPS_CONFIG", "/srv/f.ini", 1);
	assert_string_equal(config_default_path(), "/srv/f.ini");
	unsetenv("FASTOPS_CONFIG");
}

/* --- every class of mistake, with its line ----------------------------- */

static void
test_err_unknown_key(void **state)
{
	expect_only(BASE "[workers]\nmin = 2\nmaxx = 4\n", 7,
	    "unknown key 'maxx' in [workers]; did you mean 'max'?");
	expect_only(BASE "[daemon]\ncolour = blue\n", 6,
	    "unknown key 'colour' in [daemon]");
}

static void
test_err_unknown_section(void **state)
{
	char	*errors;

	expect_only(BASE "[daemons]\ncompany = x\n", 5,
	    "unknown section [daemons]; did you mean [daemon]?");
	expect_only(BASE "[printers p2]\nuri = x\n", 5,
	    "did you mean [printer NAME]?");
	expect_only(BASE "[kitchen]\n", 5, "unknown section [kitchen] "
	    "(sections are daemon, workers");
	/* Its keys are not filed under the previous section. */
	errors = load_bad(BASE "[nope]\nuri = garbage\nprinters = zz\n",
	    CONFIG_DAEMON);
	assert_int_equal(count_lines(errors), 1);
	free(errors);
	expect_only(BASE "[daemon extra]\n", 5, "[daemon] takes no name");
	expect_only(BASE "[station]\n", 5, "[station] needs a name");
	expect_only(BASE "[station a b]\n", 5, "a station name is one word");
	expect_only(BASE "[station Bar]\n", 5, "[station Bar]: 'Bar' is not "
	    "a valid name: names are lower case ('bar')");
	expect_only(BASE "[]\n", 5, "empty section header");
}

static void
test_err_bad_int(void **state)
{
	expect_only(BASE "[workers]\nmax = ten\n", 6,
	    "[workers] max: 'ten' is not a whole number");
	expect_only(BASE "[workers]\nprint_timeout_ms = 5s\n", 6,
	    "'5s' is not a whole number: write the number alone, the unit is "
	    "in the key's name");
	expect_only(BASE "[workers]\nmax = 4 # four\n", 6,
	    "(a comment after a value starts with ' ;', not '#')");
	expect_only(BASE "[workers]\nmax =\n", 6, "'' is not a whole number");
	expect_only(BASE "[workers]\nmax = 0x10\n", 6, "not a whole number");
	expect_only(BASE "[workers]\nmax = 99999999999999999999\n", 6,
	    "not a whole number");
}

static void
test_err_out_of_range(void **state)
{
	expect_only(BASE "[workers]\n\nmax = 65\n", 7,
	    "[workers] max: 65 is out of range (1..64)");
	expect_only(BASE "[daemon]\nqueue_slots = 10\n", 6,
	    "[daemon] queue_slots: 10 is out of range (64..1048576)");
	expect_only(BASE "[turbo]\nbatch = -1\n", 6,
	    "[turbo] batch: -1 is out of range (1..32)");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://h:1\ncodepage = 256\n", 5,
	    "[printer p] codepage: 256 is out of range (0..255)");
}

static void
test_err_bad_enum(void **state)
{
	expect_only(BASE "[daemon]\nfsync = sometimes\n", 6,
	    "[daemon] fsync: 'sometimes' is not one of always, group or off");
	expect_only(BASE "[daemon]\nlog_level = INFO\n", 6,
	    "'INFO' is not one of warn, info or debug");
	expect_only("[printer p1]\nuri = tcp://h:1\nwidth = 80\n"
	    "[station s]\nprinters = p1\n", 3,
	    "[printer p1] width: '80' is not 32, 42 or 48");
}

static void
test_err_bad_bool(void **state)
{
	expect_only(BASE "[turbo]\nauto = maybe\n", 6,
	    "[turbo] auto: 'maybe' is not yes or no");
	expect_only("[station s1]\nprinters = p1\nkds = si\n"
	    "[printer p1]\nuri = tcp://h:1\n", 3,
	    "[station s1] kds: 'si' is not yes or no");
}

static void
test_err_bad_name(void **state)
{
	expect_only(BASE "[daemon]\ncompany = Mi Empresa\n", 6,
	    "[daemon] company: 'Mi Empresa' is not a valid name: use 1 to 31 "
	    "characters from a-z, 0-9, '_' and '-'");
	expect_only(BASE "[daemon]\nbranch = \n", 6, "'' is not a valid name");
	expect_only(BASE "[daemon]\n"
	    "branch = a23456789012345678901234567890123\n", 6,
	    "is not a valid name");
	expect_only(BASE "[daemon]\nbranch = café\n", 6, "not a valid name");
	expect_only(BASE "[station cocina]\nprinters = p1, P2\n", 6,
	    "'P2' is not a valid name: names are lower case ('p2')");
	expect_only(BASE "[routing]\nBebidas = s1\n", 6,
	    "[routing] category 'Bebidas' is not a valid name");
	expect_only(BASE "[routing]\nbebidas = bar principal\n", 6,
	    "[routing] bebidas: station 'bar principal' is not a valid name");
}

static void
test_err_duplicate(void **state)
{
	expect_only(BASE "[workers]\nmin = 2\n\nmin = 3\n", 8,
	    "[workers] min is already set at line 6");
	expect_only(BASE "[routing]\nbebidas = s1\nbebidas = s1\n", 7,
	    "[routing] bebidas is already routed at line 6");
	expect_only(BASE "[workers]\n[breaker]\n[workers]\nmin = 3\n", 7,
	    "section [workers] was already started at line 5; keep its keys "
	    "together");
	expect_only(BASE "[station s1]\nprinters = p1\n", 5,
	    "station 's1' is already defined at line 1");
	expect_only(BASE "[printer p1]\nuri = tcp://h:2\n", 5,
	    "printer 'p1' is already defined at line 3");
	expect_only("[station s1]\nprinters = p1, p1\n"
	    "[printer p1]\nuri = tcp://h:1\n", 2,
	    "[station s1] printers: 'p1' is listed twice");
	expect_only(BASE "[daemon]\nadmin_uids = 0, 0\n", 6,
	    "0 is listed twice");
}

static void
test_err_printer_in_no_station(void **state)
{
	expect_only(BASE "\n[printer spare]\nuri = tcp://h:1\n", 6,
	    "printer 'spare' is in no station; add it to a station's "
	    "printers, or remove it");
}

static void
test_err_station_unknown_printer(void **state)
{
	char	*errors;

	expect_only("[station s1]\n\nprinters = p1, p9\n"
	    "[printer p1]\nuri = tcp://h:1\n", 3,
	    "[station s1] printers: no [printer p9] is defined");
	errors = load_bad("[station s1]\nkds = yes\n[printer p1]\n"
	    "uri = tcp://h:1\n", CONFIG_DAEMON);
	expect_error(errors, 1, "[station s1] has no printers; write "
	    "printers = NAME[, NAME...]");
	expect_error(errors, 3, "printer 'p1' is in no station");
	assert_int_equal(count_lines(errors), 2);
	free(errors);
	errors = load_bad("[station s1]\nprinters =\n[printer p1]\n"
	    "uri = tcp://h:1\n", CONFIG_DAEMON);
	expect_error(errors, 2, "[station s1] printers: the list is empty; a "
	    "station needs at least one printer");
	expect_error(errors, 3, "printer 'p1' is in no station");
	assert_int_equal(count_lines(errors), 2);
	free(errors);
}

static void
test_err_printer_in_two_stations(void **state)
{
	expect_only(BASE "[station s2]\nprinters = p1\n", 6,
	    "[station s2] printers: printer 'p1' already belongs to station "
	    "'s1' (line 1); a printer serves one station");
}

static void
test_err_workers_rules(void **state)
{
	char	*errors;

	expect_only(BASE "[workers]\nmin = 5\nmax = 3\n", 7,
	    "[workers] max (3) is less than min (5)");
	/* Reported where the admin wrote something. */
	expect_only(BASE "[workers]\nmin = 12\n", 6,
	    "[workers] max (10) is less than min (12)");
	expect_only(BASE "[workers]\nscale_down_at = 20\n", 6,
	    "[workers] scale_down_at (20) must be below scale_up_at (15)");
	expect_only(BASE "[workers]\nworker_timeout_ms = 5000\n", 6,
	    "worker_timeout_ms (5000) must be greater than print_timeout_ms "
	    "(5000)");
	expect_only(BASE "[turbo]\nprint_timeout_ms = 6000\n", 6,
	    "[turbo] print_timeout_ms (6000) must not exceed [workers] "
	    "print_timeout_ms (5000)");
	expect_only(BASE "[turbo]\noff_below = 15\n", 6,
	    "[turbo] off_below (15) must be below queue_on (15)");
	/* A rejected value does not drag its default into a rule. */
	errors = load_bad(BASE "[workers]\nmin = 99\n", CONFIG_DAEMON);
	assert_int_equal(count_lines(errors), 1);
	expect_error(errors, 6, "99 is out of range");
	free(errors);
}

/*
 * inih would cut a line at 200 bytes and read the rest as a new line; we
 * refuse it instead.  Comments are never handed to inih, so they may be
 * as long as they like.
 */
static void
test_err_long_line(void **state)
{
	struct config	*cfg;
	char		 text[1024], pad[300], *errors;

	memset(pad, 'x', 250);
	pad[250] = '\0';
	snprintf(text, sizeof(text), BASE "[station s2]\n; %s\n"
	    "on_fallback = lp %s %%f\nprinters = p2\n"
	    "[printer p2]\nuri = tcp://h:2\n", pad, pad);
	expect_only(text, 7, "the line is too long (270 bytes; at most 197)");

	/* Exactly 197 bytes is fine, 198 is not. */
	memset(pad, ' ', sizeof(pad));
	snprintf(text, sizeof(text), BASE "[workers]\nmin%.*s= 3\n",
	    197 - 6, pad);
	assert_int_equal(load(text, CONFIG_DAEMON, &cfg, &errors), 0);
	assert_int_equal(cfg->workers.min, 3);
	config_free(cfg);
	snprintf(text, sizeof(text), BASE "[workers]\nmin%.*s= 3\n",
	    197 - 5, pad);
	expect_only(text, 6, "the line is too long (198 bytes; at most 197)");
}

static void
test_err_uri(void **state)
{
	expect_only("[station s]\nprinters = p\n[printer p]\nwidth = 42\n", 3,
	    "[printer p] has no uri; use tcp://HOST:PORT or "
	    "serial:/dev/DEVICE?baud=N");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = http://10.0.0.5\n", 4,
	    "[printer p] uri: 'http://10.0.0.5' is not a printer address");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://10.0.0.5\n", 4, "'10.0.0.5' has no port");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://10.0.0.5:70000\n", 4,
	    "'70000' is not a valid port (1..65535)");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://10.0.0.256:9100\n", 4,
	    "'10.0.0.256' is not a valid host name or IPv4 address");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://:9100\n", 4, "has no host");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = tcp://fe80::1:9100\n", 4, "put an IPv6 address in brackets");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:/dev/ttyUSB0\n", 4, "has no speed: add ?baud=N");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:/dev/ttyUSB0?baud=12345\n", 4,
	    "baud '12345' is not a standard rate");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:/dev/ttyUSB0?baud=9600&flow=hw\n", 4,
	    "flow 'hw' is not one of none, rtscts, xonxoff");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:/dev/ttyUSB0?baud=9600&parity=even\n", 4,
	    "unknown parameter 'parity'");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:ttyUSB0?baud=9600\n", 4, "'ttyUSB0' is not a device");
	expect_only("[station s]\nprinters = p\n[printer p]\n"
	    "uri = serial:/dev/ttyS0?baud=9600&baud=19200\n", 4,
	    "baud is given twice");
}

static void
test_err_same_device(void **state)
{
	expect_only(BASE "[station s2]\nprinters = p2\n[printer p2]\n"
	    "uri = tcp://127.0.0.1:9100\n", 8,
	    "[printer p2] uri: printer 'p1' (line 3) already uses "
	    "tcp://127.0.0.1:9100");
}

static void
test_err_routing(void **state)
{
	expect_only(BASE "[routing]\nbebidas = bar\n", 6,
	    "[routing] bebidas: no [station bar] is defined");
	expect_only(BASE "[routing]\nbebidas =\n", 6,
	    "[routing] bebidas: which station?");
}

static void
test_err_addresses(void **state)
{
	expect_only(BASE "[daemon]\nhttp = localhost\n", 6,
	    "[daemon] http: 'localhost' has no port: write HOST:PORT");
	expect_only(BASE "[daemon]\nhttp = 127.0.0.1:0\n", 6,
	    "'0' is not a valid port");
	expect_only(BASE "[daemon]\nlisten = 0.0.0.0:5555\n", 6,
	    "[daemon] listen: '0.0.0.0:5555' is not tcp://HOST:PORT");
	expect_only(BASE "[daemon]\nadmin_uids = root\n", 6,
	    "'root' is not a numeric user id");
	expect_only(BASE "[daemon]\nadmin_uids = 0,,1\n", 6,
	    "has an empty item");
}

static void
test_err_syntax(void **state)
{
	expect_only("min = 2\n" BASE, 1, "'min' comes before any [section]");
	expect_only(BASE "[workers\n", 5, "'[workers' has no closing ']'");
	expect_only(BASE "[workers] min = 2\n", 5,
	    "unexpected 'min = 2' after the section header '[workers]'");
	expect_only(BASE "[workers]\nmin 2\n", 6,
	    "'min 2' is not KEY = VALUE or [SECTION]");
	expect_only(BASE "[workers]\nmin: 2\n", 6, "is not KEY = VALUE");
	expect_only(BASE "[workers]\n= 2\n", 6, "the key name before '=' is "
	    "missing");
	expect_only(BASE "[daemon]\ncompany = caf\xe9\n", 6,
	    "the line is not valid UTF-8");
}

static void
test_err_nul_byte(void **state)
{
	struct config	*cfg;
	char		*errors;
	FILE		*fp;
	static const char text[] = BASE "[workers]\nmin = 2\0junk\n";

	fp = fopen(ini, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp),
	    sizeof(text) - 1);
	fclose(fp);
	assert_int_equal(config_load(ini, CONFIG_DAEMON, &cfg, &errors), -1);
	expect_error(errors, 6, "the line contains a NUL byte");
	free(errors);
}

static void
test_err_misc(void **state)
{
	char	text[512], *errors;

	expect_only(BASE "[station s1x]\nprinters = p1x\non_fallback = lp\n"
	    "[printer p1x]\nuri = tcp://h:5\n", 7,
	    "[station s1x] on_fallback: 'lp' has no %f");
	expect_only(BASE "[station s1x]\nprinters = p1x\n"
	    "on_fallback = lp %d %f\n[printer p1x]\nuri = tcp://h:5\n", 7,
	    "'%d' is not understood");
	expect_only(BASE "[postgres]\n", 5, "[postgres] has no conninfo");
	expect_only(BASE "[menu]\nsource = postgres\n", 6,
	    "[menu] source is postgres but there is no [postgres] section");
	expect_only(BASE "[daemon]\nstate_dir = ~/state\n", 6,
	    "'~' is not expanded here");
	expect_only(BASE "[daemon]\nstate_dir =\n", 6, "a path is required");

	/* The sockets must fit a sockaddr_un. */
	snprintf(text, sizeof(text), BASE "[daemon]\nruntime_dir = /%0100d\n",
	    0);
	expect_only(text, 6, "[daemon] runtime_dir '/000");
	errors = load_bad(text, CONFIG_CLIENT);
	expect_error(errors, 6, "is too long for a socket path (101 bytes; "
	    "at most 95)");
	free(errors);
}

static void
test_err_too_many_stations(void **state)
{
	char	*text, *errors;
	size_t	 len = 0;
	int	 i;

	text = calloc(1, 64 * 1024);
	assert_non_null(text);
	for (i = 0; i < CONFIG_STATIONS_MAX + 1; i++)
		len += (size_t)sprintf(text + len, "[station s%d]\n"
		    "printers = p%d\n[printer p%d]\nuri = tcp://h:%d\n",
		    i, i, i, 1000 + i);
	errors = load_bad(text, CONFIG_DAEMON);
	expect_error(errors, 4 * CONFIG_STATIONS_MAX + 1,
	    "too many stations (at most 32)");
	free(errors);
	free(text);
}

/* Everything wrong in a file is reported in one go, in line order. */
static void
test_many_errors_at_once(void **state)
{
	char	*errors;

	errors = load_bad(
	    "[daemon]\n"			/* 1 */
	    "fsync = never\n"			/* 2 */
	    "mystery = 1\n"			/* 3 */
	    "[workers]\n"			/* 4 */
	    "min = 3\n"				/* 5 */
	    "max = 2\n"				/* 6 */
	    "[station cocina]\n"		/* 7 */
	    "printers = c1, c9\n"		/* 8 */
	    "[printer c1]\n"			/* 9 */
	    "uri = tcp://h\n"			/* 10 */
	    "[printer c2]\n"			/* 11 */
	    "uri = tcp://h:2\n"			/* 12 */
	    "[routing]\n"			/* 13 */
	    "bebidas = bar\n",			/* 14 */
	    CONFIG_DAEMON);
	expect_error(errors, 2, "'never' is not one of");
	expect_error(errors, 3, "unknown key 'mystery'");
	expect_error(errors, 6, "max (2) is less than min (3)");
	expect_error(errors, 8, "no [printer c9] is defined");
	expect_error(errors, 10, "has no port");
	expect_error(errors, 11, "printer 'c2' is in no station");
	expect_error(errors, 14, "no [station bar] is defined");
	assert_int_equal(count_lines(errors), 7);
	/* in line order */
	assert_true(strstr(errors, ":2: ") < strstr(errors, ":6: "));
	assert_true(strstr(errors, ":6: ") < strstr(errors, ":14: "));
	free(errors);
}

/* A file that is not a configuration at all stops at a bound. */
static void
test_error_bound(void **state)
{
	char	*text, *errors;
	size_t	 len = 0;
	int	 i;

	text = calloc(1, 16 * 1024);
	assert_non_null(text);
	for (i = 0; i < 500; i++)
		len += (size_t)sprintf(text + len, "garbage %d\n", i);
	errors = load_bad(text, CONFIG_DAEMON);
	assert_int_equal(count_lines(errors), CONFIG_ERRORS_MAX + 1);
	expect_error(errors, 0, "too many errors; stopped reading");
	free(errors);
	free(text);
}

/* --- dump, diff, apply -------------------------------------------------- */

/* What -n prints loads back to the same configuration. */
static void
test_dump_round_trip(void **state)
{
	struct config	*a, *b;
	char		*errors, *report, path[PATH_MAX + 16];
	FILE		*fp;

	if (load(BASE "[daemon]\nlog_level = debug\nadmin_uids = 0, 1000\n"
	    "[station s2]\n" "printers = p2\non_fallback = lp %f\n"
	    "[printer p2]\nuri = serial:/dev/ttyS0?baud=9600&flow=xonxoff\n"
	    "[routing]\nbebidas = s1\n[postgres]\nconninfo = dbname=x\n",
	    CONFIG_DAEMON, &a, &errors) == -1)
		fail_msg("%s", errors);
	snprintf(path, sizeof(path), "%s/dump.ini", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	config_dump(fp, a);
	fclose(fp);
	if (config_load(path, CONFIG_DAEMON, &b, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(config_diff(a, b, &report), 0);
	assert_null(report);
	config_free(a);
	config_free(b);
}

/* config_dump marks what differs from the default and hides passwords. */
static void
test_dump_content(void **state)
{
	struct config	*cfg;
	char		*errors, *text = NULL;
	size_t		 len = 0;
	FILE		*fp;

	if (load(BASE "[workers]\nmax = 12\n[postgres]\n"
	    "conninfo = host=db password=s3cr3t dbname=fastops\n",
	    CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	config_dump(fp, cfg);
	fclose(fp);
	assert_non_null(strstr(text, "\n[workers]\nmin = 2\nmax = 12\t; "
	    "default: 10\n"));
	assert_non_null(strstr(text, "instance = demo-centro\n"));
	assert_non_null(strstr(text, "listen =\n"));
	assert_non_null(strstr(text, "\n[printer p1]\nuri = "
	    "tcp://127.0.0.1:9100\n"));
	assert_non_null(strstr(text, "conninfo = host=db password=******** "
	    "dbname=fastops\n"));
	assert_null(strstr(text, "s3cr3t"));
	free(text);
	config_free(cfg);

	if (load(BASE "[postgres]\nconninfo = postgresql://fo:s3cr3t@db/fo\n",
	    CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	fp = open_memstream(&text, &len);
	config_dump(fp, cfg);
	fclose(fp);
	assert_non_null(strstr(text, "postgresql://fo:********@db/fo"));
	assert_null(strstr(text, "s3cr3t"));
	free(text);
	config_free(cfg);
}

static void
test_diff_and_apply(void **state)
{
	struct config	*old, *new;
	char		*errors, *report;

	if (load(BASE "[routing]\nbebidas = s1\n", CONFIG_DAEMON, &old,
	    &errors) == -1)
		fail_msg("%s", errors);
	if (load(BASE "[routing]\nbebidas = s2\nvinos = s1\n"
	    "[workers]\nmax = 12\n[daemon]\nqueue_slots = 1024\n"
	    "log_level = debug\n[turbo]\nauto = no\n"
	    "[station s2]\nprinters = p2\n[printer p2]\nuri = tcp://h:2\n",
	    CONFIG_DAEMON, &new, &errors) == -1)
		fail_msg("%s", errors);

	/* queue_slots, s2, p2, two routes */
	assert_int_equal(config_diff(old, new, &report), 5);
	assert_non_null(report);
	assert_non_null(strstr(report,
	    "[workers] max: 10 -> 12 (applied)\n"));
	assert_non_null(strstr(report,
	    "[daemon] queue_slots: 65536 -> 1024 (needs a restart)\n"));
	assert_non_null(strstr(report,
	    "[daemon] log_level: info -> debug (applied)\n"));
	assert_non_null(strstr(report, "[turbo] auto: yes -> no (applied)\n"));
	assert_non_null(strstr(report, "[station s2] added (needs a "
	    "restart)\n"));
	assert_non_null(strstr(report, "[printer p2] added (needs a "
	    "restart)\n"));
	assert_non_null(strstr(report, "[routing] bebidas: s1 -> s2 (needs a "
	    "restart)\n"));
	assert_non_null(strstr(report, "[routing] vinos: (none) -> s1 (needs "
	    "a restart)\n"));
	assert_int_equal(count_lines(report), 8);
	free(report);

	config_apply(old, new);
	assert_int_equal(old->workers.max, 12);
	assert_int_equal(old->daemon.log_level, CONFIG_LOG_DEBUG);
	assert_int_equal(old->turbo.automatic, 0);
	assert_int_equal(old->daemon.queue_slots, 65536);	/* restart */

	/* What is left differs only in what needs a restart. */
	assert_int_equal(config_diff(old, new, &report), 5);
	assert_null(strstr(report, "(applied)"));
	free(report);

	assert_int_equal(config_diff(new, old, &report), 5);
	assert_non_null(strstr(report, "[station s2] removed"));
	assert_non_null(strstr(report, "[routing] vinos: s1 -> (removed)"));
	free(report);
	config_free(old);
	config_free(new);
}

/* The key table describes itself consistently. */
static void
test_keyinfo(void **state)
{
	struct config_keyinfo	ki;
	size_t			i;
	int			seen_reload = 0, seen_restart = 0;

	for (i = 0; config_keyinfo(i, &ki) == 0; i++) {
		assert_non_null(ki.section);
		assert_non_null(ki.key);
		assert_non_null(ki.type);
		assert_non_null(ki.help);
		if (ki.reloadable)
			seen_reload++;
		else
			seen_restart++;
		if (strcmp(ki.section, "workers") == 0 ||
		    strcmp(ki.section, "breaker") == 0 ||
		    strcmp(ki.section, "turbo") == 0)
			assert_true(ki.reloadable);
		if (strcmp(ki.key, "queue_slots") == 0) {
			assert_string_equal(ki.range, "64..1048576");
			assert_string_equal(ki.def, "65536");
		}
		if (strcmp(ki.key, "fsync") == 0)
			assert_string_equal(ki.range, "always|group|off");
	}
	assert_int_equal(config_keyinfo(i + 1, &ki), -1);
	assert_true(seen_reload > 10 && seen_restart > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_ini),
		cmocka_unit_test(test_shipped_ini_has_every_key),
		cmocka_unit_test(test_manual_has_every_key),
		cmocka_unit_test(test_manual_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_file_forms),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_client_flags),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_unknown_section),
		cmocka_unit_test(test_err_bad_int),
		cmocka_unit_test(test_err_out_of_range),
		cmocka_unit_test(test_err_bad_enum),
		cmocka_unit_test(test_err_bad_bool),
		cmocka_unit_test(test_err_bad_name),
		cmocka_unit_test(test_err_duplicate),
		cmocka_unit_test(test_err_printer_in_no_station),
		cmocka_unit_test(test_err_station_unknown_printer),
		cmocka_unit_test(test_err_printer_in_two_stations),
		cmocka_unit_test(test_err_workers_rules),
		cmocka_unit_test(test_err_long_line),
		cmocka_unit_test(test_err_uri),
		cmocka_unit_test(test_err_same_device),
		cmocka_unit_test(test_err_routing),
		cmocka_unit_test(test_err_addresses),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_nul_byte),
		cmocka_unit_test(test_err_misc),
		cmocka_unit_test(test_err_too_many_stations),
		cmocka_unit_test(test_many_errors_at_once),
		cmocka_unit_test(test_error_bound),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_dump_content),
		cmocka_unit_test(test_diff_and_apply),
		cmocka_unit_test(test_keyinfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
