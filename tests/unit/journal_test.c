/*
 * src/queue/journal.c: round trips, fsync policies and group commit,
 * fdatasync failure, a byte-by-byte corruption sweep, snapshots and
 * retention, format versions, the offline verifier and the reader that
 * follows the journal for pgsync.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "crc32c.h"
#include "journal.h"
#include "log.h"

#define PATH_SIZE	512

/* What recovery or verify handed back. */
struct got_rec {
	uint64_t	 lsn;
	uint16_t	 type;
	size_t		 len;
	uint8_t		*data;
};

struct got {
	int		 nsnap;
	uint64_t	 snap_lsn;
	uint8_t		*snap;
	size_t		 snaplen;
	struct got_rec	*r;
	size_t		 n, cap;
	int		 fail_at;	/* rec_fn fails at this LSN */
};

/* --- helpers ----------------------------------------------------------- */

static uint64_t
rng_next(uint64_t *s)
{
	/* splitmix64: good enough to vary sizes and bytes reproducibly. */
	uint64_t	z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The record appended as lsn under seed: size 0..maxlen, type, bytes. */
static void
gen(uint64_t seed, uint64_t lsn, size_t maxlen, uint8_t *buf, size_t *len,
    uint16_t *type)
{
	uint64_t	s = seed * 1000003ULL + lsn;
	size_t		i;

	*len = (size_t)(rng_next(&s) % (maxlen + 1));
	*type = (uint16_t)rng_next(&s);
	for (i = 0; i < *len; i++)
		buf[i] = (uint8_t)rng_next(&s);
}

static int
got_snap(uint64_t lsn, const void *data, size_t len, void *arg)
{
	struct got	*g = arg;

	g->nsnap++;
	g->snap_lsn = lsn;
	free(g->snap);
	g->snap = malloc(len + 1);
	memcpy(g->snap, data, len);
	g->snaplen = len;
	return 0;
}

static int
got_rec(uint64_t lsn, uint16_t type, const void *payload, size_t len,
    void *arg)
{
	struct got	*g = arg;
	struct got_rec	*r;

	if (g->fail_at != 0 && lsn == (uint64_t)g->fail_at) {
		errno = ENOTRECOVERABLE;
		return -1;
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->r = realloc(g->r, g->cap * sizeof(*g->r));
	}
	r = &g->r[g->n++];
	r->lsn = lsn;
	r->type = type;
	r->len = len;
	r->data = malloc(len + 1);
	if (len > 0)
		memcpy(r->data, payload, len);
	return 0;
}

static void
got_reset(struct got *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++)
		free(g->r[i].data);
	free(g->r);
	free(g->snap);
	memset(g, 0, sizeof(*g));
}

/* From index from on, g holds the records first..last made with seed. */
static void
check_got(const struct got *g, size_t from, uint64_t first, uint64_t last,
    uint64_t seed, size_t maxlen)
{
	uint8_t		*buf = malloc(maxlen + 1);
	size_t		 len, i;
	uint16_t	 type;
	uint64_t	 lsn;

	assert_true(g->n >= from + (last - first + 1));
	for (lsn = first, i = from; lsn <= last; lsn++, i++) {
		gen(seed, lsn, maxlen, buf, &len, &type);
		assert_int_equal(g->r[i].lsn, lsn);
		assert_int_equal(g->r[i].type, type);
		assert_int_equal(g->r[i].len, len);
		assert_memory_equal(g->r[i].data, buf, len);
	}
	free(buf);
}

/* g holds exactly the records first..last made with seed. */
static void
check_exact(const struct got *g, uint64_t first, uint64_t last, uint64_t seed,
    size_t maxlen)
{
	assert_int_equal(g->n, last - first + 1);
	check_got(g, 0, first, last, seed, maxlen);
}

/* Append first..last generated with seed. */
static void
append_gen(struct journal *j, uint64_t first, uint64_t last, uint64_t seed,
    size_t maxlen)
{
	uint8_t		*buf = malloc(maxlen + 1);
	size_t		 len;
	uint16_t	 type;
	uint64_t	 lsn, got;

	for (lsn = first; lsn <= last; lsn++) {
		gen(seed, lsn, maxlen, buf, &len, &type);
		assert_int_equal(journal_append(j, type, buf, len, &got), 0);
		assert_int_equal(got, lsn);
	}
	free(buf);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
tmpdir_make(char *buf)
{
	snprintf(buf, PATH_SIZE, "/tmp/journal_test.XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static uint8_t *
file_read(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*buf;
	long	 n;

	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
file_write(const char *path, const void *buf, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Copy the regular files of a flat directory. */
static void
copy_dir(const char *from, const char *to)
{
	char		 a[2 * PATH_SIZE], b[2 * PATH_SIZE];
	DIR		*d;
	struct dirent	*de;
	uint8_t		*buf;
	size_t		 len;

	assert_int_equal(mkdir(to, 0700), 0);
	assert_non_null(d = opendir(from));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
		buf = file_read(a, &len);
		file_write(b, buf, len);
		free(buf);
	}
	closedir(d);
}

/* Number of files whose names end in suffix (or start with prefix). */
static int
count_files(const char *dir, const char *prefix, const char *suffix)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n, sl = suffix != NULL ? strlen(suffix) : 0;
	int		 count = 0;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (prefix != NULL && strncmp(de->d_name, prefix,
		    strlen(prefix)) != 0)
			continue;
		if (suffix != NULL && (n < sl ||
		    strcmp(de->d_name + n - sl, suffix) != 0))
			continue;
		count++;
	}
	closedir(d);
	return count;
}

/* Smallest first LSN among the segments in dir. */
static uint64_t
first_segment(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	uint64_t	 v, min = UINT64_MAX;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) == 20 &&
		    strcmp(de->d_name + 16, ".wal") == 0) {
			v = strtoull(de->d_name, NULL, 16);
			if (v < min)
				min = v;
		}
	}
	closedir(d);
	return min;
}

/* Size of the smallest segment but the last (the one being written). */
static off_t
closed_segments_min(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[2 * PATH_SIZE];
	uint64_t	 v, last = 0;
	off_t		 min = INT64_MAX, lastsize = 0;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 20 ||
		    strcmp(de->d_name + 16, ".wal") != 0)
			continue;
		v = strtoull(de->d_name, NULL, 16);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(stat(path, &st), 0);
		if (v > last) {
			if (last != 0 && lastsize < min)
				min = lastsize;
			last = v;
			lastsize = st.st_size;
		} else if (st.st_size < min)
			min = st.st_size;
	}
	closedir(d);
	return min;
}

static struct journal_opts
opts_make(enum journal_fsync policy, uint64_t segsize, int (*fn)(int))
{
	struct journal_opts	o;

	memset(&o, 0, sizeof(o));
	o.fsync = policy;
	o.segment_size = segsize;
	o.fsync_fn = fn;
	return o;
}

static int
no_fsync(int fd)
{
	return 0;
}

static struct journal *
open_ok(const char *dir, const struct journal_opts *o, struct got *g,
    struct journal_recovery *rec)
{
	struct journal	*j = NULL;

	if (journal_open(dir, o, got_snap, got_rec, g, &j, rec) == -1)
		fail_msg("journal_open %s: %s (%s)", dir, strerror(errno),
		    rec != NULL ? rec->message : "");
	assert_non_null(j);
	return j;
}

/* --- 1. round trips ---------------------------------------------------- */

static void
test_roundtrip(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0, NULL);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 tmp[PATH_SIZE], dir[PATH_SIZE + 8];

	tmpdir_make(tmp);
	snprintf(dir, sizeof(dir), "%s/j", tmp);
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.n, 0);
	assert_int_equal(rec.last_lsn, 0);
	assert_int_equal(journal_last_lsn(j), 0);
	append_gen(j, 1, 200, 1, 4000);
	assert_int_equal(journal_last_lsn(j), 200);
	assert_int_equal(journal_durable_lsn(j), 200);
	journal_close(j);

	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.nsnap, 0);
	check_exact(&g, 1, 200, 1, 4000);
	assert_int_equal(rec.records, 200);
	assert_int_equal(rec.first_lsn, 1);
	assert_int_equal(rec.last_lsn, 200);
	assert_int_equal(rec.truncated_bytes, 0);
	assert_string_equal(rec.message, "");
	append_gen(j, 201, 250, 1, 4000);
	journal_close(j);

	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	check_exact(&g, 1, 250, 1, 4000);
	assert_int_equal(journal_last_lsn(j), 250);
	journal_close(j);
	got_reset(&g);
	rmtree(tmp);
}

static void
test_rollover(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 4096,
				     NULL);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE];
	int			 nseg;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 300, 2, 1000);
	journal_close(j);
	nseg = count_files(dir, NULL, ".wal");
	assert_true(nseg > 10);
	assert_int_equal(first_segment(dir), 1);

	j = open_ok(dir, &o, &g, &rec);
	check_exact(&g, 1, 300, 2, 1000);
	assert_int_equal(rec.segments, (uint32_t)nseg);
	append_gen(j, 301, 400, 2, 1000);
	journal_close(j);

	got_reset(&g);
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), 0);
	check_exact(&g, 1, 400, 2, 1000);
	assert_true(count_files(dir, NULL, ".wal") > nseg);

	/* A record larger than a segment still goes in, alone. */
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 401, 410, 3, 20000);
	journal_close(j);
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	check_got(&g, 0, 1, 400, 2, 1000);
	check_got(&g, 400, 401, 410, 3, 20000);
	assert_int_equal(g.n, 410);
	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

/* --- 2. policies ------------------------------------------------------- */

static int
slow_fsync(int fd)
{
	struct timespec	ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	return fdatasync(fd);
}

struct worker {
	struct journal	*j;
	int		 id;
	int		 count;
	int		 rc;
	int		 err;
	pthread_barrier_t *start;
};

/* Payload: thread id and sequence number, then some filler. */
static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	uint8_t		 buf[64];
	uint64_t	 lsn;
	int		 i;

	if (w->start != NULL)
		pthread_barrier_wait(w->start);
	w->rc = 0;
	for (i = 0; i < w->count; i++) {
		memset(buf, w->id, sizeof(buf));
		memcpy(buf, &w->id, 4);
		memcpy(buf + 4, &i, 4);
		if (journal_append(w->j, 7, buf, 8 + (size_t)(i % 50),
		    &lsn) == -1) {
			w->rc = -1;
			w->err = errno;
			return NULL;
		}
		if (journal_durable_lsn(w->j) < lsn) {
			w->rc = -2;	/* acknowledged but not durable */
			return NULL;
		}
	}
	return NULL;
}

static void
run_workers(struct journal *j, int nthreads, int count, struct worker *w)
{
	pthread_t		*t = calloc((size_t)nthreads, sizeof(*t));
	pthread_barrier_t	 start;
	int			 i;

	pthread_barrier_init(&start, NULL, (unsigned)nthreads);
	for (i = 0; i < nthreads; i++) {
		w[i].j = j;
		w[i].id = i;
		w[i].count = count;
		w[i].start = &start;
		assert_int_equal(pthread_create(&t[i], NULL, worker_run,
		    &w[i]), 0);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	free(t);
}

static void
test_policies(void **state)
{
	enum journal_fsync	 p[3] = {
		JOURNAL_FSYNC_ALWAYS, JOURNAL_FSYNC_GROUP, JOURNAL_FSYNC_OFF
	};
	struct journal_opts	 o;
	struct journal_recovery	 rec;
	struct journal		*j;
	struct worker		 w[8];
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE];
	uint64_t		 lsn;
	int			 k, i;

	for (k = 0; k < 3; k++) {
		tmpdir_make(dir);
		o = opts_make(p[k], 0, NULL);
		j = open_ok(dir, &o, &g, &rec);
		append_gen(j, 1, 20, 4, 300);
		assert_int_equal(journal_durable_lsn(j), 20);
		assert_int_equal(journal_fsyncs(j),
		    p[k] == JOURNAL_FSYNC_OFF ? 0 : 20);

		/* A batch appended without waiting, then one sync. */
		for (i = 0; i < 10; i++)
			assert_int_equal(journal_append_nowait(j, 1, "x", 1,
			    &lsn), 0);
		assert_int_equal(lsn, 30);
		if (p[k] != JOURNAL_FSYNC_OFF)
			assert_int_equal(journal_durable_lsn(j), 20);
		assert_int_equal(journal_sync(j, lsn), 0);
		assert_int_equal(journal_durable_lsn(j), 30);
		assert_int_equal(journal_fsyncs(j),
		    p[k] == JOURNAL_FSYNC_OFF ? 0 : 21);
		assert_int_equal(journal_sync(j, 30), 0);
		assert_int_equal(journal_fsyncs(j),
		    p[k] == JOURNAL_FSYNC_OFF ? 0 : 21);
		journal_close(j);

		j = open_ok(dir, &o, &g, &rec);
		check_got(&g, 0, 1, 20, 4, 300);
		assert_int_equal(g.n, 30);
		journal_close(j);
		got_reset(&g);
		rmtree(dir);
	}

	/* Concurrent appenders under `group` share fdatasyncs. */
	tmpdir_make(dir);
	o = opts_make(JOURNAL_FSYNC_GROUP, 0, slow_fsync);
	j = open_ok(dir, &o, &g, &rec);
	memset(w, 0, sizeof(w));
	run_workers(j, 8, 50, w);
	for (i = 0; i < 8; i++)
		assert_int_equal(w[i].rc, 0);
	assert_int_equal(journal_last_lsn(j), 400);
	assert_int_equal(journal_durable_lsn(j), 400);
	assert_true(journal_fsyncs(j) < 400);
	print_message("group: 400 appends by 8 threads, %llu fdatasyncs\n",
	    (unsigned long long)journal_fsyncs(j));
	journal_close(j);
	rmtree(dir);

	/* ... and under `always` each has its own. */
	tmpdir_make(dir);
	o = opts_make(JOURNAL_FSYNC_ALWAYS, 0, NULL);
	j = open_ok(dir, &o, &g, &rec);
	memset(w, 0, sizeof(w));
	run_workers(j, 8, 20, w);
	for (i = 0; i < 8; i++)
		assert_int_equal(w[i].rc, 0);
	assert_int_equal(journal_fsyncs(j), 160);
	journal_close(j);
	rmtree(dir);
}

/* --- 3. group commit --------------------------------------------------- */

struct tally {
	uint8_t		seen[64][200];
	uint64_t	next;
	int		bad;
};

static int
tally_rec(uint64_t lsn, uint16_t type, const void *payload, size_t len,
    void *arg)
{
	struct tally	*t = arg;
	uint32_t	 id, seq;

	if (lsn != t->next++ || type != 7 || len < 8) {
		t->bad++;
		return 0;
	}
	memcpy(&id, payload, 4);
	memcpy(&seq, (const uint8_t *)payload + 4, 4);
	if (id >= 64 || seq >= 200 || len != 8 + seq % 50) {
		t->bad++;
		return 0;
	}
	t->seen[id][seq]++;
	return 0;
}

/* Every (thread, seq) pair exactly once, LSNs 1..n without a gap. */
static void
check_tally(const struct tally *t, int nthreads, int count)
{
	int	i, k;

	assert_int_equal(t->bad, 0);
	assert_int_equal(t->next, (uint64_t)nthreads * (uint64_t)count + 1);
	for (i = 0; i < 64; i++)
		for (k = 0; k < 200; k++)
			assert_int_equal(t->seen[i][k],
			    i < nthreads && k < count);
}

static void
test_group_commit(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP,
				     256 * 1024, NULL);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct worker		*w = calloc(64, sizeof(*w));
	struct tally		*t = calloc(1, sizeof(*t));
	char			 dir[PATH_SIZE];
	int			 i;

	tmpdir_make(dir);
	assert_int_equal(journal_open(dir, &o, NULL, NULL, NULL, &j, &rec), 0);
	run_workers(j, 64, 200, w);
	for (i = 0; i < 64; i++)
		assert_int_equal(w[i].rc, 0);
	assert_int_equal(journal_last_lsn(j), 12800);
	assert_int_equal(journal_durable_lsn(j), 12800);
	assert_true(journal_fsyncs(j) < 12800);
	print_message("group: 12800 appends by 64 threads, %llu fdatasyncs, "
	    "%d segments\n", (unsigned long long)journal_fsyncs(j),
	    count_files(dir, NULL, ".wal"));
	journal_close(j);

	t->next = 1;
	assert_int_equal(journal_verify(dir, tally_rec, t, &rec), 0);
	check_tally(t, 64, 200);
	memset(t, 0, sizeof(*t));
	t->next = 1;
	assert_int_equal(journal_open(dir, &o, NULL, tally_rec, t, &j, &rec),
	    0);
	check_tally(t, 64, 200);
	assert_int_equal(rec.records, 12800);
	journal_close(j);
	free(t);
	free(w);
	rmtree(dir);
}

/* Rollovers while group fdatasyncs are in flight. */
static void
test_group_rollover(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     slow_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct worker		 w[16];
	struct tally		*t = calloc(1, sizeof(*t));
	char			 dir[PATH_SIZE];
	int			 i;

	tmpdir_make(dir);
	assert_int_equal(journal_open(dir, &o, NULL, NULL, NULL, &j, &rec), 0);
	memset(w, 0, sizeof(w));
	run_workers(j, 16, 100, w);
	for (i = 0; i < 16; i++)
		assert_int_equal(w[i].rc, 0);
	assert_int_equal(journal_durable_lsn(j), 1600);
	print_message("group: 1600 appends into %d segments, %llu "
	    "fdatasyncs\n", count_files(dir, NULL, ".wal"),
	    (unsigned long long)journal_fsyncs(j));
	journal_close(j);
	/* Rolled over only when full: one roll per boundary, however many
	 * threads raced for it (records are at most 20 + 57 bytes). */
	assert_true(closed_segments_min(dir) > 1024 - 77);
	t->next = 1;
	assert_int_equal(journal_verify(dir, tally_rec, t, &rec), 0);
	check_tally(t, 16, 100);
	free(t);
	rmtree(dir);
}

/* --- 4. fdatasync failure ---------------------------------------------- */

static int		fs_calls;
static int		fs_fail_from;	/* fail from this call on */
static int		fs_delay_ms;
static pthread_mutex_t	fs_lock = PTHREAD_MUTEX_INITIALIZER;

static int
failing_fsync(int fd)
{
	struct timespec	ts;
	int		n;

	pthread_mutex_lock(&fs_lock);
	n = ++fs_calls;
	pthread_mutex_unlock(&fs_lock);
	if (fs_fail_from == 0 || n < fs_fail_from)
		return fdatasync(fd);
	ts.tv_sec = 0;
	ts.tv_nsec = fs_delay_ms * 1000L * 1000L;
	nanosleep(&ts, NULL);
	errno = EIO;
	return -1;
}

static void
test_fsync_failure(void **state)
{
	enum journal_fsync	 p[2] = {
		JOURNAL_FSYNC_GROUP, JOURNAL_FSYNC_ALWAYS
	};
	struct journal_opts	 o;
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE];
	uint64_t		 lsn;
	int			 k;

	for (k = 0; k < 2; k++) {
		tmpdir_make(dir);
		o = opts_make(p[k], 0, failing_fsync);
		fs_calls = 0;
		fs_fail_from = 0;
		fs_delay_ms = 0;
		j = open_ok(dir, &o, &g, &rec);
		assert_null(journal_error(j));
		fs_fail_from = fs_calls + 6;	/* sixth append's sync */
		append_gen(j, 1, 5, 5, 100);
		assert_int_equal(journal_append(j, 1, "abc", 3, &lsn), -1);
		assert_int_equal(errno, EIO);
		assert_non_null(journal_error(j));
		assert_non_null(strstr(journal_error(j), "fdatasync"));
		assert_int_equal(journal_durable_lsn(j), 5);

		/* Finished: nothing more goes in, nothing is retried. */
		fs_fail_from = 0;
		assert_int_equal(journal_append(j, 1, "abc", 3, &lsn), -1);
		assert_int_equal(errno, EIO);
		assert_int_equal(journal_append_nowait(j, 1, "abc", 3, &lsn),
		    -1);
		assert_int_equal(errno, EIO);
		if (p[k] == JOURNAL_FSYNC_GROUP) {
			assert_int_equal(journal_sync(j, 6), -1);
			assert_int_equal(errno, EIO);
		}
		assert_int_equal(journal_snapshot(j, 5, "s", 1), -1);
		assert_int_equal(errno, EIO);
		assert_int_equal(journal_last_lsn(j), 6);
		assert_int_equal(journal_durable_lsn(j), 5);
		journal_close(j);

		/* A restart reads what is on disk: the acknowledged five. */
		o.fsync_fn = NULL;
		j = open_ok(dir, &o, &g, &rec);
		assert_true(g.n >= 5);
		check_got(&g, 0, 1, 5, 5, 100);
		assert_null(journal_error(j));
		journal_close(j);
		got_reset(&g);
		rmtree(dir);
	}
}

/* Everyone waiting on the failing fdatasync gets EIO, and so do latecomers. */
static void
test_fsync_failure_waiters(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     failing_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct worker		 w[16];
	char			 dir[PATH_SIZE];
	int			 i;

	tmpdir_make(dir);
	fs_calls = 0;
	fs_fail_from = 0;
	assert_int_equal(journal_open(dir, &o, NULL, NULL, NULL, &j, &rec), 0);
	fs_delay_ms = 100;
	fs_fail_from = fs_calls + 1;
	memset(w, 0, sizeof(w));
	run_workers(j, 16, 5, w);
	for (i = 0; i < 16; i++) {
		assert_int_equal(w[i].rc, -1);
		assert_int_equal(w[i].err, EIO);
	}
	assert_int_equal(journal_durable_lsn(j), 0);
	/* One fdatasync failed; none was tried after it. */
	assert_int_equal(fs_calls, fs_fail_from);
	assert_non_null(strstr(journal_error(j), "fdatasync"));
	assert_non_null(strstr(journal_error(j), "read-only"));
	journal_close(j);
	fs_fail_from = 0;
	fs_delay_ms = 0;
	rmtree(dir);
}

/* A write that fails half-way is cut back; the log goes on. */
static void
test_write_failure(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0, NULL);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	struct rlimit		 old, lim;
	struct stat		 st;
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	uint8_t			*big = calloc(1, JOURNAL_RECORD_MAX);
	uint64_t		 lsn;
	off_t			 size;

	tmpdir_make(dir);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 3, 6, 100);
	/* Big records first, so the limit is far above any log file. */
	assert_int_equal(journal_append(j, 9, big, JOURNAL_RECORD_MAX, &lsn),
	    0);
	assert_int_equal(journal_append(j, 9, big, JOURNAL_RECORD_MAX, &lsn),
	    0);
	assert_int_equal(stat(seg, &st), 0);
	size = st.st_size;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 30;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(journal_append(j, 1, big, 100, &lsn), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	/* Not a byte of the half-written record is left. */
	assert_int_equal(stat(seg, &st), 0);
	assert_int_equal(st.st_size, size);
	assert_null(journal_error(j));
	assert_int_equal(journal_last_lsn(j), 5);
	assert_int_equal(journal_append(j, 2, "next", 4, &lsn), 0);
	assert_int_equal(lsn, 6);
	journal_close(j);

	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.n, 6);
	check_got(&g, 0, 1, 3, 6, 100);
	assert_int_equal(g.r[5].lsn, 6);
	assert_int_equal(g.r[5].len, 4);
	assert_int_equal(rec.truncated_bytes, 0);
	journal_close(j);
	got_reset(&g);
	free(big);
	rmtree(dir);
}

/* --- 5. corruption ----------------------------------------------------- */

enum damage { FLIP, ZERO, TRUNC };

/* Offsets of the records of a segment image. */
static size_t
record_offsets(const uint8_t *buf, size_t len, size_t *off, size_t max)
{
	size_t		n = 0, p = JOURNAL_HDR_SIZE;
	uint32_t	rl;

	while (p < len && n < max) {
		off[n++] = p;
		memcpy(&rl, buf + p, 4);
		p += JOURNAL_REC_HDR_SIZE + rl;
	}
	assert_int_equal(p, len);
	return n;
}

static void
test_corruption_sweep(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec, vrec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 tmp[PATH_SIZE], base[PATH_SIZE + 8];
	char			 work[PATH_SIZE + 8], seg[PATH_SIZE + 32];
	uint8_t			*img, *bad;
	size_t			 len, off[64], nrec, k, b, cut, end;
	uint64_t		 damaged, keep;
	int			 d, vr, rc, whole;
	int			 refused = 0, truncated = 0;

	tmpdir_make(tmp);
	snprintf(base, sizeof(base), "%s/base", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", work);
	j = open_ok(base, &o, &g, &rec);
	append_gen(j, 1, 30, 7, 40);
	journal_close(j);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", base);
	img = file_read(seg, &len);
	nrec = record_offsets(img, len, off, 64);
	assert_int_equal(nrec, 30);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", work);

	for (k = nrec - 3; k < nrec; k++) {
		damaged = k + 1;
		end = k + 1 < nrec ? off[k + 1] : len;
		for (b = off[k]; b < end; b++) {
			for (d = FLIP; d <= TRUNC; d++) {
				rmtree(work);
				copy_dir(base, work);
				bad = malloc(len);
				memcpy(bad, img, len);
				cut = len;
				whole = 0;
				if (d == FLIP)
					bad[b] ^= 0xff;
				else if (d == ZERO) {
					whole = bad[b] == 0;
					bad[b] = 0;
				} else
					cut = b;
				file_write(seg, bad, cut);
				free(bad);

				/* Cut exactly between records: no trace. */
				if (d == TRUNC && b == off[k])
					whole = -1;

				got_reset(&g);
				vr = journal_verify(work, NULL, NULL, &vrec);
				if (whole != 0)
					assert_int_equal(vr, 0);
				else {
					assert_int_equal(vr, -1);
					assert_int_equal(errno, EBADMSG);
					assert_true(vrec.message[0] != '\0');
					assert_int_equal(vrec.last_lsn,
					    damaged - 1);
				}

				j = NULL;
				rc = journal_open(work, &o, got_snap, got_rec,
				    &g, &j, &rec);
				keep = whole == 1 ? 30 : damaged - 1;
				if (whole == 0 && d != TRUNC && damaged < 30) {
					/* Intact records follow: refuse. */
					assert_int_equal(rc, -1);
					assert_int_equal(errno, EBADMSG);
					assert_true(rec.message[0] != '\0');
					assert_null(j);
					assert_int_equal(g.n, 0);
					refused++;
					continue;
				}
				if (rc == -1)
					fail_msg("open: %s (%s) damage %d at "
					    "%zu", strerror(errno),
					    rec.message, d, b);
				check_exact(&g, 1, keep, 7, 40);
				assert_int_equal(rec.last_lsn, keep);
				if (whole == 0) {
					assert_true(rec.truncated_bytes > 0);
					assert_non_null(strstr(rec.message,
					    "torn tail"));
					truncated++;
				} else
					assert_int_equal(rec.truncated_bytes,
					    0);

				/* The repaired log takes new records. */
				append_gen(j, keep + 1, keep + 3, 8, 40);
				journal_close(j);
				got_reset(&g);
				assert_int_equal(journal_verify(work, NULL,
				    NULL, &vrec), 0);
				j = open_ok(work, &o, &g, &rec);
				check_got(&g, 0, 1, keep, 7, 40);
				check_got(&g, keep, keep + 1, keep + 3, 8, 40);
				assert_int_equal(g.n, keep + 3);
				journal_close(j);
			}
		}
	}
	print_message("sweep: %d refused, %d torn tails truncated\n", refused,
	    truncated);
	assert_true(refused > 0 && truncated > 0);
	got_reset(&g);
	free(img);
	rmtree(tmp);
}

/* Damage in a closed segment is never a torn tail; force_truncate cuts. */
static void
test_damage_closed_segment(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	uint8_t			*img;
	size_t			 len;
	uint64_t		 next;
	int			 nseg;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 60, 9, 100);
	journal_close(j);
	nseg = count_files(dir, NULL, ".wal");
	assert_true(nseg >= 4);

	/* Tear the last record of the first segment. */
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", dir);
	img = file_read(seg, &len);
	file_write(seg, img, len - 3);
	free(img);

	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "0000000000000001.wal"));
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "0000000000000001.wal"));
	assert_non_null(strstr(rec.message, "later segments"));
	assert_int_equal(g.n, 0);
	assert_int_equal(count_files(dir, NULL, ".wal"), nseg);

	o.force_truncate = 1;
	j = open_ok(dir, &o, &g, &rec);
	next = journal_last_lsn(j) + 1;
	assert_true(g.n > 0 && g.n < 60);
	check_exact(&g, 1, g.n, 9, 100);
	assert_non_null(strstr(rec.message, "force_truncate"));
	assert_true(rec.truncated_bytes > 0);
	assert_int_equal(count_files(dir, NULL, ".wal"), 1);
	append_gen(j, next, next + 9, 10, 100);
	journal_close(j);

	got_reset(&g);
	o.force_truncate = 0;
	j = open_ok(dir, &o, &g, &rec);
	check_got(&g, 0, 1, next - 1, 9, 100);
	check_got(&g, next - 1, next, next + 9, 10, 100);
	assert_int_equal(g.n, next + 9);
	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

/* Damage in records the snapshot covers does not stop the journal. */
static void
test_damage_covered(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], path[PATH_SIZE + 32];
	uint8_t			*img;
	size_t			 len;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 19, 100);
	assert_int_equal(journal_snapshot(j, 90, "S", 1), 0);
	append_gen(j, 101, 110, 19, 100);
	journal_close(j);
	assert_true(first_segment(dir) == 1);

	snprintf(path, sizeof(path), "%s/0000000000000001.wal", dir);
	img = file_read(path, &len);
	img[len / 2] ^= 0x10;
	file_write(path, img, len);
	free(img);

	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "snapshot covers"));
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 90);
	check_exact(&g, 91, 110, 19, 100);
	assert_non_null(strstr(rec.message, "snapshot covers"));
	assert_int_equal(rec.truncated_bytes, 0);
	journal_close(j);
	got_reset(&g);

	/* Without the snapshot the same damage is fatal. */
	snprintf(path, sizeof(path), "%s/snap-%016llx", dir, 90ULL);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(g.n, 0);
	got_reset(&g);
	rmtree(dir);
}

/* A missing segment in the middle is a gap, not a tail. */
static void
test_gap(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	DIR			*d;
	struct dirent		*de;
	uint64_t		 v, second = UINT64_MAX;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 60, 9, 100);
	journal_close(j);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 20)
			continue;
		v = strtoull(de->d_name, NULL, 16);
		if (v > 1 && v < second)
			second = v;
	}
	closedir(d);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir,
	    (unsigned long long)second);
	assert_int_equal(unlink(seg), 0);
	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "missing"));
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "missing"));
	got_reset(&g);
	rmtree(dir);
}

/* A segment whose creation was cut short goes; so does a damaged header. */
static void
test_torn_creation(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	uint8_t			*img;
	size_t			 len;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 10, 11, 100);
	journal_close(j);

	snprintf(seg, sizeof(seg), "%s/000000000000000b.wal", dir);
	file_write(seg, "FOPSWAL\0\1\0", 10);
	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EBADMSG);
	j = open_ok(dir, &o, &g, &rec);
	check_exact(&g, 1, 10, 11, 100);
	assert_non_null(strstr(rec.message, "torn tail"));
	assert_int_equal(rec.truncated_bytes, 10);
	assert_int_equal(access(seg, F_OK), -1);
	append_gen(j, 11, 12, 11, 100);
	journal_close(j);
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	check_exact(&g, 1, 12, 11, 100);
	journal_close(j);
	got_reset(&g);

	/* A header-only last segment is fine as it is. */
	o.segment_size = 1;
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 13, 13, 11, 100);
	journal_close(j);
	got_reset(&g);
	snprintf(seg, sizeof(seg), "%s/000000000000000d.wal", dir);
	img = file_read(seg, &len);
	file_write(seg, img, JOURNAL_HDR_SIZE);
	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), 0);
	j = open_ok(dir, &o, &g, &rec);
	check_exact(&g, 1, 12, 11, 100);
	assert_int_equal(journal_last_lsn(j), 12);
	journal_close(j);
	got_reset(&g);

	/* A corrupt header with records behind it is refused. */
	img[3] ^= 0x40;
	file_write(seg, img, len);
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "magic"));
	free(img);
	got_reset(&g);
	rmtree(dir);
}

/* Encode a record by hand, as journal.h describes it (little-endian). */
static size_t
rec_encode(uint8_t *p, uint64_t lsn, uint16_t type, const void *payload,
    uint32_t len)
{
	uint32_t	crc;
	uint16_t	flags = 0;

	memcpy(p, &len, 4);
	memcpy(p + 8, &lsn, 8);
	memcpy(p + 16, &type, 2);
	memcpy(p + 18, &flags, 2);
	memcpy(p + 20, payload, len);
	crc = crc32c(0, p + 8, 12 + (size_t)len);
	memcpy(p + 4, &crc, 4);
	return 20 + (size_t)len;
}

/* What can follow the last good record, and what recovery makes of it. */
static void
test_tail_shapes(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 tmp[PATH_SIZE], base[PATH_SIZE + 8];
	char			 work[PATH_SIZE + 8], seg[PATH_SIZE + 32];
	uint8_t			*img, *buf;
	size_t			 len, n;
	int			 k;

	tmpdir_make(tmp);
	snprintf(base, sizeof(base), "%s/base", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	j = open_ok(base, &o, &g, &rec);
	append_gen(j, 1, 10, 18, 100);
	journal_close(j);
	got_reset(&g);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", base);
	img = file_read(seg, &len);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", work);
	buf = calloc(1, len + 8192);

	for (k = 0; k < 4; k++) {
		rmtree(work);
		copy_dir(base, work);
		memcpy(buf, img, len);
		n = len;
		switch (k) {
		case 0:		/* zeros, as after preallocation */
			memset(buf + n, 0, 4096);
			n += 4096;
			break;
		case 1:		/* an intact record of an older LSN */
			n += rec_encode(buf + n, 5, 1, "old", 3);
			break;
		case 2:		/* intact, but 11 and 12 are gone */
			n += rec_encode(buf + n, 13, 1, "lost", 4);
			break;
		case 3:		/* garbage, then an intact record 12 */
			memset(buf + n, 0xa5, 50);
			n += 50;
			n += rec_encode(buf + n, 12, 1, "next", 4);
			break;
		}
		file_write(seg, buf, n);
		assert_int_equal(journal_verify(work, NULL, NULL, &rec), -1);
		assert_int_equal(errno, EBADMSG);
		if (k >= 2) {
			assert_int_equal(journal_open(work, &o, got_snap,
			    got_rec, &g, &j, &rec), -1);
			assert_int_equal(errno, EBADMSG);
			assert_non_null(strstr(rec.message, "1 intact"));
			assert_int_equal(g.n, 0);
			continue;
		}
		j = open_ok(work, &o, &g, &rec);
		check_exact(&g, 1, 10, 18, 100);
		assert_int_equal(rec.truncated_bytes, n - len);
		journal_close(j);
		got_reset(&g);
	}
	free(buf);
	free(img);
	rmtree(tmp);
}

/* --- 6. snapshots ------------------------------------------------------ */

static void
test_snapshot(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE];
	static const char	 data[] = "estado de la cola en LSN 60";

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 12, 200);
	assert_int_equal(journal_snapshot(j, 101, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(journal_snapshot(j, 0, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(journal_snapshot(j, 60, data, sizeof(data)), 0);
	append_gen(j, 101, 150, 12, 200);
	journal_close(j);
	assert_int_equal(count_files(dir, "snap-", NULL), 1);

	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.nsnap, 1);
	assert_int_equal(g.snap_lsn, 60);
	assert_int_equal(g.snaplen, sizeof(data));
	assert_memory_equal(g.snap, data, sizeof(data));
	check_exact(&g, 61, 150, 12, 200);
	assert_int_equal(rec.snapshot_lsn, 60);
	assert_int_equal(rec.first_lsn, 61);
	assert_int_equal(rec.last_lsn, 150);
	assert_int_equal(rec.records, 90);

	/* An empty snapshot is a snapshot too. */
	assert_int_equal(journal_snapshot(j, 150, NULL, 0), 0);
	journal_close(j);
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 150);
	assert_int_equal(g.snaplen, 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(journal_last_lsn(j), 150);
	journal_close(j);

	/* verify shows every record on disk, the snapshot's too. */
	got_reset(&g);
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), 0);
	check_exact(&g, 1, 150, 12, 200);
	assert_int_equal(rec.snapshot_lsn, 150);
	got_reset(&g);
	rmtree(dir);
}

static void
test_snapshot_prune(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], snap[PATH_SIZE + 32];
	uint8_t			*img;
	size_t			 len;
	int			 before;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 200, 13, 100);
	assert_int_equal(journal_snapshot(j, 100, "A", 1), 0);
	/* One snapshot: nothing can go (no fallback otherwise). */
	assert_int_equal(first_segment(dir), 1);
	append_gen(j, 201, 300, 13, 100);
	before = count_files(dir, NULL, ".wal");
	assert_int_equal(journal_snapshot(j, 250, "BB", 2), 0);
	assert_true(count_files(dir, NULL, ".wal") < before);
	assert_true(first_segment(dir) > 1 && first_segment(dir) <= 101);
	append_gen(j, 301, 350, 13, 100);
	journal_close(j);

	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 250);
	assert_memory_equal(g.snap, "BB", 2);
	check_exact(&g, 251, 350, 13, 100);
	journal_close(j);
	got_reset(&g);

	/* Damaged newest snapshot: the one before it and the log. */
	snprintf(snap, sizeof(snap), "%s/snap-%016llx", dir, 250ULL);
	img = file_read(snap, &len);
	img[len - 1] ^= 1;
	file_write(snap, img, len);
	free(img);
	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(rec.message, "snap-"));
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.nsnap, 1);
	assert_int_equal(g.snap_lsn, 100);
	assert_memory_equal(g.snap, "A", 1);
	check_exact(&g, 101, 350, 13, 100);
	assert_non_null(strstr(rec.message, "snap-"));

	/*
	 * The next snapshot keeps the newest older one that checks out
	 * (100) as its fallback, not the damaged 250, and the log from 101.
	 */
	assert_int_equal(journal_snapshot(j, 350, "CCC", 3), 0);
	assert_int_equal(count_files(dir, "snap-", NULL), 2);
	assert_int_equal(access(snap, F_OK), -1);
	snprintf(snap, sizeof(snap), "%s/snap-%016llx", dir, 100ULL);
	assert_int_equal(access(snap, F_OK), 0);
	assert_true(first_segment(dir) > 1 && first_segment(dir) <= 101);

	/* And the one after: only the newest two stay. */
	append_gen(j, 351, 360, 13, 100);
	assert_int_equal(journal_snapshot(j, 360, "DDDD", 4), 0);
	assert_int_equal(count_files(dir, "snap-", NULL), 2);
	assert_int_equal(access(snap, F_OK), -1);
	assert_true(first_segment(dir) > 101 && first_segment(dir) <= 351);
	journal_close(j);
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 360);
	assert_int_equal(g.n, 0);
	journal_close(j);

	/* Remove the newest: recovery from 350 still has its records. */
	snprintf(snap, sizeof(snap), "%s/snap-%016llx", dir, 360ULL);
	assert_int_equal(unlink(snap), 0);
	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 350);
	check_exact(&g, 351, 360, 13, 100);
	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

static void
test_retain(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE];

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 300, 14, 100);
	journal_retain(j, 0);		/* keep everything */
	assert_int_equal(journal_snapshot(j, 100, "A", 1), 0);
	assert_int_equal(journal_snapshot(j, 200, "B", 1), 0);
	assert_int_equal(journal_snapshot(j, 300, "C", 1), 0);
	assert_int_equal(first_segment(dir), 1);

	journal_retain(j, 150);		/* records above 150 must stay */
	assert_int_equal(journal_snapshot(j, 300, "C", 1), 0);
	assert_true(first_segment(dir) > 1 && first_segment(dir) <= 151);

	journal_retain(j, UINT64_MAX);	/* snapshots alone decide */
	assert_int_equal(journal_snapshot(j, 300, "C", 1), 0);
	assert_true(first_segment(dir) > 151 && first_segment(dir) <= 201);
	journal_close(j);

	got_reset(&g);
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), 0);
	assert_true(g.n > 0);
	check_exact(&g, g.r[0].lsn, 300, 14, 100);
	got_reset(&g);
	rmtree(dir);
}

/* A snapshot newer than every record: appends go on after it. */
static void
test_snapshot_newer_than_log(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	uint8_t			*img;
	size_t			 len;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 10, 15, 100);
	assert_int_equal(journal_snapshot(j, 10, "S", 1), 0);
	journal_close(j);
	/* As if records 1..10 had never reached the disk. */
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", dir);
	img = file_read(seg, &len);
	file_write(seg, img, JOURNAL_HDR_SIZE);
	free(img);

	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 10);
	assert_int_equal(g.n, 0);
	assert_int_equal(rec.last_lsn, 10);
	assert_int_equal(journal_last_lsn(j), 10);
	append_gen(j, 11, 20, 15, 100);
	journal_close(j);
	snprintf(seg, sizeof(seg), "%s/000000000000000b.wal", dir);
	assert_int_equal(access(seg, F_OK), 0);

	got_reset(&g);
	j = open_ok(dir, &o, &g, &rec);
	assert_int_equal(g.snap_lsn, 10);
	check_exact(&g, 11, 20, 15, 100);
	journal_close(j);
	got_reset(&g);
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), 0);
	check_exact(&g, 11, 20, 15, 100);
	got_reset(&g);
	rmtree(dir);
}

/* --- 7. format versions ------------------------------------------------ */

static void
test_newer_format(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	char			 want[64];
	uint8_t			*img;
	size_t			 len;
	uint32_t		 v = JOURNAL_FORMAT_VERSION + 1, crc;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 10, 16, 100);
	journal_close(j);
	snprintf(seg, sizeof(seg), "%s/0000000000000001.wal", dir);
	img = file_read(seg, &len);
	memcpy(img + 8, &v, 4);
	crc = crc32c(0, img, 28);
	memcpy(img + 28, &crc, 4);
	file_write(seg, img, len);
	free(img);
	snprintf(want, sizeof(want), "format version %d",
	    JOURNAL_FORMAT_VERSION + 1);

	got_reset(&g);
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(rec.message, want));
	assert_int_equal(g.n, 0);
	assert_int_equal(journal_verify(dir, NULL, NULL, &rec), -1);
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(rec.message, want));
	/* Not even force_truncate touches it. */
	o.force_truncate = 1;
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, EPROTO);
	img = file_read(seg, &len);
	assert_true(len > JOURNAL_HDR_SIZE);
	free(img);
	got_reset(&g);
	rmtree(dir);
}

/* --- 8. verify and arguments ------------------------------------------- */

static void
test_verify_and_args(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 2048,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j, *j2;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], path[PATH_SIZE + 32];
	uint8_t			*big = calloc(1, JOURNAL_RECORD_MAX + 1);
	uint64_t		 lsn = 99;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 17, 300);

	/* Arguments. */
	assert_int_equal(journal_append(j, 1, big, JOURNAL_RECORD_MAX + 1,
	    &lsn), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(journal_append_nowait(j, 1, big,
	    JOURNAL_RECORD_MAX + 1, &lsn), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(journal_append(j, 1, NULL, 5, &lsn), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(lsn, 99);
	assert_int_equal(journal_sync(j, 101), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(journal_last_lsn(j), 100);

	/* One writer per journal. */
	assert_int_equal(journal_open(dir, &o, NULL, NULL, NULL, &j2, &rec),
	    -1);
	assert_int_equal(errno, EBUSY);
	assert_null(j2);

	/* Verify works on a live journal and changes nothing. */
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), 0);
	check_exact(&g, 1, 100, 17, 300);
	assert_int_equal(rec.records, 100);
	assert_int_equal(rec.last_lsn, 100);
	assert_string_equal(rec.message, "");
	journal_close(j);

	/* A callback failing aborts the open with its errno. */
	got_reset(&g);
	g.fail_at = 50;
	assert_int_equal(journal_open(dir, &o, got_snap, got_rec, &g, &j,
	    &rec), -1);
	assert_int_equal(errno, ENOTRECOVERABLE);
	got_reset(&g);
	g.fail_at = 50;
	assert_int_equal(journal_verify(dir, got_rec, &g, &rec), -1);
	assert_int_equal(errno, ENOTRECOVERABLE);
	got_reset(&g);

	/* Directories that cannot be. */
	snprintf(path, sizeof(path), "%s/nonexistent", dir);
	assert_int_equal(journal_verify(path, NULL, NULL, &rec), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(rec.message[0] != '\0');
	snprintf(path, sizeof(path), "%s/0000000000000001.wal/j", dir);
	assert_int_equal(journal_open(path, &o, NULL, NULL, NULL, &j, &rec),
	    -1);
	assert_int_equal(errno, ENOTDIR);
	assert_true(rec.message[0] != '\0');
	assert_int_equal(journal_open("/proc/journal-test", &o, NULL, NULL,
	    NULL, &j, &rec), -1);
	assert_true(rec.message[0] != '\0');
	free(big);
	rmtree(dir);
}

/* --- 9. following the journal: pgsync ---------------------------------- */

/* First LSN of the first segment in dir that starts above lsn. */
static uint64_t
segment_after(const char *dir, uint64_t lsn)
{
	DIR		*d;
	struct dirent	*de;
	uint64_t	 v, min = UINT64_MAX;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) == 20 &&
		    strcmp(de->d_name + 16, ".wal") == 0) {
			v = strtoull(de->d_name, NULL, 16);
			if (v > lsn && v < min)
				min = v;
		}
	}
	closedir(d);
	assert_true(min != UINT64_MAX);
	return min;
}

/* The reader hands out first..last, made with seed, at upto. */
static void
read_gen(struct journal_reader *r, uint64_t upto, uint64_t first,
    uint64_t last, uint64_t seed, size_t maxlen)
{
	uint8_t		*buf = malloc(maxlen + 1);
	const void	*payload;
	size_t		 len, plen;
	uint16_t	 type, ptype;
	uint64_t	 lsn, plsn;
	int		 rc;

	for (lsn = first; lsn <= last; lsn++) {
		gen(seed, lsn, maxlen, buf, &len, &type);
		rc = journal_reader_next(r, upto, &plsn, &ptype, &payload,
		    &plen);
		if (rc != 1)
			fail_msg("LSN %llu: %d, %s", (unsigned long long)lsn,
			    rc, rc == -1 ? journal_reader_error(r) : "");
		assert_int_equal(plsn, lsn);
		assert_int_equal(ptype, type);
		assert_int_equal(plen, len);
		assert_memory_equal(payload, buf, len);
	}
	free(buf);
}

/* Nothing more at upto (and asking again changes nothing). */
static void
read_none(struct journal_reader *r, uint64_t upto)
{
	uint64_t	lsn = 0;

	assert_int_equal(journal_reader_next(r, upto, &lsn, NULL, NULL,
	    NULL), 0);
	assert_int_equal(journal_reader_next(r, upto, &lsn, NULL, NULL,
	    NULL), 0);
	assert_int_equal(lsn, 0);
}

/* The next record fails with EBADMSG, and the message says where. */
static void
read_bad(struct journal_reader *r, uint64_t upto, const char *want1,
    const char *want2)
{
	const char	*msg;
	uint64_t	 lsn = 0;

	assert_int_equal(journal_reader_next(r, upto, &lsn, NULL, NULL,
	    NULL), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(lsn, 0);
	assert_non_null(msg = journal_reader_error(r));
	if (strstr(msg, want1) == NULL || (want2 != NULL &&
	    strstr(msg, want2) == NULL))
		fail_msg("\"%s\" does not say \"%s\" and \"%s\"", msg, want1,
		    want2 != NULL ? want2 : "");
}

static struct journal_reader *
reader_ok(const char *dir, uint64_t from)
{
	struct journal_reader	*r = NULL;
	uint64_t		 first = 99;

	if (journal_reader_open(dir, from, &r, &first) == -1)
		fail_msg("journal_reader_open %s at %llu: %s", dir,
		    (unsigned long long)from, strerror(errno));
	assert_non_null(r);
	assert_null(journal_reader_error(r));
	return r;
}

/* Opening at from fails with ENOENT and names the oldest LSN left. */
static void
reader_gone(const char *dir, uint64_t from, uint64_t want_first)
{
	struct journal_reader	*r = NULL;
	uint64_t		 first = 99;

	assert_int_equal(journal_reader_open(dir, from, &r, &first), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(r);
	assert_int_equal(first, want_first);
}

/*
 * Records of every size (one of the largest allowed) read from the start,
 * the middle and the end; upto holds the reader back.
 */
static void
test_reader(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 0,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct journal_reader	*r;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], path[PATH_SIZE + 8];
	uint8_t			*big = malloc(JOURNAL_RECORD_MAX);
	const void		*payload;
	size_t			 len, i, nbig = 0;
	uint16_t		 type;
	uint64_t		 lsn, first;

	/* 1..100 small, 101..110 up to 1 MiB, 111 the largest, 112..200. */
	for (lsn = 101; lsn <= 110; lsn++) {
		gen(42, lsn, JOURNAL_RECORD_MAX, big, &len, &type);
		if (len > 64 * 1024)
			nbig++;
	}
	assert_true(nbig >= 3);
	for (i = 0; i < JOURNAL_RECORD_MAX; i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	tmpdir_make(dir);

	/* No segment at all yet. */
	reader_gone(dir, 1, 0);

	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 41, 3000);
	append_gen(j, 101, 110, 42, JOURNAL_RECORD_MAX);
	assert_int_equal(journal_append(j, 5, big, JOURNAL_RECORD_MAX, &lsn),
	    0);
	assert_int_equal(lsn, 111);
	append_gen(j, 112, 200, 41, 3000);

	/* From the start. */
	r = reader_ok(dir, 1);
	read_gen(r, 200, 1, 100, 41, 3000);
	read_gen(r, 200, 101, 110, 42, JOURNAL_RECORD_MAX);
	assert_int_equal(journal_reader_next(r, 200, &lsn, &type, &payload,
	    &len), 1);
	assert_int_equal(lsn, 111);
	assert_int_equal(type, 5);
	assert_int_equal(len, JOURNAL_RECORD_MAX);
	assert_memory_equal(payload, big, JOURNAL_RECORD_MAX);
	read_gen(r, 200, 112, 200, 41, 3000);
	read_none(r, 200);
	journal_reader_close(r);

	/* From the middle, held back by upto. */
	r = reader_ok(dir, 77);
	read_none(r, 76);
	read_gen(r, 90, 77, 90, 41, 3000);
	read_none(r, 90);
	read_gen(r, 105, 91, 100, 41, 3000);
	read_gen(r, 105, 101, 105, 42, JOURNAL_RECORD_MAX);
	read_none(r, 105);
	read_gen(r, 200, 106, 110, 42, JOURNAL_RECORD_MAX);
	assert_int_equal(journal_reader_next(r, 200, &lsn, NULL, NULL, NULL),
	    1);
	assert_int_equal(lsn, 111);
	read_gen(r, 200, 112, 200, 41, 3000);
	read_none(r, 200);
	journal_reader_close(r);

	/* From the end: nothing yet, then what is appended. */
	assert_int_equal(journal_durable_lsn(j), 200);
	r = reader_ok(dir, 201);
	read_none(r, 200);
	append_gen(j, 201, 260, 41, 3000);
	read_gen(r, 230, 201, 230, 41, 3000);
	read_none(r, 230);
	read_gen(r, journal_durable_lsn(j), 231, 260, 41, 3000);
	read_none(r, 260);
	journal_reader_close(r);

	/* Beyond the end: the records before from are passed over. */
	r = reader_ok(dir, 300);
	read_none(r, 260);
	append_gen(j, 261, 320, 41, 3000);
	read_none(r, 299);
	read_gen(r, 320, 300, 320, 41, 3000);
	read_none(r, 320);
	journal_reader_close(r);

	/* Arguments, and a directory that is not there. */
	assert_int_equal(journal_reader_open(dir, 0, &r, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(journal_reader_open(dir, 1, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	snprintf(path, sizeof(path), "%s/none", dir);
	first = 99;
	assert_int_equal(journal_reader_open(path, 1, &r, &first), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(r);
	assert_int_equal(first, 0);
	journal_reader_close(NULL);

	journal_close(j);
	got_reset(&g);
	free(big);
	rmtree(dir);
}

/*
 * Across dozens of segments, while the writer rolls over; out of a
 * segment removed under the reader; up to one removed before it came.
 */
static void
test_reader_segments(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 2048,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct journal_reader	*r;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	uint64_t		 lsn, last, n, from, f2, f3;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 400, 43, 300);
	append_gen(j, 401, 410, 44, 6000);	/* bigger than a segment */
	append_gen(j, 411, 500, 43, 300);
	assert_true(count_files(dir, NULL, ".wal") > 30);

	r = reader_ok(dir, 1);
	read_gen(r, 500, 1, 400, 43, 300);
	read_gen(r, 500, 401, 410, 44, 6000);
	read_gen(r, 500, 411, 500, 43, 300);
	read_none(r, 500);

	/* The writer appends and rolls over, the reader keeps up. */
	for (lsn = 501; lsn <= 1500; lsn += n) {
		n = 1 + lsn % 7;
		append_gen(j, lsn, lsn + n - 1, 43, 300);
		read_gen(r, journal_durable_lsn(j), lsn, lsn + n - 1, 43, 300);
		read_none(r, lsn + n - 1);
	}
	journal_reader_close(r);
	last = journal_last_lsn(j);
	assert_int_equal(last, lsn - 1);
	assert_true(count_files(dir, NULL, ".wal") > 100);

	/* Opened anywhere: segment starts, middles, the last record. */
	for (from = 411; from <= last; from += 37) {
		r = reader_ok(dir, from);
		read_gen(r, last, from, from + 40 < last ? from + 40 : last,
		    43, 300);
		journal_reader_close(r);
	}
	for (from = 1; from < 400; from = segment_after(dir, from)) {
		r = reader_ok(dir, from);
		read_gen(r, last, from, 400, 43, 300);
		journal_reader_close(r);
	}
	r = reader_ok(dir, last);
	read_gen(r, last, last, last, 43, 300);
	read_none(r, last);
	journal_reader_close(r);

	/* A segment removed while read: the descriptor still reads it. */
	r = reader_ok(dir, 1);
	read_gen(r, last, 1, 1, 43, 300);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir, 1ULL);
	assert_int_equal(unlink(seg), 0);
	read_gen(r, last, 2, 400, 43, 300);
	read_gen(r, last, 401, 410, 44, 6000);
	read_gen(r, last, 411, last, 43, 300);
	read_none(r, last);
	journal_reader_close(r);
	f2 = first_segment(dir);
	reader_gone(dir, 1, f2);
	reader_gone(dir, f2 - 1, f2);

	/* One removed before the reader got there: its LSN is missing. */
	f3 = segment_after(dir, f2);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir,
	    (unsigned long long)f3);
	assert_int_equal(unlink(seg), 0);
	r = reader_ok(dir, f2);
	read_gen(r, last, f2, f3 - 1, 43, 300);
	snprintf(seg, sizeof(seg), "LSN %llu is missing",
	    (unsigned long long)f3);
	read_bad(r, last, seg, NULL);
	read_bad(r, last, seg, NULL);
	journal_reader_close(r);

	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

/* One thread appends (with snapshots and retention), another follows. */
struct follow {
	struct journal	*j;
	struct journal_reader *r;
	uint64_t	 count;
	pthread_mutex_t	 lock;
	uint64_t	 applied;	/* the reader's progress */
	int		 stop;		/* the writer gave up */
	uint64_t	 waits;		/* reader found nothing new */
	char		 werr[256];
	char		 rerr[256];
};

#define FOLLOW_SEED	48
#define FOLLOW_MAXLEN	200

static void *
follow_write(void *arg)
{
	struct follow	*f = arg;
	uint8_t		 buf[FOLLOW_MAXLEN + 1];
	size_t		 len;
	uint16_t	 type;
	uint64_t	 lsn, got, applied;

	for (lsn = 1; lsn <= f->count; lsn++) {
		gen(FOLLOW_SEED, lsn, FOLLOW_MAXLEN, buf, &len, &type);
		if (journal_append(f->j, type, buf, len, &got) == -1 ||
		    got != lsn) {
			snprintf(f->werr, sizeof(f->werr), "append %llu: %s",
			    (unsigned long long)lsn, strerror(errno));
			break;
		}
		if (lsn % 1000 != 0)
			continue;
		/* As pgsync would: keep what it has not applied yet. */
		pthread_mutex_lock(&f->lock);
		applied = f->applied;
		pthread_mutex_unlock(&f->lock);
		journal_retain(f->j, applied);
		if (journal_snapshot(f->j, lsn, "S", 1) == -1) {
			snprintf(f->werr, sizeof(f->werr), "snapshot %llu: %s",
			    (unsigned long long)lsn, strerror(errno));
			break;
		}
	}
	pthread_mutex_lock(&f->lock);
	f->stop = f->werr[0] != '\0';
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static void *
follow_read(void *arg)
{
	struct follow	*f = arg;
	uint8_t		 buf[FOLLOW_MAXLEN + 1];
	const void	*payload;
	size_t		 len, plen;
	uint16_t	 type, ptype;
	uint64_t	 lsn = 1, plsn;
	time_t		 deadline = time(NULL) + 120;
	int		 rc, stop;

	while (lsn <= f->count) {
		rc = journal_reader_next(f->r, journal_durable_lsn(f->j),
		    &plsn, &ptype, &payload, &plen);
		if (rc == -1) {
			snprintf(f->rerr, sizeof(f->rerr), "LSN %llu: %s",
			    (unsigned long long)lsn,
			    journal_reader_error(f->r));
			return NULL;
		}
		if (rc == 0) {
			pthread_mutex_lock(&f->lock);
			stop = f->stop;
			pthread_mutex_unlock(&f->lock);
			if (stop)
				return NULL;
			f->waits++;
			if (time(NULL) > deadline) {
				snprintf(f->rerr, sizeof(f->rerr), "stuck at "
				    "LSN %llu", (unsigned long long)lsn);
				return NULL;
			}
			sched_yield();
			continue;
		}
		gen(FOLLOW_SEED, lsn, FOLLOW_MAXLEN, buf, &len, &type);
		if (plsn != lsn || ptype != type || plen != len ||
		    memcmp(payload, buf, len) != 0) {
			snprintf(f->rerr, sizeof(f->rerr), "LSN %llu: got LSN "
			    "%llu type %u, %zu bytes", (unsigned long long)lsn,
			    (unsigned long long)plsn, ptype, plen);
			return NULL;
		}
		pthread_mutex_lock(&f->lock);
		f->applied = lsn;
		pthread_mutex_unlock(&f->lock);
		lsn++;
	}
	return NULL;
}

static void
test_reader_follow(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 16384,
				     no_fsync);
	struct journal_recovery	 rec;
	struct follow		 f;
	struct got		 g = { 0 };
	pthread_t		 wt, rt;
	char			 dir[PATH_SIZE];

	tmpdir_make(dir);
	memset(&f, 0, sizeof(f));
	pthread_mutex_init(&f.lock, NULL);
	f.count = 20000;
	f.j = open_ok(dir, &o, &g, &rec);
	f.r = reader_ok(dir, 1);
	assert_int_equal(pthread_create(&rt, NULL, follow_read, &f), 0);
	assert_int_equal(pthread_create(&wt, NULL, follow_write, &f), 0);
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	assert_string_equal(f.werr, "");
	assert_string_equal(f.rerr, "");
	assert_int_equal(f.applied, f.count);
	journal_reader_close(f.r);
	print_message("follow: %llu records, the reader waited %llu times, "
	    "segments from LSN %llu left\n", (unsigned long long)f.count,
	    (unsigned long long)f.waits,
	    (unsigned long long)first_segment(dir));

	/* Retention let go of what was applied; the rest is still read. */
	journal_retain(f.j, f.count);
	assert_int_equal(journal_snapshot(f.j, f.count, "T", 1), 0);
	assert_true(first_segment(dir) > 1);
	reader_gone(dir, 1, first_segment(dir));
	f.r = reader_ok(dir, first_segment(dir));
	read_gen(f.r, f.count, first_segment(dir), f.count, FOLLOW_SEED,
	    FOLLOW_MAXLEN);
	read_none(f.r, f.count);
	journal_reader_close(f.r);

	journal_close(f.j);
	pthread_mutex_destroy(&f.lock);
	got_reset(&g);
	rmtree(dir);
}

/*
 * journal_retain keeps every segment that holds a record above it when
 * snapshots clean up; what it lets go is gone for a reader too.
 */
static void
test_reader_retain(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 1024,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct journal_reader	*r;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], want[64];
	uint64_t		 oldest, next;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 300, 46, 100);
	journal_retain(j, 120);
	assert_int_equal(journal_snapshot(j, 200, "A", 1), 0);
	append_gen(j, 301, 400, 46, 100);
	assert_int_equal(journal_snapshot(j, 350, "B", 1), 0);
	assert_int_equal(journal_snapshot(j, 400, "C", 1), 0);
	oldest = first_segment(dir);
	assert_true(oldest > 1 && oldest <= 121);

	/* Every record above the retained LSN is there, and nothing less. */
	r = reader_ok(dir, 121);
	read_gen(r, 400, 121, 400, 46, 100);
	read_none(r, 400);
	journal_reader_close(r);
	r = reader_ok(dir, oldest);
	read_gen(r, 400, oldest, 400, 46, 100);
	journal_reader_close(r);
	reader_gone(dir, oldest - 1, oldest);
	reader_gone(dir, 1, oldest);

	/*
	 * Retention above the older snapshot: the snapshots decide again,
	 * and take the segments ahead of a reader left behind at 121.
	 */
	r = reader_ok(dir, 121);
	read_gen(r, 400, 121, 121, 46, 100);
	next = segment_after(dir, 121);
	journal_retain(j, 390);
	assert_int_equal(journal_snapshot(j, 400, "C", 1), 0);
	oldest = first_segment(dir);
	assert_true(oldest > next && oldest <= 351);
	reader_gone(dir, 121, oldest);
	reader_gone(dir, oldest - 1, oldest);
	read_gen(r, 400, 122, next - 1, 46, 100);
	snprintf(want, sizeof(want), "LSN %llu is missing",
	    (unsigned long long)next);
	read_bad(r, 400, want, NULL);
	journal_reader_close(r);
	r = reader_ok(dir, 351);
	read_gen(r, 400, 351, 400, 46, 100);
	journal_reader_close(r);

	/* UINT64_MAX: no retention, as before the first call. */
	journal_retain(j, UINT64_MAX);
	append_gen(j, 401, 500, 46, 100);
	assert_int_equal(journal_snapshot(j, 450, "D", 1), 0);
	assert_int_equal(journal_snapshot(j, 500, "E", 1), 0);
	oldest = first_segment(dir);
	assert_true(oldest > 351 && oldest <= 451);
	reader_gone(dir, 351, oldest);
	r = reader_ok(dir, 451);
	read_gen(r, 500, 451, 500, 46, 100);
	read_none(r, 500);
	journal_reader_close(r);

	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

/* Damage at or below upto fails the read and the message says where. */
static void
test_reader_damage(void **state)
{
	struct journal_opts	 o = opts_make(JOURNAL_FSYNC_GROUP, 4096,
				     no_fsync);
	struct journal_recovery	 rec;
	struct journal		*j;
	struct journal_reader	*r;
	struct got		 g = { 0 };
	char			 dir[PATH_SIZE], seg[PATH_SIZE + 32];
	char			 seg2[PATH_SIZE + 32], want[64];
	uint8_t			*img, *img2, *p, junk[15];
	size_t			 len, len2, off[64], noff;
	uint64_t		 lsn, f2;
	uint32_t		 crc, rl;
	FILE			*fp;

	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 47, 200);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir, 1ULL);
	img = file_read(seg, &len);
	noff = record_offsets(img, len, off, 64);
	assert_true(noff > 10);
	f2 = segment_after(dir, 1);
	assert_int_equal(f2, noff + 1);

	/* A flipped bit in LSN 5: fine up to 4, then the CRC. */
	img[off[4] + 16] ^= 0x40;
	file_write(seg, img, len);
	r = reader_ok(dir, 1);
	read_gen(r, 4, 1, 4, 47, 200);
	read_none(r, 4);
	read_bad(r, 100, "LSN 5", "CRC mismatch");
	read_bad(r, 100, "LSN 5", "0000000000000001.wal");
	journal_reader_close(r);
	/* Passing over it on the way to from fails the same. */
	r = reader_ok(dir, 8);
	read_none(r, 7);
	read_bad(r, 8, "LSN 5", "CRC mismatch");
	journal_reader_close(r);
	img[off[4] + 16] ^= 0x40;

	/* A record with a good CRC but the LSN of the next one. */
	p = img + off[9];
	memcpy(&rl, p, 4);
	lsn = 11;
	memcpy(p + 8, &lsn, 8);
	crc = crc32c(0, p + 8, 12 + (size_t)rl);
	memcpy(p + 4, &crc, 4);
	file_write(seg, img, len);
	r = reader_ok(dir, 1);
	read_gen(r, 100, 1, 9, 47, 200);
	read_bad(r, 100, "LSN 10", "out of sequence");
	journal_reader_close(r);
	free(img);

	/* A closed segment cut short inside its last record. */
	journal_close(j);
	rmtree(dir);
	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 100, 47, 200);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir, 1ULL);
	img = file_read(seg, &len);
	assert_int_equal(record_offsets(img, len, off, 64), noff);
	file_write(seg, img, off[noff - 1] + 10);
	r = reader_ok(dir, 1);
	read_gen(r, 100, 1, noff - 1, 47, 200);
	snprintf(want, sizeof(want), "LSN %llu", (unsigned long long)noff);
	read_bad(r, 100, want, "cut short");
	journal_reader_close(r);
	file_write(seg, img, len);
	free(img);

	/* A damaged header in the next segment. */
	snprintf(seg2, sizeof(seg2), "%s/%016llx.wal", dir,
	    (unsigned long long)f2);
	img2 = file_read(seg2, &len2);
	img2[24] ^= 1;			/* creation time */
	file_write(seg2, img2, len2);
	snprintf(want, sizeof(want), "LSN %llu", (unsigned long long)f2);
	r = reader_ok(dir, 1);
	read_gen(r, 100, 1, f2 - 1, 47, 200);
	read_bad(r, 100, want, "segment header CRC mismatch");
	journal_reader_close(r);
	r = reader_ok(dir, f2 + 1);
	read_bad(r, f2 + 1, want, "segment header CRC mismatch");
	journal_reader_close(r);
	img2[24] ^= 1;
	file_write(seg2, img2, len2);
	free(img2);

	/* An upto beyond what is on disk breaks the contract: damage too. */
	r = reader_ok(dir, 1);
	read_gen(r, 100, 1, 100, 47, 200);
	read_bad(r, 101, "LSN 101 is missing", NULL);
	journal_reader_close(r);
	journal_close(j);
	rmtree(dir);

	/*
	 * Bytes of a write that the writer then cut back (ENOSPC, say) may
	 * sit in the reader's window: the record there is read again.
	 */
	o.segment_size = 0;
	tmpdir_make(dir);
	j = open_ok(dir, &o, &g, &rec);
	append_gen(j, 1, 10, 47, 200);
	snprintf(seg, sizeof(seg), "%s/%016llx.wal", dir, 1ULL);
	img = file_read(seg, &len);
	memset(junk, 0xee, sizeof(junk));
	assert_non_null(fp = fopen(seg, "ab"));
	assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
	assert_int_equal(fclose(fp), 0);
	r = reader_ok(dir, 1);
	read_gen(r, 10, 1, 10, 47, 200);
	read_none(r, 10);
	assert_int_equal(truncate(seg, (off_t)len), 0);
	append_gen(j, 11, 12, 47, 200);
	read_gen(r, 12, 11, 12, 47, 200);
	read_none(r, 12);
	journal_reader_close(r);
	free(img);

	journal_close(j);
	got_reset(&g);
	rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_group_rollover),
		cmocka_unit_test(test_fsync_failure),
		cmocka_unit_test(test_fsync_failure_waiters),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_corruption_sweep),
		cmocka_unit_test(test_damage_closed_segment),
		cmocka_unit_test(test_damage_covered),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_torn_creation),
		cmocka_unit_test(test_tail_shapes),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_prune),
		cmocka_unit_test(test_retain),
		cmocka_unit_test(test_snapshot_newer_than_log),
		cmocka_unit_test(test_newer_format),
		cmocka_unit_test(test_verify_and_args),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_reader_segments),
		cmocka_unit_test(test_reader_follow),
		cmocka_unit_test(test_reader_retain),
		cmocka_unit_test(test_reader_damage),
	};

	log_init("journal_test", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
