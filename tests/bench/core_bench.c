/*
 * Benchmarks of the queue core (step 1), printed as markdown table rows:
 *
 *	| benchmark | result | target |
 *
 * Timings are measured once on this machine and reported, never asserted.
 * The journal runs in a directory on the same file system as build/
 * (FASTOPS_BENCH_DIR), never on tmpfs, where fdatasync costs nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "histogram.h"
#include "journal.h"
#include "qstate.h"
#include "shmq.h"

#define PAYLOAD_LEN	200	/* a typical ticket job record */

static const char	*bench_dir;
static int		 instance_seq;

static void
row(const char *name, const char *result, const char *target)
{
	printf("| %s | %s | %s |\n", name, result, target);
	fflush(stdout);
}

static void
die(const char *what)
{
	fprintf(stderr, "core_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct shmq *
queue_new(uint32_t nslots)
{
	struct shmq_params	 p;
	struct shmq		*q;
	char			 name[64];

	memset(&p, 0, sizeof(p));
	snprintf(name, sizeof(name), "bench-%d-%d", (int)getpid(),
	    instance_seq++);
	p.instance = name;
	p.nslots = nslots;
	p.payload_max = 512;
	p.low_max_wait_ns = 30 * NS_PER_S;
	p.nstations = 2;
	p.stations[0] = "cocina";
	p.stations[1] = "bar";
	p.nprinters = 2;
	p.printers[0] = "c1";
	p.printers[1] = "b1";
	p.printer_station[0] = 0;
	p.printer_station[1] = 1;
	if (shmq_create(&p, &q) == -1)
		die(shmq_strerror());
	return q;
}

/* enqueue -> claim -> complete, n times, on station st. */
static void
cycles(struct shmq *q, uint16_t st, uint64_t first_id, long n)
{
	struct shmq_job	 job, got;
	struct shmq_ref	 ref;
	char		 payload[PAYLOAD_LEN], buf[512];
	long		 i;

	memset(payload, 'x', sizeof(payload));
	memset(&job, 0, sizeof(job));
	job.station = st;
	job.prio = SHMQ_NORMAL;
	job.avoid_printer = -1;
	job.payload = payload;
	job.payload_len = sizeof(payload);
	for (i = 0; i < n; i++) {
		job.job_id = first_id + (uint64_t)i;
		if (shmq_enqueue(q, &job, &ref) == -1)
			die("shmq_enqueue");
		if (shmq_claim(q, st, &got, buf, sizeof(buf), &ref) == -1)
			die("shmq_claim");
		if (shmq_complete(q, &ref) == -1)
			die("shmq_complete");
	}
}

static void
bench_shmq_cycles(void)
{
	struct shmq	*q = queue_new(65536);
	uint64_t	 t0, t1;
	long		 n = 2000000;
	char		 res[128];
	pid_t		 pid[2];
	int		 i, st;

	cycles(q, 0, 1, 100000);	/* warm up */
	t0 = clock_mono_ns();
	cycles(q, 0, 1000000000, n);
	t1 = clock_mono_ns();
	snprintf(res, sizeof(res), "%.2f M cycles/s (%.0f ns/cycle)",
	    (double)n / ((double)(t1 - t0) / 1e9) / 1e6,
	    (double)(t1 - t0) / (double)n);
	row("shmq enqueue→claim→complete, 1 process", res, "≥ 1 M/s");

	/* two processes, one per station, contending for the one mutex */
	t0 = clock_mono_ns();
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == -1)
			die("fork");
		if (pid[i] == 0) {
			cycles(q, (uint16_t)i, 2000000000ULL +
			    (uint64_t)i * 100000000ULL, n / 2);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		if (waitpid(pid[i], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			die("child");
	}
	t1 = clock_mono_ns();
	snprintf(res, sizeof(res), "%.2f M cycles/s total",
	    (double)n / ((double)(t1 - t0) / 1e9) / 1e6);
	row("shmq cycles, 2 processes contending", res, "report");
	shmq_destroy(q);
}

/*
 * Wake-up latency: a worker process sleeps in shmq_claim_wait; the parent
 * enqueues a job stamped with the monotonic clock; the worker records how
 * long after the stamp it held the job.
 */
static void
bench_wakeup(void)
{
	struct shmq		*q = queue_new(1024);
	struct histogram	*h;
	struct shmq_counters	 c;
	struct shmq_job		 job;
	struct shmq_ref		 ref;
	uint64_t		 stamp, i, n = 5000;
	char			 res[160];
	pid_t			 pid;
	int			 st;

	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		die("mmap");
	hist_init(h);
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		struct shmq_job	got;
		char		buf[512];
		uint64_t	now, t;

		for (;;) {
			if (shmq_claim_wait(q, 0, &got, buf, sizeof(buf), &ref,
			    5 * NS_PER_S) == -1) {
				if (errno == EINTR)
					continue;
				_exit(errno == ETIMEDOUT ? 0 : 1);
			}
			now = clock_mono_ns();
			memcpy(&t, buf, sizeof(t));
			if (t == 0)
				_exit(0);
			hist_record(h, now - t);
			shmq_complete(q, &ref);
		}
	}
	memset(&job, 0, sizeof(job));
	job.station = 0;
	job.prio = SHMQ_NORMAL;
	job.avoid_printer = -1;
	job.payload = &stamp;
	job.payload_len = sizeof(stamp);
	usleep(50000);
	for (i = 1; i <= n + 1; i++) {
		job.job_id = i;
		/* let the worker fall asleep again before the next one */
		usleep(200);
		stamp = i <= n ? clock_mono_ns() : 0;
		if (shmq_enqueue(q, &job, &ref) == -1)
			die("enqueue");
		do {
			if (shmq_read_counters(q, &c) == -1)
				die("read_counters");
		} while (i <= n && c.completed < i && (usleep(50), 1));
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("wake-up worker");
	snprintf(res, sizeof(res), "p50 %.1f µs, p99 %.1f µs, max %.1f µs "
	    "(%llu samples)", hist_quantile(h, 0.5) / 1e3,
	    hist_quantile(h, 0.99) / 1e3, (double)h->max / 1e3,
	    (unsigned long long)h->count);
	row("worker wake-up, enqueue → claim in another process", res,
	    "p99 < 200 µs");
	munmap(h, sizeof(*h));
	shmq_destroy(q);
}

struct appender {
	struct journal	*j;
	uint64_t	 until_ns;
	uint64_t	 n;
	int		 failed;
};

static void *
appender_main(void *arg)
{
	struct appender	*a = arg;
	char		 payload[PAYLOAD_LEN];

	memset(payload, 'j', sizeof(payload));
	while (clock_mono_ns() < a->until_ns) {
		if (journal_append(a->j, QREC_DAEMON_BASE, payload,
		    sizeof(payload), NULL) == -1) {
			a->failed = 1;
			break;
		}
		a->n++;
	}
	return NULL;
}

static char *
fresh_dir(void)
{
	char	*d;

	if (asprintf(&d, "%s/journal.XXXXXX", bench_dir) == -1)
		die("asprintf");
	if (mkdtemp(d) == NULL)
		die("mkdtemp");
	return d;
}

static void
rmdir_r(const char *d)
{
	char	cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	if (system(cmd) != 0)
		die("rm");
}

static void
bench_journal(enum journal_fsync pol, int nthreads, double secs,
    const char *name, const char *target)
{
	struct journal_opts	 opts;
	struct journal_recovery	 rec;
	struct journal		*j;
	struct appender		*a;
	pthread_t		*t;
	uint64_t		 t0, t1, total = 0, syncs;
	char			*dir = fresh_dir(), res[160];
	int			 i;

	memset(&opts, 0, sizeof(opts));
	opts.fsync = pol;
	if (journal_open(dir, &opts, NULL, NULL, NULL, &j, &rec) == -1)
		die("journal_open");
	a = calloc((size_t)nthreads, sizeof(*a));
	t = calloc((size_t)nthreads, sizeof(*t));
	t0 = clock_mono_ns();
	for (i = 0; i < nthreads; i++) {
		a[i].j = j;
		a[i].until_ns = t0 + (uint64_t)(secs * 1e9);
		if (pthread_create(&t[i], NULL, appender_main, &a[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		if (a[i].failed)
			die("journal_append");
		total += a[i].n;
	}
	t1 = clock_mono_ns();
	syncs = journal_fsyncs(j);
	journal_close(j);
	snprintf(res, sizeof(res), "%.0f appends/s (%llu fdatasyncs, "
	    "%.1f records each)", (double)total / ((double)(t1 - t0) / 1e9),
	    (unsigned long long)syncs,
	    syncs ? (double)total / (double)syncs : 0.0);
	row(name, res, target);
	free(a);
	free(t);
	rmdir_r(dir);
	free(dir);
}

struct replay {
	struct qstate	*m;
	uint64_t	 n;
};

static int
replay_rec(uint64_t lsn, uint16_t type, const void *p, size_t len, void *arg)
{
	struct replay	*r = arg;

	r->n++;
	return qstate_apply(r->m, lsn, type, p, len);
}

/*
 * Replay: a journal of queued/claimed/printed triples (the shape of a real
 * day), read back through qstate into the model.
 */
static void
bench_replay(void)
{
	struct journal_opts	 opts;
	struct journal_recovery	 rec;
	struct journal		*j;
	struct replay		 r;
	struct qrec		 q;
	uint8_t			 buf[512];
	char			 payload[PAYLOAD_LEN], res[160];
	char			*dir = fresh_dir();
	uint64_t		 id, t0, t1, n = 400000;
	ssize_t			 len;

	memset(&opts, 0, sizeof(opts));
	opts.fsync = JOURNAL_FSYNC_OFF;
	memset(payload, 'r', sizeof(payload));
	if (journal_open(dir, &opts, NULL, NULL, NULL, &j, &rec) == -1)
		die("journal_open");
	for (id = 1; id <= n / 3; id++) {
		memset(&q, 0, sizeof(q));
		q.type = QREC_JOB_QUEUED;
		q.job_id = id;
		q.prio = SHMQ_NORMAL;
		q.payload = payload;
		q.payload_len = sizeof(payload);
		len = qrec_encode(&q, buf, sizeof(buf));
		if (journal_append(j, q.type, buf, (size_t)len, NULL) == -1)
			die("append");
		q.type = QREC_JOB_CLAIMED;
		q.printer = 0;
		len = qrec_encode(&q, buf, sizeof(buf));
		if (journal_append(j, q.type, buf, (size_t)len, NULL) == -1)
			die("append");
		q.type = QREC_JOB_PRINTED;
		len = qrec_encode(&q, buf, sizeof(buf));
		if (journal_append(j, q.type, buf, (size_t)len, NULL) == -1)
			die("append");
	}
	journal_close(j);

	r.m = qstate_new();
	r.n = 0;
	t0 = clock_mono_ns();
	if (journal_open(dir, &opts, NULL, replay_rec, &r, &j, &rec) == -1)
		die("journal_open (replay)");
	t1 = clock_mono_ns();
	journal_close(j);
	snprintf(res, sizeof(res), "%.0f records/s (%llu records, %.0f ms)",
	    (double)r.n / ((double)(t1 - t0) / 1e9), (unsigned long long)r.n,
	    (double)(t1 - t0) / 1e6);
	row("journal replay into the queue model", res, "≥ 500,000/s");
	qstate_free(r.m);
	rmdir_r(dir);
	free(dir);
}

int
main(int argc, char **argv)
{
	if ((bench_dir = getenv("FASTOPS_BENCH_DIR")) == NULL)
		bench_dir = "/var/tmp";
	signal(SIGPIPE, SIG_IGN);

	bench_shmq_cycles();
	bench_wakeup();
	bench_journal(JOURNAL_FSYNC_ALWAYS, 1, 2.0,
	    "journal durable appends, `always`, 1 appender", "report");
	bench_journal(JOURNAL_FSYNC_GROUP, 1, 2.0,
	    "journal durable appends, `group`, 1 appender", "report");
	bench_journal(JOURNAL_FSYNC_GROUP, 8, 2.0,
	    "journal durable appends, `group`, 8 appenders", "report");
	bench_journal(JOURNAL_FSYNC_GROUP, 64, 3.0,
	    "journal durable appends, `group`, 64 appenders", "≥ 50,000/s");
	bench_journal(JOURNAL_FSYNC_OFF, 1, 1.0,
	    "journal appends, `off` (write(2) only), 1 appender", "report");
	bench_replay();
	return 0;
}
