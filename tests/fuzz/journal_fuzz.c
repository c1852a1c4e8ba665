/*
 * Fuzz target for journal recovery: journal_verify() and journal_open().
 *
 * The input is a whole journal directory in one blob, cut wherever a
 * segment ("FOPSWAL\0") or snapshot ("FOPSSNP\0") magic starts.  Each
 * piece becomes a segment "%016llx.wal" or a snapshot "snap-%016llx"
 * named by the LSN in its header (bytes 16..23); bytes before the first
 * magic become segment 1.  So a plain segment file is a good input, and
 * splicing grows multi-segment journals with snapshots.
 *
 * Besides never crashing, it checks (abort() on violation):
 *  - verify hands out records in increasing LSN order;
 *  - open fails only with EBADMSG or EPROTO, forced open only with EPROTO,
 *    and verify returning 0 means open needs no repair;
 *  - open replays exactly snapshot+1, +2, ... and says so in its report;
 *  - an opened journal takes appends and a snapshot (which prunes), and
 *    opens again with all of it: repair and pruning leave it usable.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

#define SEG_MAGIC	"FOPSWAL"
#define SNAP_MAGIC	"FOPSSNP"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct replay {
	int		nsnap;
	uint64_t	snap_lsn;
	uint64_t	next;		/* LSN the next record must have */
	uint64_t	records;
	uint32_t	sum;		/* touch every byte handed out */
};

static char	base[64];
static char	dir[96];

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "journal_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

static int
no_fsync(int fd)
{
	return 0;
}

static void
base_remove(void)
{
	rmdir(base);
}

static void
dir_clean(void)
{
	char		 path[sizeof(dir) + 300];
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void
put_file(const char *name, const uint8_t *p, size_t len)
{
	char	 path[sizeof(dir) + 64];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (len > 0 && fwrite(p, 1, len, f) != len)
		abort();
	fclose(f);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One piece of the input: a segment or a snapshot. */
static void
put_piece(const uint8_t *p, size_t len)
{
	char		name[40];
	uint64_t	lsn = 1;

	if (len >= 24)
		lsn = le64(p + 16);
	if (len >= 8 && memcmp(p, SNAP_MAGIC, 8) == 0)
		snprintf(name, sizeof(name), "snap-%016llx",
		    (unsigned long long)lsn);
	else
		snprintf(name, sizeof(name), "%016llx.wal",
		    (unsigned long long)(len >= 8 && memcmp(p, SEG_MAGIC, 8) ==
		    0 ? lsn : 1));
	put_file(name, p, len);
}

static int
magic_at(const uint8_t *p, size_t left)
{
	return left >= 8 && (memcmp(p, SEG_MAGIC, 8) == 0 ||
	    memcmp(p, SNAP_MAGIC, 8) == 0);
}

static int
verify_rec(uint64_t lsn, uint16_t type, const void *payload, size_t len,
    void *arg)
{
	struct replay	*r = arg;
	const uint8_t	*b = payload;
	size_t		 i;

	check(lsn >= r->next, "verify: LSNs not increasing");
	r->next = lsn + 1;
	r->records++;
	for (i = 0; i < len; i++)
		r->sum += b[i];
	return 0;
}

static int
open_snap(uint64_t lsn, const void *data, size_t len, void *arg)
{
	struct replay	*r = arg;
	const uint8_t	*b = data;
	size_t		 i;

	check(r->nsnap == 0 && r->records == 0, "open: snapshot not first");
	r->nsnap++;
	r->snap_lsn = lsn;
	r->next = lsn + 1;
	for (i = 0; i < len; i++)
		r->sum += b[i];
	return 0;
}

static int
open_rec(uint64_t lsn, uint16_t type, const void *payload, size_t len,
    void *arg)
{
	struct replay	*r = arg;
	const uint8_t	*b = payload;
	size_t		 i;

	check(lsn == r->next, "open: replayed LSNs not consecutive");
	r->next++;
	r->records++;
	for (i = 0; i < len; i++)
		r->sum += b[i];
	return 0;
}

/* Open; if it works, use the journal and check it opens again. */
static int
open_and_use(int force, const struct journal_recovery *vrec, int vrc)
{
	struct journal_opts	 o;
	struct journal_recovery	 rec;
	struct journal		*j;
	struct replay		 r;
	uint64_t		 last, lsn;
	int			 rc, appended = 0;

	memset(&o, 0, sizeof(o));
	o.fsync = JOURNAL_FSYNC_GROUP;
	o.segment_size = 256;
	o.fsync_fn = no_fsync;
	o.force_truncate = force;
	memset(&r, 0, sizeof(r));
	r.next = 1;
	rc = journal_open(dir, &o, open_snap, open_rec, &r, &j, &rec);
	if (rc == -1) {
		check(errno == EPROTO || (errno == EBADMSG && !force),
		    "open: unexpected errno");
		check(rec.message[0] != '\0', "open: failure without message");
		check(r.nsnap == 0 && r.records == 0,
		    "open: refused after replaying");
		check(vrc == -1, "open refused what verify passed");
		return -1;
	}
	check(rec.records == r.records, "open: record count");
	check(rec.snapshot_lsn == r.snap_lsn, "open: snapshot LSN");
	check(rec.last_lsn == r.next - 1, "open: last LSN");
	check(journal_last_lsn(j) == rec.last_lsn, "open: appends continue");
	check(journal_durable_lsn(j) == rec.last_lsn, "open: durable LSN");
	if (vrc == 0)
		check(rec.truncated_bytes == 0 && rec.last_lsn ==
		    vrec->last_lsn, "verify passed what open repaired");
	last = rec.last_lsn;

	if (journal_append(j, 1, "uno", 3, &lsn) == 0) {
		check(lsn == last + 1, "append: LSN");
		appended++;
		if (journal_snapshot(j, lsn, "snap", 4) == -1)
			check(0, "snapshot failed");
		if (journal_append(j, 2, "dos", 3, &lsn) == 0)
			appended++;
	} else
		check(errno == EOVERFLOW, "append failed");
	journal_close(j);

	memset(&r, 0, sizeof(r));
	r.next = 1;
	o.force_truncate = 0;
	if (journal_open(dir, &o, open_snap, open_rec, &r, &j, &rec) == -1)
		check(0, "reopen failed");
	check(rec.last_lsn == last + (uint64_t)appended, "reopen: last LSN");
	check(rec.last_lsn == r.next - 1, "reopen: replay");
	check(rec.truncated_bytes == 0, "reopen: repaired again");
	journal_close(j);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_recovery	 vrec;
	struct replay		 r;
	const char		*tmp;
	size_t			 start, p;
	int			 vrc, verr;

	if (base[0] == '\0') {
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(base, sizeof(base), "%s/journal_fuzz.XXXXXX", tmp);
		if (mkdtemp(base) == NULL)
			abort();
		atexit(base_remove);
		snprintf(dir, sizeof(dir), "%s/j", base);
	}
	if (mkdir(dir, 0700) == -1)
		abort();

	/* Cut at every magic; what comes before the first is segment 1. */
	start = 0;
	for (p = 1; p < size; p++) {
		if (magic_at(data + p, size - p)) {
			put_piece(data + start, p - start);
			start = p;
		}
	}
	if (size > 0)
		put_piece(data + start, size - start);

	memset(&r, 0, sizeof(r));
	vrc = journal_verify(dir, verify_rec, &r, &vrec);
	verr = errno;
	if (vrc == -1)
		check(verr == EBADMSG || verr == EPROTO, "verify: errno");
	check(vrc == 0 || vrec.message[0] != '\0', "verify: no message");

	if (open_and_use(0, &vrec, vrc) == -1) {
		if (vrc == -1 && verr == EPROTO)
			check(errno == EPROTO, "verify and open disagree");
		if (errno == EBADMSG)
			open_and_use(1, &vrec, vrc);
	} else
		check(!(vrc == -1 && verr == EPROTO),
		    "open took what verify found too new");
	dir_clean();
	return 0;
}
