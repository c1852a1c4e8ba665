/*
 * fastops-queued — the FastOps print queue daemon.  See fastops-queued(8).
 *
 * Start-up order matters: configuration and menu are checked first (so
 * `-n` and a bad file fail before anything is touched), then the state
 * directory is locked against a second daemon, the journal replayed and
 * the shm queue rebuilt, and only then do the sockets open — a client
 * never sees a daemon that has not finished recovering.  READY=1 goes to
 * systemd last.
 *
 * Signals are blocked in every thread and taken synchronously here with
 * sigtimedwait(), which also paces the periodic work (watchdog, snapshots).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "daemon.h"
#include "pgsync.h"
#include "wproto.h"
#include "log.h"
#include "pgmenu.h"
#include "xmalloc.h"

#define PRUNE_AGE_S		(48 * 3600)	/* orders kept in memory */
#define USERS_WAIT_MS		5000	/* for pgsync, before reading users */
#define DRAIN_TIMEOUT_NS	(5 * NS_PER_S)
#define SELFCHECK_EVERY_NS	(2 * NS_PER_S)

static void	usage(int) __attribute__((noreturn));
static int	mkdirs(const char *, mode_t);
static int	lock_state(const char *);
static int	start_menu(struct daemon *, int);
static void	reload(struct daemon *);
static void	set_verbosity(const struct config *, int);

static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: fastops-queued [-dnv] [-f file]\n");
	exit(status);
}

/* mkdir -p, each new component with mode. */
static int
mkdirs(const char *path, mode_t mode)
{
	char	buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* One daemon per state directory: the journal has one writer. */
static int
lock_state(const char *dir)
{
	char	path[PATH_MAX], pid[32];
	int	fd;

	snprintf(path, sizeof(path), "%s/fastops-queued.pid", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("another fastops-queued is running on %s",
			    dir);
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, pid, strlen(pid)) == -1)
		log_warn("%s", path);
	return fd;	/* held open: the lock lives as long as we do */
}

static void
set_verbosity(const struct config *cfg, int extra)
{
	int	v = cfg->daemon.log_level == CONFIG_LOG_DEBUG ? 2 :
	    cfg->daemon.log_level == CONFIG_LOG_INFO ? 1 : 0;

	log_setverbose(v + extra > 2 ? 2 : v + extra);
}

/*
 * The menu at start-up: [menu] file, or with source = postgres the
 * branch's products fetched into state_dir (under -n, into a temporary
 * file), or the copy of the last fetch that worked when the database
 * cannot give them.  Mistakes go to standard error.
 */
static int
start_menu(struct daemon *d, int check)
{
	char	path[PATH_MAX], why[512], *errors = NULL;
	int	fetched = -1, rv = 0;

	if (d->cfg->menu.source == CONFIG_MENU_FILE)
		snprintf(path, sizeof(path), "%s", d->cfg->menu.file);
	else {
		if (!check && mkdirs(d->cfg->daemon.state_dir, 0750) == -1) {
			log_warn("%s", d->cfg->daemon.state_dir);
			return -1;
		}
		fetched = pgmenu_fetch(d->cfg, check ? PGMENU_CHECK : 0, path,
		    sizeof(path), why, sizeof(why));
		if (fetched == -1) {
			log_warnx("menu: %s, and there is no %s/%s from an "
			    "earlier fetch to fall back on", why,
			    d->cfg->daemon.state_dir, PGMENU_FILE);
			return -1;
		}
		if (fetched == 1)
			log_warnx("menu: %s; using %s, from the last fetch "
			    "that worked", why, path);
	}
	if (menu_load(path, &d->menu, &errors) == -1 ||
	    menu_check_routes(d->menu, d->cfg, &errors) > 0) {
		fprintf(stderr, "%s", errors ? errors : "");
		rv = -1;
	}
	free(errors);
	if (check && fetched == 0)
		(void)unlink(path);	/* the temporary file */
	return rv;
}

/* SIGHUP: re-read the file, apply what can be applied, say what cannot. */
static void
reload(struct daemon *d)
{
	struct config	*nc;
	struct menu	*nm = NULL;
	char		*errors = NULL, *report = NULL;
	char		 menu[PATH_MAX], why[512];

	sd_notify(0, "RELOADING=1");
	if (config_load(d->config_path, CONFIG_DAEMON, &nc, &errors) == -1) {
		log_warnx("reload: %s unchanged; errors:\n%s", d->config_path,
		    errors ? errors : "");
		free(errors);
		sd_notify(0, "READY=1");
		return;
	}
	/* the copy of the last fetch is what runs already */
	snprintf(menu, sizeof(menu), "%s", d->cfg->menu.file);
	if (d->cfg->menu.source == CONFIG_MENU_POSTGRES &&
	    pgmenu_fetch(d->cfg, 0, menu, sizeof(menu), why, sizeof(why)) != 0)
		log_warnx("reload: menu not fetched (%s); the current one "
		    "stays", why);
	else if (menu_load(menu, &nm, &errors) == -1 ||
	    menu_check_routes(nm, d->cfg, &errors) > 0) {
		log_warnx("reload: menu %s not loaded:\n%s", menu,
		    errors ? errors : "");
		free(errors);
		menu_free(nm);
		nm = NULL;
	}
	pthread_mutex_lock(&d->lock);
	if (config_diff(d->cfg, nc, &report) > 0)
		log_warnx("reload: some changes need a restart");
	config_apply(d->cfg, nc);
	set_verbosity(d->cfg, 0);
	if (nm != NULL) {
		orders_set_menu(d->orders, nm);
		menu_free(d->menu);
		d->menu = nm;
	}
	pthread_mutex_unlock(&d->lock);
	supervisor_wake(d->sv);
	if (report != NULL)
		log_info("reload:\n%s", report);
	else
		log_info("reload: nothing changed");
	free(report);
	config_free(nc);
	sd_notify(0, "READY=1");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon	 d;
	struct timespec	 tick = { 1, 0 };
	siginfo_t	 si;
	sigset_t	 set;
	uint64_t	 wd_usec = 0, last_wd = 0, last_prune = 0, t0;
	uint64_t	 last_check = 0;
	char		*errors = NULL, url[PATH_MAX + 16];
	int		 ch, foreground = 0, check = 0, verbose = 0, sig, rv;
	int		 lockfd;

	/* the daemon spawns itself as its printer workers */
	if (argc > 1 && strcmp(argv[1], "--worker") == 0)
		return worker_main(argc, argv);
	log_init(argv[0], 1);
	memset(&d, 0, sizeof(d));
	d.config_path = NULL;
	d.shm_lockfd = -1;
	while ((ch = getopt_long(argc, argv, "df:nv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			d.config_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("fastops-queued %s\n", FASTOPS_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (argc != optind)
		usage(2);
	if (d.config_path == NULL)
		d.config_path = config_default_path();

	if (config_load(d.config_path, CONFIG_DAEMON, &d.cfg, &errors) == -1) {
		fprintf(stderr, "%s", errors ? errors : "");
		if (errors == NULL)
			log_warn("%s", d.config_path);
		return 1;
	}
	if (start_menu(&d, check) == -1)
		return 1;
	if (check) {
		config_dump(stdout, d.cfg);
		fprintf(stderr, "%s: configuration OK (%d stations, %d printers, "
		    "%zu products)\n", d.config_path, d.cfg->nstations,
		    d.cfg->nprinters, menu_count(d.menu));
		menu_free(d.menu);
		config_free(d.cfg);
		return 0;
	}
	set_verbosity(d.cfg, verbose);

	if (mkdirs(d.cfg->daemon.state_dir, 0750) == -1)
		fatal("%s", d.cfg->daemon.state_dir);
	if (mkdirs(d.cfg->daemon.runtime_dir, 0750) == -1)
		fatal("%s", d.cfg->daemon.runtime_dir);
	/* detach now: daemon() forks, and no thread may exist yet */
	if (!foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon");
		log_to_syslog();
	}
	if ((lockfd = lock_state(d.cfg->daemon.state_dir)) == -1)
		return 1;

	/* every thread inherits this mask; signals are taken below */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&d.lock, NULL);
	pthread_mutex_init(&d.stats_lock, NULL);
	hist_init(&d.ack_hist);
	d.started_ns = clock_mono_ns();
	if (store_open(&d) == -1)
		return 1;
	/* before any snapshot: it sets what the journal must keep */
	if (d.cfg->postgres.enabled && (d.pg = pgsync_start(&d)) == NULL)
		return 1;
	/*
	 * The staff from the database, which wins: only once it has every
	 * change this branch journaled, or an older row would undo a newer
	 * PIN.
	 */
	if (d.cfg->menu.source == CONFIG_MENU_POSTGRES) {
		if (d.pg != NULL && pgsync_wait(d.pg, USERS_WAIT_MS) == -1)
			log_warnx("users: not read from the database, which "
			    "does not have this branch's latest changes yet");
		else
			(void)pgmenu_users(&d);
	}

	if ((rv = nng_pub0_open(&d.pub)) != 0)
		fatalx("nng_pub0_open: %s", nng_strerror(rv));
	snprintf(url, sizeof(url), "ipc://%s/%s", d.cfg->daemon.runtime_dir,
	    FO_EVENTS_SOCKET);
	if ((rv = nng_listen(d.pub, url, NULL, 0)) != 0)
		fatalx("listen %s: %s", url, nng_strerror(rv));
	d.ev = events_new(&d);
	if (store_start_committer(&d) == -1)
		fatal("commit thread");
	if ((d.sv = supervisor_start(&d)) == NULL)
		return 1;
	if (api_start(&d) == -1)
		return 1;
	if (d.cfg->daemon.http[0] != '\0' &&
	    (d.http = http_start(&d, d.cfg->daemon.http)) == NULL)
		return 1;

	d.ready = 1;
	log_info("ready: %s/%s, instance %s, %zu tickets queued",
	    d.cfg->daemon.company, d.cfg->daemon.branch,
	    d.cfg->daemon.instance, qstate_count(d.model));
	sd_notifyf(0, "READY=1\nSTATUS=taking orders\nMAINPID=%ld",
	    (long)getpid());
	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;

	for (;;) {
		sig = sigtimedwait(&set, &si, &tick);
		if (sig == SIGHUP) {
			reload(&d);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		t0 = clock_mono_ns();
		if (t0 - last_check >= SELFCHECK_EVERY_NS) {
			api_selfcheck(&d);
			last_check = clock_mono_ns();
		}
		if (wd_usec != 0 && t0 - last_wd >= wd_usec * 1000 / 2) {
			sd_notify(0, "WATCHDOG=1");
			last_wd = t0;
		}
		pthread_mutex_lock(&d.lock);
		if (d.records_since_snapshot >=
		    (uint64_t)d.cfg->daemon.snapshot_every)
			(void)store_snapshot(&d);
		if (t0 - last_prune >= 3600 * NS_PER_S) {
			orders_prune(d.orders, (int64_t)time(NULL),
			    PRUNE_AGE_S);
			last_prune = t0;
		}
		pthread_mutex_unlock(&d.lock);
	}

	/*
	 * Graceful stop: refuse new requests, let the ones in flight reach
	 * the disk and their replies go out (bounded), snapshot, close.
	 */
	log_info("stopping");
	sd_notify(0, "STOPPING=1");
	pthread_mutex_lock(&d.lock);
	d.stopping = 1;
	pthread_mutex_unlock(&d.lock);
	t0 = clock_mono_ns();
	for (;;) {
		pthread_mutex_lock(&d.lock);
		rv = d.commit_head == NULL && d.commit_busy == 0;
		pthread_mutex_unlock(&d.lock);
		if (rv || clock_mono_ns() - t0 > DRAIN_TIMEOUT_NS)
			break;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	/* tickets in hand finish (and are journaled) before the commit stops */
	supervisor_stop(d.sv);
	d.sv = NULL;
	store_stop_committer(&d);
	pgsync_stop(d.pg);
	d.pg = NULL;
	api_stop(&d);
	http_stop(d.http);
	events_free(d.ev);
	nng_close(d.pub);
	pthread_mutex_lock(&d.lock);
	(void)store_snapshot(&d);
	pthread_mutex_unlock(&d.lock);
	store_close(&d);
	menu_free(d.menu);
	config_free(d.cfg);
	close(lockfd);
	log_info("stopped");
	return 0;
}
