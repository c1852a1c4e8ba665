/*
 * The journal: a write-ahead log of CRC-framed records in numbered segment
 * files, made durable by group-committed fdatasync.  Formats and the API
 * contract are in journal.h.
 *
 * Where the fdatasync happens, and why.
 *
 * An order is acknowledged only once its record is on stable storage, so
 * the cost that matters is the fdatasync behind each acknowledgement.
 * Appenders write their record with write(2) under one mutex (cheap: it
 * only reaches the page cache) and then ask for durability up to their
 * LSN.  Whoever finds no fdatasync in flight starts one, after noting the
 * last LSN written so far: that call covers every record written before it
 * started, so it answers everyone waiting for those LSNs, and whoever
 * writes meanwhile waits for the next one.  Under load one fdatasync
 * acknowledges all the orders that arrived during the previous one
 * (`group`).  `always` holds the lock across one fdatasync per record;
 * `off` trusts the page cache: it survives the process, not the machine.
 *
 * fdatasync rather than fsync: segments are only ever appended to, and
 * fdatasync writes the data plus the metadata needed to read it back (the
 * file size); it skips only timestamps.  A new name needs its directory
 * entry on disk too, so creating a segment, renaming a snapshot into place
 * and repairs during recovery also fsync the directory.
 *
 * Rollover fdatasyncs the old segment before creating the next one, inside
 * the append lock (once per segment, 64 MiB by default), under every
 * policy, `off` included.  So no LSN of a new segment is reported durable
 * before the older ones are, and after any crash only the *last* segment
 * can be incomplete.  That is what lets recovery treat damage anywhere
 * else as real damage.
 *
 * No retry after a failed fdatasync.  On Linux a failed writeback is
 * reported once and the pages are then marked clean: a second fdatasync
 * "succeeds" without writing anything (PostgreSQL's fsyncgate, 2018).  So
 * the first failure finishes the journal: the waiters and every later
 * append get EIO, journal_error() says why, and the daemon stops
 * acknowledging and raises the alarm.  A restart re-reads what really is on
 * disk.  Likewise if a failed write(2) leaves half a record that ftruncate
 * cannot cut back.  A failed append means "unknown", not "absent": its
 * record may be in the file and come back at replay, just as when a reply
 * is lost on the network.
 *
 * Recovery: truncate or refuse.  A crash can only tear the end of the last
 * segment (a partial record, or a partial header of a segment being
 * created), and nothing acknowledged is there: acknowledged records were
 * whole on disk before the reply went out (under `off` no such promise was
 * made).  So a damaged tail is cut off and logged.  Damage anywhere else, in a closed segment or with records
 * that still check out after it, is no crash: the disk lost or changed data
 * that may have been acknowledged.  Cutting there would throw orders away
 * without anyone knowing, so the journal refuses to open (EBADMSG, and the
 * message says where) and leaves the choice to an operator
 * (force_truncate).  To tell the two cases apart, recovery scans on past
 * the first bad record, byte by byte, for any record whose CRC and LSN
 * still check out.  Damage in records that the snapshot in use already
 * covers costs nothing, so it is only reported.
 *
 * Recovery decides before it replays: a first pass checks everything, and
 * only if the journal is usable (after any repair) does a second pass hand
 * the snapshot and the records to the caller.  A refused journal never
 * half-loads the caller's state.
 *
 * Snapshots are written to a temp file, fdatasynced, renamed into place
 * and the directory fsynced; only then may anything older go.  The
 * previous snapshot that still checks out is kept as a fallback, with
 * every segment that recovery from it would need, so one damaged snapshot
 * never costs data.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "journal.h"
#include "log.h"
#include "xmalloc.h"

#define SEG_MAGIC		"FOPSWAL"	/* 8 bytes with the NUL */
#define SNAP_MAGIC		"FOPSSNP"
#define SNAP_HDR_SIZE		40
#define SEG_SIZE_DEFAULT	(64ULL * 1024 * 1024)
#define LSN_MAX			(1ULL << 63)	/* LSNs stay below */
#define JOURNAL_SIBLINGS	4	/* concurrency that earns a commit delay */
#define JOURNAL_COMMIT_DELAY_NS	100000
#define SEG_NAME_LEN		20	/* "%016llx.wal" */
#define SNAP_NAME_LEN		21	/* "snap-%016llx" */
#define NAME_SIZE		32
#define READER_BUF		(64 * 1024)	/* grows for big records */
#define READER_BUF_MAX		(JOURNAL_REC_HDR_SIZE + JOURNAL_RECORD_MAX)
#define READER_OPEN_TRIES	8

typedef int (*rec_cb)(uint64_t, uint16_t, const void *, size_t, void *);

struct journal {
	char			*dir;
	int			 dirfd;	/* holds the flock too */
	enum journal_fsync	 policy;
	uint64_t		 segment_size;
	int			(*fsync_fn)(int);

	/* The lock guards everything below; cond: syncing or LSNs moved. */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 fd;	/* current segment, O_APPEND */
	uint64_t		 seg_first; /* its first LSN */
	uint64_t		 seg_off; /* its size: end of last record */
	uint64_t		 written_lsn;
	uint64_t		 durable_lsn;
	uint64_t		 last_batch;	/* records the last fdatasync covered */
	int			 syncing; /* group fdatasync in flight */
	uint64_t		 fsyncs;
	int			 failed; /* errno; 0 while healthy */
	char			 error[256];
	uint64_t		 retain_lsn;

	pthread_mutex_t		 snaplock; /* one snapshot at a time */
};

/* A directory listing: segments and snapshots, sorted by LSN. */
struct segent {
	uint64_t	first;		/* from the name */
	uint64_t	size;		/* bytes when read */
	uint64_t	end;		/* end of the good records */
	char		name[NAME_SIZE];
};

struct snapent {
	uint64_t	lsn;
	char		name[NAME_SIZE];
};

struct dirlist {
	struct segent	*seg;
	size_t		 nseg;
	struct snapent	*snap;
	size_t		 nsnap;
	struct snapent	*tmp;		/* never renamed in */
	size_t		 ntmp;
};

/* Following the log from another thread: see the last section. */
struct journal_reader {
	int		 dirfd;
	int		 fd;		/* the segment being read */
	uint64_t	 seg_first;	/* its first LSN */
	int		 hdr_ok;	/* its header checked */
	uint64_t	 pos;		/* LSN of the record at off */
	uint64_t	 want;		/* LSN handed out next */
	uint8_t		*buf;		/* a window onto the segment */
	size_t		 cap;
	size_t		 off;		/* read offset in buf */
	size_t		 len;		/* bytes in buf */
	uint64_t	 boff;		/* file offset of buf[0] */
	int		 failed;	/* error holds a message */
	char		 error[256];
};

/* State of one pass over the segments. */
struct scan {
	const char	*dir;		/* for the log; NULL: quiet */
	int		 dirfd;
	uint64_t	 floor;		/* snapshot LSN + 1 */
	uint64_t	 skip;		/* hand out LSNs above this */
	rec_cb		 fn;		/* NULL: check only */
	void		*arg;
	uint64_t	 next;		/* LSN due next */
	uint64_t	 records;	/* handed out (or would have been) */
	uint64_t	 first_rec;
	uint32_t	 segments;	/* segments read */

	/* First damage that matters, if any. */
	int		 damaged;
	size_t		 dseg;		/* index into dirlist.seg */
	uint64_t	 doff;		/* where the bad bytes start */
	uint64_t	 dlsn;		/* LSN expected there */
	uint64_t	 follow;	/* intact records after it */
	char		 why[96];

	/* Damage in records the snapshot covers (only reported). */
	uint64_t	 covered;
	char		 cmsg[192];

	/* Newer format: refuse. */
	int		 eproto;
	char		 pmsg[160];
};

static void	 put16(uint8_t *, uint16_t);
static void	 put32(uint8_t *, uint32_t);
static void	 put64(uint8_t *, uint64_t);
static uint16_t	 get16(const uint8_t *);
static uint32_t	 get32(const uint8_t *);
static uint64_t	 get64(const uint8_t *);
static void	 seg_name(char *, uint64_t);
static void	 snap_name(char *, uint64_t, int);
static int	 parse_hex16(const char *, uint64_t *);
static int	 seg_cmp(const void *, const void *);
static int	 snap_cmp(const void *, const void *);
static int	 dir_list(int, struct dirlist *);
static void	 dir_free(struct dirlist *);
static int	 fsync_dir_of(const char *);
static int	 write_all(int, const void *, size_t);
static int	 writev_all(int, struct iovec *, int);
static int	 file_load(int, const char *, uint8_t **, size_t *);
static size_t	 rec_check(const uint8_t *, size_t, size_t, uint64_t *,
		     const char **);
static size_t	 rec_expect(const uint8_t *, size_t, size_t, uint64_t,
		     const char **);
static int	 hdr_check(const uint8_t *, size_t, const char *, uint64_t,
		     char *, size_t);
static uint64_t	 resync_count(const uint8_t *, size_t, size_t, uint64_t);
static void	 scan_damage(struct scan *, size_t, uint64_t, uint64_t,
		     const char *);
static int	 seg_header(struct scan *, const struct dirlist *, size_t,
		     const uint8_t *, size_t);
static int	 seg_walk(struct scan *, const uint8_t *, size_t, size_t *,
		     const char **);
static int	 scan_segments(struct scan *, struct dirlist *);
static int	 snap_load(int, const struct snapent *, uint8_t **, size_t *,
		     char *, size_t);
static int	 snap_pick(int, const char *, struct dirlist *, uint8_t **,
		     size_t *, size_t *, char *, size_t);
static uint64_t	 scan_last(const struct scan *);
static int	 recover_repair(struct journal *, struct dirlist *,
		     struct scan *, int, struct journal_recovery *, size_t *);
static int	 recover_replay(struct journal *, struct dirlist *, size_t,
		     uint64_t, rec_cb, void *, struct journal_recovery *);
static int	 default_fsync(int);
static void	 journal_fail(struct journal *, const char *, int);
static int	 seg_create(struct journal *, uint64_t, int *, const char **);
static int	 seg_roll(struct journal *);
static int	 append_locked(struct journal *, uint16_t, const void *,
		     size_t, uint64_t *);
static int	 check_args(struct journal *, const void *, size_t);
static void	 prune(struct journal *, uint64_t);
static int	 reader_fail(struct journal_reader *, int, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
static int	 reader_fill(struct journal_reader *, size_t);
static void	 reader_drop(struct journal_reader *);
static int	 reader_header(struct journal_reader *);
static int	 reader_record(struct journal_reader *, size_t *);
static int	 reader_advance(struct journal_reader *);
static int	 reader_step(struct journal_reader *, size_t *);

/* --- encoding ---------------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
seg_name(char *buf, uint64_t first)
{
	snprintf(buf, NAME_SIZE, "%016llx.wal", (unsigned long long)first);
}

static void
snap_name(char *buf, uint64_t lsn, int tmp)
{
	snprintf(buf, NAME_SIZE, "snap-%016llx%s", (unsigned long long)lsn,
	    tmp ? ".tmp" : "");
}

/* Exactly 16 lower-case hex digits, so one LSN has exactly one name. */
static int
parse_hex16(const char *s, uint64_t *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < 16; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			*v = *v << 4 | (uint64_t)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v = *v << 4 | (uint64_t)(s[i] - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/* --- files ------------------------------------------------------------- */

static int
seg_cmp(const void *a, const void *b)
{
	const struct segent	*x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int
snap_cmp(const void *a, const void *b)
{
	const struct snapent	*x = a, *y = b;

	return x->lsn < y->lsn ? -1 : x->lsn > y->lsn;
}

/* List segments and snapshots; anything else in the directory is ignored. */
static int
dir_list(int dirfd, struct dirlist *dl)
{
	DIR		*d;
	struct dirent	*de;
	struct segent	*s;
	struct snapent	*n;
	uint64_t	 lsn;
	size_t		 len;
	int		 fd;

	memset(dl, 0, sizeof(*dl));
	/* A description of our own: readdir moves the offset. */
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len == SEG_NAME_LEN && parse_hex16(de->d_name, &lsn) ==
		    0 && strcmp(de->d_name + 16, ".wal") == 0) {
			dl->seg = xreallocarray(dl->seg, dl->nseg + 1,
			    sizeof(*dl->seg));
			s = &dl->seg[dl->nseg++];
			memset(s, 0, sizeof(*s));
			s->first = lsn;
			memcpy(s->name, de->d_name, len + 1);
		} else if ((len == SNAP_NAME_LEN || (len == SNAP_NAME_LEN + 4 &&
		    strcmp(de->d_name + SNAP_NAME_LEN, ".tmp") == 0)) &&
		    strncmp(de->d_name, "snap-", 5) == 0 &&
		    parse_hex16(de->d_name + 5, &lsn) == 0) {
			if (len == SNAP_NAME_LEN) {
				dl->snap = xreallocarray(dl->snap,
				    dl->nsnap + 1, sizeof(*dl->snap));
				n = &dl->snap[dl->nsnap++];
			} else {
				dl->tmp = xreallocarray(dl->tmp, dl->ntmp + 1,
				    sizeof(*dl->tmp));
				n = &dl->tmp[dl->ntmp++];
			}
			n->lsn = lsn;
			memcpy(n->name, de->d_name, len + 1);
		}
	}
	if (errno != 0) {
		closedir(d);
		dir_free(dl);
		return -1;
	}
	closedir(d);
	if (dl->nseg > 0)
		qsort(dl->seg, dl->nseg, sizeof(*dl->seg), seg_cmp);
	if (dl->nsnap > 0)
		qsort(dl->snap, dl->nsnap, sizeof(*dl->snap), snap_cmp);
	return 0;
}

static void
dir_free(struct dirlist *dl)
{
	free(dl->seg);
	free(dl->snap);
	free(dl->tmp);
	memset(dl, 0, sizeof(*dl));
}

/* Make a new directory's own name durable. */
static int
fsync_dir_of(const char *path)
{
	char	*parent, *slash;
	int	 fd, rc = -1;

	parent = xstrdup(path);
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	    slash != parent)
		*slash = '\0';
	if ((slash = strrchr(parent, '/')) == NULL)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(parent);
	return rc;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	struct iovec	iov;

	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	return writev_all(fd, &iov, 1);
}

/* writev(2) until everything is written; short writes and EINTR resume. */
static int
writev_all(int fd, struct iovec *iov, int iovcnt)
{
	ssize_t	n;

	for (;;) {
		while (iovcnt > 0 && iov->iov_len == 0) {
			iov++;
			iovcnt--;
		}
		if (iovcnt == 0)
			return 0;
		if ((n = writev(fd, iov, iovcnt)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			/* Not for regular files; never spin on it. */
			errno = EIO;
			return -1;
		}
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
}

/* Read a whole file into a new buffer (the caller frees it). */
static int
file_load(int dirfd, const char *name, uint8_t **bufp, size_t *lenp)
{
	struct stat	 st;
	uint8_t		*buf = NULL;
	size_t		 size, got = 0;
	ssize_t		 n;
	int		 fd, saved;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((unsigned long long)st.st_size > SIZE_MAX / 2) {
		errno = EFBIG;
		goto fail;
	}
	size = (size_t)st.st_size;
	/* Not xmalloc: a huge damaged file is an error, not a dead daemon. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		goto fail;
	while (got < size) {
		if ((n = pread(fd, buf + got, size - got, (off_t)got)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*lenp = got;
	return 0;

fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

/* --- reading segments -------------------------------------------------- */

/*
 * Does a whole, intact record start at off?  Its size if so (and its LSN in
 * *lsn), else 0 with *why saying what is wrong.  The CRC does not cover the
 * length, but a wrong length makes it cover the wrong bytes.
 */
static size_t
rec_check(const uint8_t *buf, size_t size, size_t off, uint64_t *lsn,
    const char **why)
{
	size_t		rem = size - off;
	uint32_t	len;

	if (rem < JOURNAL_REC_HDR_SIZE) {
		*why = "record header cut short";
		return 0;
	}
	len = get32(buf + off);
	if (len > JOURNAL_RECORD_MAX) {
		*why = "record length out of range";
		return 0;
	}
	if (len > rem - JOURNAL_REC_HDR_SIZE) {
		*why = "record cut short";
		return 0;
	}
	if (crc32c(0, buf + off + 8, 12 + (size_t)len) !=
	    get32(buf + off + 4)) {
		*why = "record CRC mismatch";
		return 0;
	}
	*lsn = get64(buf + off + 8);
	return JOURNAL_REC_HDR_SIZE + (size_t)len;
}

/* rec_check, and the record must carry LSN expect: the next in sequence. */
static size_t
rec_expect(const uint8_t *buf, size_t size, size_t off, uint64_t expect,
    const char **why)
{
	uint64_t	lsn;
	size_t		n;

	if ((n = rec_check(buf, size, off, &lsn, why)) == 0)
		return 0;
	if (lsn != expect || lsn >= LSN_MAX) {
		*why = "record LSN out of sequence";
		return 0;
	}
	return n;
}

/*
 * Count the intact records at or after off that carry an LSN we could
 * still be waiting for, resynchronising byte by byte over garbage.  Any at
 * all means the damage before them is no torn tail.
 */
static uint64_t
resync_count(const uint8_t *buf, size_t size, size_t off, uint64_t minlsn)
{
	const char	*why;
	uint64_t	 count = 0, lsn;
	size_t		 n;

	while (off < size && size - off >= JOURNAL_REC_HDR_SIZE) {
		/* The LSN test is cheap and rules out zeroed tails. */
		if (get64(buf + off + 8) >= minlsn &&
		    (n = rec_check(buf, size, off, &lsn, &why)) != 0) {
			count++;
			off += n;
		} else
			off++;
	}
	return count;
}

static void
scan_damage(struct scan *sc, size_t seg, uint64_t off, uint64_t lsn,
    const char *why)
{
	sc->damaged = 1;
	sc->dseg = seg;
	sc->doff = off;
	sc->dlsn = lsn;
	/* Damage messages are short; the bound only says so to the compiler. */
	snprintf(sc->why, sizeof(sc->why), "%.*s", (int)sizeof(sc->why) - 1,
	    why);
}

/*
 * Check a segment header on its own: magic, version, CRC, and that it
 * starts at first, the LSN its name gives.  0 if it does; else -1 with
 * EBADMSG, or EPROTO for a newer format, and why saying what is wrong.
 */
static int
hdr_check(const uint8_t *buf, size_t size, const char *name, uint64_t first,
    char *why, size_t whylen)
{
	uint64_t	hfirst;
	uint32_t	version;

	if (size < JOURNAL_HDR_SIZE) {
		snprintf(why, whylen, "segment header cut short (%zu bytes)",
		    size);
		goto bad;
	}
	if (memcmp(buf, SEG_MAGIC, 8) != 0) {
		snprintf(why, whylen, "bad segment magic");
		goto bad;
	}
	/*
	 * Version before CRC: a later format may checksum its header
	 * differently, and must be refused, never "repaired" away.
	 */
	version = get32(buf + 8);
	if (version > JOURNAL_FORMAT_VERSION) {
		snprintf(why, whylen, "journal segment %s has format version "
		    "%u; this program reads up to %d", name, version,
		    JOURNAL_FORMAT_VERSION);
		errno = EPROTO;
		return -1;
	}
	if (crc32c(0, buf, 28) != get32(buf + 28)) {
		snprintf(why, whylen, "segment header CRC mismatch");
		goto bad;
	}
	if (version == 0) {
		snprintf(why, whylen, "segment format version 0");
		goto bad;
	}
	hfirst = get64(buf + 16);
	if (hfirst != first || hfirst == 0 || hfirst > LSN_MAX) {
		snprintf(why, whylen, "segment header says first LSN %llu",
		    (unsigned long long)hfirst);
		goto bad;
	}
	return 0;

bad:
	errno = EBADMSG;
	return -1;
}

/*
 * Check segment i's header and that it continues the LSN sequence: it
 * starts where the previous one ended, or anywhere at or below the first
 * LSN the snapshot does not cover (older segments may have been removed).
 * Damage is recorded in sc; -1 only for a newer format.
 */
static int
seg_header(struct scan *sc, const struct dirlist *dl, size_t i,
    const uint8_t *buf, size_t size)
{
	const struct segent	*s = &dl->seg[i];
	char			 why[160];
	uint64_t		 first, expect;

	expect = sc->next != 0 ? sc->next : 1;
	if (hdr_check(buf, size, s->name, s->first, why, sizeof(why)) == -1) {
		if (errno == EPROTO) {
			sc->eproto = 1;
			snprintf(sc->pmsg, sizeof(sc->pmsg), "%s", why);
			errno = EPROTO;
			return -1;
		}
		scan_damage(sc, i, 0, expect, why);
		return 0;
	}
	first = s->first;
	if (first != sc->next && (first < sc->next || first > sc->floor)) {
		if (first < sc->next)
			snprintf(why, sizeof(why), "segment starts at LSN %llu,"
			    " overlapping the one before", (unsigned long long)
			    first);
		else
			snprintf(why, sizeof(why), "LSNs %llu to %llu are "
			    "missing", (unsigned long long)expect,
			    (unsigned long long)first - 1);
		scan_damage(sc, i, 0, expect, why);
		return 0;
	}
	sc->next = first;
	return 0;
}

/*
 * Walk the records after a segment's header while they check out and
 * carry consecutive LSNs.  *endp is where the walk stopped (size if it
 * reached the end) and *why what stopped it otherwise.  -1 only when the
 * callback fails.
 */
static int
seg_walk(struct scan *sc, const uint8_t *buf, size_t size, size_t *endp,
    const char **why)
{
	uint64_t	lsn;
	size_t		off = JOURNAL_HDR_SIZE, n;
	int		saved;

	*why = NULL;
	while (off < size) {
		if ((n = rec_expect(buf, size, off, sc->next, why)) == 0)
			break;
		lsn = sc->next;
		if (lsn > sc->skip) {
			if (sc->fn != NULL && sc->fn(lsn, get16(buf + off + 16),
			    buf + off + JOURNAL_REC_HDR_SIZE,
			    n - JOURNAL_REC_HDR_SIZE, sc->arg) == -1) {
				saved = errno != 0 ? errno : ECANCELED;
				*endp = off;
				errno = saved;
				return -1;
			}
			if (sc->records++ == 0)
				sc->first_rec = lsn;
		}
		sc->next++;
		off += n;
	}
	*endp = off;
	return 0;
}

/*
 * First pass over the segments in LSN order: find where the valid log
 * ends.  Stops at the first damage that matters and counts the intact
 * records that follow it.  -1 with errno for I/O errors, a newer format
 * (EPROTO) or a failing callback.
 */
static int
scan_segments(struct scan *sc, struct dirlist *dl)
{
	struct segent	*s;
	const char	*why;
	uint8_t		*buf;
	size_t		 i, k, size, end;

	for (i = 0; i < dl->nseg; i++) {
		s = &dl->seg[i];
		if (file_load(sc->dirfd, s->name, &buf, &size) == -1)
			return -1;
		sc->segments++;
		s->size = size;
		s->end = 0;
		if (seg_header(sc, dl, i, buf, size) == -1) {
			free(buf);
			return -1;
		}
		if (!sc->damaged) {
			if (seg_walk(sc, buf, size, &end, &why) == -1) {
				free(buf);
				return -1;
			}
			s->end = end;
			if (end < size)
				scan_damage(sc, i, end, sc->next, why);
		}
		if (!sc->damaged) {
			free(buf);
			continue;
		}
		/*
		 * A closed segment whose successor starts at or below the
		 * snapshot holds nothing recovery needs: report and go on.
		 */
		if (i + 1 < dl->nseg && dl->seg[i + 1].first <= sc->floor) {
			if (sc->covered++ == 0)
				snprintf(sc->cmsg, sizeof(sc->cmsg), "%s at "
				    "%s:%llu, in records the snapshot covers",
				    sc->why, s->name,
				    (unsigned long long)sc->doff);
			if (sc->dir != NULL)
				log_warnx("journal %s: %s at %s:%llu; the "
				    "snapshot covers it", sc->dir, sc->why,
				    s->name, (unsigned long long)sc->doff);
			sc->damaged = 0;
			s->end = sc->doff;
			sc->next = 0;	/* next one may start <= floor */
			free(buf);
			continue;
		}
		/*
		 * From the damage itself: an intact record there whose LSN
		 * is merely too high is no tear either (records went missing
		 * before it).
		 */
		sc->follow = resync_count(buf, size, sc->doff, sc->dlsn);
		free(buf);
		for (k = i + 1; k < dl->nseg; k++) {
			if (file_load(sc->dirfd, dl->seg[k].name, &buf,
			    &size) == -1)
				return -1;
			dl->seg[k].size = size;
			sc->follow += resync_count(buf, size, 0, sc->dlsn);
			free(buf);
		}
		return 0;
	}
	return 0;
}

/* --- snapshots --------------------------------------------------------- */

/*
 * Load snapshot s and check it whole.  On success *bufp holds the file and
 * the data starts SNAP_HDR_SIZE bytes in.  -1 with EBADMSG (why says what
 * is wrong), EPROTO (newer format) or an I/O errno.
 */
static int
snap_load(int dirfd, const struct snapent *s, uint8_t **bufp, size_t *lenp,
    char *why, size_t whylen)
{
	uint8_t		*buf;
	size_t		 size;
	uint64_t	 lsn, len;
	uint32_t	 version;

	*bufp = NULL;
	*lenp = 0;
	if (file_load(dirfd, s->name, &buf, &size) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (size < SNAP_HDR_SIZE) {
		snprintf(why, whylen, "header cut short (%zu bytes)", size);
		goto bad;
	}
	if (memcmp(buf, SNAP_MAGIC, 8) != 0) {
		snprintf(why, whylen, "bad magic");
		goto bad;
	}
	version = get32(buf + 8);
	if (version > JOURNAL_FORMAT_VERSION) {
		snprintf(why, whylen, "journal snapshot %s has format version "
		    "%u; this program reads up to %d", s->name, version,
		    JOURNAL_FORMAT_VERSION);
		free(buf);
		errno = EPROTO;
		return -1;
	}
	if (crc32c(0, buf, 36) != get32(buf + 36)) {
		snprintf(why, whylen, "header CRC mismatch");
		goto bad;
	}
	lsn = get64(buf + 16);
	len = get64(buf + 24);
	if (version == 0 || lsn != s->lsn || lsn == 0 || lsn >= LSN_MAX) {
		snprintf(why, whylen, "bad header (version %u, LSN %llu)",
		    version, (unsigned long long)lsn);
		goto bad;
	}
	if (len != size - SNAP_HDR_SIZE) {
		snprintf(why, whylen, "%zu data bytes, header says %llu",
		    size - SNAP_HDR_SIZE, (unsigned long long)len);
		goto bad;
	}
	if (crc32c(0, buf + SNAP_HDR_SIZE, (size_t)len) != get32(buf + 32)) {
		snprintf(why, whylen, "data CRC mismatch");
		goto bad;
	}
	*bufp = buf;
	*lenp = size;
	return 0;

bad:
	free(buf);
	errno = EBADMSG;
	return -1;
}

/*
 * Pick the newest snapshot that checks out.  *idx is its index (nsnap if
 * none); bad ones are skipped (and logged, unless dir is NULL: verify
 * only reports), and the first reason goes into msg.  Fails only on a
 * newer format.
 */
static int
snap_pick(int dirfd, const char *dir, struct dirlist *dl, uint8_t **bufp,
    size_t *lenp, size_t *idx, char *msg, size_t msglen)
{
	char	why[160];
	size_t	i;

	*idx = dl->nsnap;
	msg[0] = '\0';
	for (i = dl->nsnap; i-- > 0;) {
		if (snap_load(dirfd, &dl->snap[i], bufp, lenp, why,
		    sizeof(why)) == 0) {
			*idx = i;
			return 0;
		}
		if (errno == EPROTO) {
			snprintf(msg, msglen, "%s", why);
			errno = EPROTO;
			return -1;
		}
		if (dir != NULL)
			log_warnx("journal %s: snapshot %s: %s; trying an "
			    "older one", dir, dl->snap[i].name, why);
		if (msg[0] == '\0')
			snprintf(msg, msglen, "snapshot %s skipped: %s",
			    dl->snap[i].name, why);
	}
	return 0;
}

/* --- recovery ---------------------------------------------------------- */

/* Last LSN the recovered state covers. */
static uint64_t
scan_last(const struct scan *sc)
{
	uint64_t	last = sc->next > 0 ? sc->next - 1 : 0;

	return last > sc->floor - 1 ? last : sc->floor - 1;
}

/*
 * Deal with the damage the scan found: cut a torn tail (or, forced, all
 * from the damage on), or refuse.  *nkeep is the number of segments left.
 */
static int
recover_repair(struct journal *j, struct dirlist *dl, struct scan *sc,
    int force, struct journal_recovery *rec, size_t *nkeep)
{
	struct segent		*s = &dl->seg[sc->dseg];
	unsigned long long	 dropped, later;
	size_t			 k;
	int			 fd, torn;

	later = dl->nseg - sc->dseg - 1;
	torn = later == 0 && sc->follow == 0;
	if (!torn && !force) {
		snprintf(rec->message, sizeof(rec->message), "%s at %s:%llu "
		    "(expected LSN %llu), then %llu intact records and %llu "
		    "later segments; not dropping them (force_truncate would)",
		    sc->why, s->name, (unsigned long long)sc->doff,
		    (unsigned long long)sc->dlsn,
		    (unsigned long long)sc->follow, later);
		errno = EBADMSG;
		return -1;
	}

	/* Newest first, so a crash part-way never leaves a hole. */
	dropped = s->size - sc->doff;
	for (k = dl->nseg - 1; k > sc->dseg; k--) {
		if (unlinkat(j->dirfd, dl->seg[k].name, 0) == -1)
			return -1;
		dropped += dl->seg[k].size;
	}
	if (sc->doff < JOURNAL_HDR_SIZE) {
		/* Not even a header left: the file goes. */
		if (unlinkat(j->dirfd, s->name, 0) == -1)
			return -1;
		*nkeep = sc->dseg;
	} else {
		if ((fd = openat(j->dirfd, s->name, O_WRONLY | O_CLOEXEC)) ==
		    -1)
			return -1;
		if (ftruncate(fd, (off_t)sc->doff) == -1 ||
		    j->fsync_fn(fd) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
		s->size = s->end = sc->doff;
		*nkeep = sc->dseg + 1;
	}
	if (fsync(j->dirfd) == -1)
		return -1;
	rec->truncated_bytes = dropped;

	if (torn)
		snprintf(rec->message, sizeof(rec->message), "truncated %llu "
		    "bytes of torn tail at %s:%llu (last valid LSN %llu)",
		    dropped, s->name, (unsigned long long)sc->doff,
		    (unsigned long long)scan_last(sc));
	else
		snprintf(rec->message, sizeof(rec->message), "force_truncate: "
		    "%s at %s:%llu; dropped %llu bytes, %llu later segments, "
		    "%llu intact records (last valid LSN %llu)", sc->why,
		    s->name, (unsigned long long)sc->doff, dropped, later,
		    (unsigned long long)sc->follow,
		    (unsigned long long)scan_last(sc));
	log_warnx("journal %s: %s", j->dir, rec->message);
	return 0;
}

/* Second pass: hand the records after the snapshot to the caller. */
static int
recover_replay(struct journal *j, struct dirlist *dl, size_t nkeep,
    uint64_t snap_lsn, rec_cb fn, void *arg, struct journal_recovery *rec)
{
	struct scan	 sc;
	const char	*why;
	uint8_t		*buf;
	size_t		 i, size, end;

	memset(&sc, 0, sizeof(sc));
	sc.skip = snap_lsn;
	sc.fn = fn;
	sc.arg = arg;
	for (i = 0; i < nkeep; i++) {
		if (dl->seg[i].end <= JOURNAL_HDR_SIZE)
			continue;
		if (file_load(j->dirfd, dl->seg[i].name, &buf, &size) == -1)
			return -1;
		if (size < dl->seg[i].end) {
			free(buf);
			goto changed;
		}
		sc.next = dl->seg[i].first;
		if (seg_walk(&sc, buf, dl->seg[i].end, &end, &why) == -1) {
			free(buf);
			return -1;
		}
		free(buf);
		if (end != dl->seg[i].end)
			goto changed;
	}
	rec->records = sc.records;
	rec->first_lsn = sc.first_rec;
	return 0;

changed:
	snprintf(rec->message, sizeof(rec->message), "segment %s changed "
	    "during recovery", dl->seg[i].name);
	errno = EBADMSG;
	return -1;
}

int
journal_open(const char *dir, const struct journal_opts *opts,
    int (*snap_fn)(uint64_t lsn, const void *data, size_t len, void *arg),
    int (*rec_fn)(uint64_t lsn, uint16_t type, const void *payload,
        size_t len, void *arg),
    void *arg, struct journal **out, struct journal_recovery *rec)
{
	struct journal_recovery	 rec0;
	struct journal		*j;
	struct dirlist		 dl;
	struct scan		 sc;
	char			 snapmsg[224], name[NAME_SIZE];
	uint8_t			*snap = NULL;
	size_t			 snaplen = 0, si, nkeep, i;
	uint64_t		 snap_lsn = 0, next;
	int			 fd, saved;
	const char		*op;

	if (rec == NULL)
		rec = &rec0;
	memset(rec, 0, sizeof(*rec));
	memset(&dl, 0, sizeof(dl));
	if (out != NULL)
		*out = NULL;
	if (dir == NULL || out == NULL || (opts != NULL &&
	    (unsigned)opts->fsync > JOURNAL_FSYNC_OFF)) {
		errno = EINVAL;
		return -1;
	}

	j = xcalloc(1, sizeof(*j));
	j->dir = xstrdup(dir);
	j->dirfd = j->fd = -1;
	j->policy = opts != NULL ? opts->fsync : JOURNAL_FSYNC_GROUP;
	j->segment_size = opts != NULL && opts->segment_size != 0 ?
	    opts->segment_size : SEG_SIZE_DEFAULT;
	j->fsync_fn = opts != NULL && opts->fsync_fn != NULL ?
	    opts->fsync_fn : default_fsync;
	j->retain_lsn = UINT64_MAX;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	pthread_mutex_init(&j->snaplock, NULL);

	if (mkdir(dir, 0700) == 0) {
		if (fsync_dir_of(dir) == -1) {
			snprintf(rec->message, sizeof(rec->message), "fsync "
			    "parent of %s: %s", dir, strerror(errno));
			goto fail;
		}
	} else if (errno != EEXIST) {
		snprintf(rec->message, sizeof(rec->message), "mkdir %s: %s",
		    dir, strerror(errno));
		goto fail;
	}
	if ((j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	/* One writer: a second daemon on the same journal would interleave. */
	if (flock(j->dirfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			errno = EBUSY;
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    errno == EBUSY ? "journal in use by another process" :
		    strerror(errno));
		goto fail;
	}
	if (dir_list(j->dirfd, &dl) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	/* Snapshots that never got renamed in are of no use. */
	for (i = 0; i < dl.ntmp; i++) {
		if (unlinkat(j->dirfd, dl.tmp[i].name, 0) == -1)
			log_warn("journal %s: unlink %s", dir, dl.tmp[i].name);
	}

	if (snap_pick(j->dirfd, dir, &dl, &snap, &snaplen, &si, snapmsg,
	    sizeof(snapmsg)) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s", snapmsg);
		goto fail;
	}
	if (si < dl.nsnap)
		snap_lsn = dl.snap[si].lsn;

	memset(&sc, 0, sizeof(sc));
	sc.dir = dir;
	sc.dirfd = j->dirfd;
	sc.floor = snap_lsn + 1;
	sc.skip = snap_lsn;
	if (scan_segments(&sc, &dl) == -1) {
		saved = errno;
		if (sc.eproto)
			snprintf(rec->message, sizeof(rec->message), "%s",
			    sc.pmsg);
		else
			snprintf(rec->message, sizeof(rec->message), "reading "
			    "%s: %s", dir, strerror(saved));
		errno = saved;
		goto fail;
	}
	nkeep = dl.nseg;
	if (sc.damaged && recover_repair(j, &dl, &sc, opts != NULL &&
	    opts->force_truncate, rec, &nkeep) == -1) {
		if (rec->message[0] == '\0')
			snprintf(rec->message, sizeof(rec->message),
			    "repairing %s: %s", dir, strerror(errno));
		goto fail;
	}

	/* The journal is usable: now, and only now, replay. */
	rec->snapshot_lsn = snap_lsn;
	if (snap != NULL && snap_fn != NULL && snap_fn(snap_lsn,
	    snap + SNAP_HDR_SIZE, snaplen - SNAP_HDR_SIZE, arg) == -1) {
		if (errno == 0)
			errno = ECANCELED;
		goto fail;
	}
	free(snap);
	snap = NULL;
	if (recover_replay(j, &dl, nkeep, snap_lsn, rec_fn, arg, rec) == -1)
		goto fail;
	next = scan_last(&sc) + 1;
	rec->last_lsn = next - 1;
	rec->segments = (uint32_t)nkeep;
	if (rec->message[0] == '\0' && sc.covered > 0)
		snprintf(rec->message, sizeof(rec->message), "%s", sc.cmsg);
	if (rec->message[0] == '\0')
		snprintf(rec->message, sizeof(rec->message), "%s", snapmsg);

	/*
	 * Append to the last segment if the log continues there; a snapshot
	 * newer than every record starts a segment of its own.  Either way
	 * sync it and the directory first: what was replayed may have come
	 * from the page cache of a process that died before syncing (`off`,
	 * or a crash between creating a file and syncing its directory).
	 */
	if (nkeep > 0 && sc.next == next) {
		seg_name(name, dl.seg[nkeep - 1].first);
		if ((fd = openat(j->dirfd, name, O_WRONLY | O_APPEND |
		    O_CLOEXEC)) == -1 || j->fsync_fn(fd) == -1 ||
		    fsync(j->dirfd) == -1) {
			saved = errno;
			if (fd != -1)
				close(fd);
			errno = saved;
			snprintf(rec->message, sizeof(rec->message), "%s: %s",
			    name, strerror(errno));
			goto fail;
		}
		j->fd = fd;
		j->seg_first = dl.seg[nkeep - 1].first;
		j->seg_off = dl.seg[nkeep - 1].end;
	} else {
		if (seg_create(j, next, &j->fd, &op) == -1) {
			snprintf(rec->message, sizeof(rec->message), "creating "
			    "segment %016llx.wal: %s", (unsigned long long)next,
			    strerror(errno));
			goto fail;
		}
		j->seg_first = next;
		j->seg_off = JOURNAL_HDR_SIZE;
	}
	j->written_lsn = j->durable_lsn = next - 1;

	log_info("journal %s: snapshot LSN %llu, %llu records replayed "
	    "(LSN %llu to %llu) from %u segments; appending at LSN %llu%s%s",
	    dir, (unsigned long long)snap_lsn,
	    (unsigned long long)rec->records,
	    (unsigned long long)rec->first_lsn,
	    (unsigned long long)rec->last_lsn, rec->segments,
	    (unsigned long long)next, rec->message[0] != '\0' ? "; " : "",
	    rec->message);
	dir_free(&dl);
	*out = j;
	return 0;

fail:
	saved = errno;
	if (rec->message[0] == '\0')
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(saved));
	free(snap);
	dir_free(&dl);
	if (j->fd != -1)
		close(j->fd);
	if (j->dirfd != -1)
		close(j->dirfd);
	pthread_mutex_destroy(&j->snaplock);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j->dir);
	free(j);
	errno = saved;
	return -1;
}

int
journal_verify(const char *dir,
    int (*rec_fn)(uint64_t lsn, uint16_t type, const void *payload,
        size_t len, void *arg),
    void *arg, struct journal_recovery *rec)
{
	struct journal_recovery	 rec0;
	struct dirlist		 dl;
	struct scan		 sc;
	struct segent		*s;
	char			 snapmsg[224];
	uint8_t			*snap = NULL;
	size_t			 snaplen, si;
	uint64_t		 snap_lsn = 0;
	int			 dirfd, saved;

	if (rec == NULL)
		rec = &rec0;
	memset(rec, 0, sizeof(*rec));
	memset(&dl, 0, sizeof(dl));
	if (dir == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (dir_list(dirfd, &dl) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (snap_pick(dirfd, NULL, &dl, &snap, &snaplen, &si, snapmsg,
	    sizeof(snapmsg)) == -1) {
		snprintf(rec->message, sizeof(rec->message), "%s", snapmsg);
		goto fail;
	}
	free(snap);
	if (si < dl.nsnap)
		snap_lsn = dl.snap[si].lsn;

	/* Every record on disk is shown, the snapshot's too. */
	memset(&sc, 0, sizeof(sc));
	sc.dirfd = dirfd;
	sc.floor = snap_lsn + 1;
	sc.fn = rec_fn;
	sc.arg = arg;
	if (scan_segments(&sc, &dl) == -1) {
		saved = errno;
		snprintf(rec->message, sizeof(rec->message), "%s", sc.eproto ?
		    sc.pmsg : strerror(saved));
		errno = saved;
		goto fail;
	}
	rec->snapshot_lsn = snap_lsn;
	rec->first_lsn = sc.first_rec;
	rec->records = sc.records;
	rec->segments = sc.segments;
	rec->last_lsn = scan_last(&sc);

	if (sc.damaged) {
		s = &dl.seg[sc.dseg];
		if (sc.dseg + 1 == dl.nseg && sc.follow == 0)
			snprintf(rec->message, sizeof(rec->message), "torn "
			    "tail at %s:%llu: %s; recovery would truncate %llu "
			    "bytes (last valid LSN %llu)", s->name,
			    (unsigned long long)sc.doff, sc.why,
			    (unsigned long long)(s->size - sc.doff),
			    (unsigned long long)rec->last_lsn);
		else
			snprintf(rec->message, sizeof(rec->message), "%s at "
			    "%s:%llu (expected LSN %llu), then %llu intact "
			    "records and %zu later segments (last valid LSN "
			    "%llu)", sc.why, s->name,
			    (unsigned long long)sc.doff,
			    (unsigned long long)sc.dlsn,
			    (unsigned long long)sc.follow,
			    dl.nseg - sc.dseg - 1,
			    (unsigned long long)rec->last_lsn);
		errno = EBADMSG;
		goto fail;
	}
	if (sc.covered > 0 || snapmsg[0] != '\0') {
		snprintf(rec->message, sizeof(rec->message), "%s",
		    sc.covered > 0 ? sc.cmsg : snapmsg);
		errno = EBADMSG;
		goto fail;
	}
	dir_free(&dl);
	close(dirfd);
	return 0;

fail:
	saved = errno;
	if (rec->message[0] == '\0')
		snprintf(rec->message, sizeof(rec->message), "%s: %s", dir,
		    strerror(saved));
	dir_free(&dl);
	close(dirfd);
	errno = saved;
	return -1;
}

/* --- writing ----------------------------------------------------------- */

static int
default_fsync(int fd)
{
	return fdatasync(fd);
}

/* The journal is finished; called with the lock held. */
static void
journal_fail(struct journal *j, const char *op, int err)
{
	if (err == 0)
		err = EIO;
	if (j->failed == 0) {
		j->failed = err;
		snprintf(j->error, sizeof(j->error), "%s: %s; journal is "
		    "read-only", op, strerror(err));
		log_warnx("journal %s: %s; no further orders can be "
		    "acknowledged", j->dir, j->error);
	}
	pthread_cond_broadcast(&j->cond);
}

/*
 * Create the segment starting at first: header, fdatasync, directory
 * fsync.  A crash part-way leaves a last segment that is empty or holds a
 * short header, which recovery removes.  On failure *failop names the sync
 * that failed (the journal is finished then), or is NULL when nothing was
 * lost and the current segment can go on.
 */
static int
seg_create(struct journal *j, uint64_t first, int *fdp, const char **failop)
{
	char	name[NAME_SIZE];
	uint8_t	hdr[JOURNAL_HDR_SIZE];
	int	fd, saved;

	*failop = NULL;
	seg_name(name, first);
	if ((fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | O_CLOEXEC, 0600)) == -1)
		return -1;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, SEG_MAGIC, 8);
	put32(hdr + 8, JOURNAL_FORMAT_VERSION);
	put32(hdr + 12, 0);
	put64(hdr + 16, first);
	put32(hdr + 24, (uint32_t)time(NULL));
	put32(hdr + 28, crc32c(0, hdr, 28));
	if (write_all(fd, hdr, sizeof(hdr)) == -1) {
		saved = errno;
		close(fd);
		unlinkat(j->dirfd, name, 0);
		errno = saved;
		return -1;
	}
	if (j->fsync_fn(fd) == -1)
		*failop = "fdatasync new segment";
	else if (fsync(j->dirfd) == -1)
		*failop = "fsync journal directory";
	if (*failop != NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	*fdp = fd;
	return 0;
}

/*
 * Start the next segment (lock held, no group fdatasync in flight: it
 * would be using the old descriptor).  The old segment is made durable
 * first, so it is whole on disk before any record exists in the new one.
 */
static int
seg_roll(struct journal *j)
{
	const char	*op;
	int		 fd;

	j->fsyncs++;
	if (j->fsync_fn(j->fd) == -1) {
		journal_fail(j, "fdatasync", errno);
		errno = EIO;
		return -1;
	}
	if (j->durable_lsn < j->written_lsn) {
		j->durable_lsn = j->written_lsn;
		pthread_cond_broadcast(&j->cond);
	}
	if (seg_create(j, j->written_lsn + 1, &fd, &op) == -1) {
		if (op != NULL) {
			journal_fail(j, op, errno);
			errno = EIO;
		}
		return -1;
	}
	close(j->fd);
	j->fd = fd;
	j->seg_first = j->written_lsn + 1;
	j->seg_off = JOURNAL_HDR_SIZE;
	return 0;
}

/* Write one record (lock held); rolls over first if it would not fit. */
static int
append_locked(struct journal *j, uint16_t type, const void *payload,
    size_t len, uint64_t *lsnp)
{
	struct iovec	iov[2];
	uint8_t		hdr[JOURNAL_REC_HDR_SIZE];
	uint64_t	lsn, reclen = JOURNAL_REC_HDR_SIZE + (uint64_t)len;
	uint32_t	crc;
	int		saved;

	/*
	 * Roll over when the record would not fit (a record bigger than a
	 * segment gets one to itself).  Waiting for a group fdatasync lets
	 * others in, so everything is checked again after it.
	 */
	for (;;) {
		if (j->failed) {
			errno = EIO;
			return -1;
		}
		if (j->seg_off == JOURNAL_HDR_SIZE ||
		    j->seg_off + reclen <= j->segment_size)
			break;
		if (j->syncing)
			pthread_cond_wait(&j->cond, &j->lock);
		else if (seg_roll(j) == -1)
			return -1;
	}

	if ((lsn = j->written_lsn + 1) >= LSN_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	put32(hdr, (uint32_t)len);
	put64(hdr + 8, lsn);
	put16(hdr + 16, type);
	put16(hdr + 18, 0);
	crc = crc32c(0, hdr + 8, 12);
	if (len > 0)
		crc = crc32c(crc, payload, len);
	put32(hdr + 4, crc);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)payload;
	iov[1].iov_len = len;
	if (writev_all(j->fd, iov, 2) == -1) {
		/* Cut back any part written, or the log has a hole. */
		saved = errno;
		if (ftruncate(j->fd, (off_t)j->seg_off) == -1) {
			journal_fail(j, "ftruncate after failed write", errno);
			errno = EIO;
			return -1;
		}
		errno = saved;
		return -1;
	}
	j->seg_off += reclen;
	j->written_lsn = lsn;
	if (j->policy == JOURNAL_FSYNC_OFF)
		j->durable_lsn = lsn;
	if (lsnp != NULL)
		*lsnp = lsn;
	return 0;
}

static int
check_args(struct journal *j, const void *payload, size_t len)
{
	if (j == NULL || (payload == NULL && len > 0)) {
		errno = EINVAL;
		return -1;
	}
	if (len > JOURNAL_RECORD_MAX) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

int
journal_append(struct journal *j, uint16_t type, const void *payload,
    size_t len, uint64_t *lsnp)
{
	uint64_t	lsn;
	int		rc = 0;

	if (check_args(j, payload, len) == -1)
		return -1;
	pthread_mutex_lock(&j->lock);
	if (append_locked(j, type, payload, len, &lsn) == -1) {
		pthread_mutex_unlock(&j->lock);
		return -1;
	}
	if (j->policy == JOURNAL_FSYNC_ALWAYS) {
		j->fsyncs++;
		if (j->fsync_fn(j->fd) == -1) {
			journal_fail(j, "fdatasync", errno);
			errno = EIO;
			rc = -1;
		} else if (j->durable_lsn < lsn) {
			j->durable_lsn = lsn;
			pthread_cond_broadcast(&j->cond);
		}
	}
	pthread_mutex_unlock(&j->lock);
	if (rc == 0 && j->policy == JOURNAL_FSYNC_GROUP)
		rc = journal_sync(j, lsn);
	if (rc == 0 && lsnp != NULL)
		*lsnp = lsn;
	return rc;
}

int
journal_append_nowait(struct journal *j, uint16_t type, const void *payload,
    size_t len, uint64_t *lsnp)
{
	int	rc;

	if (check_args(j, payload, len) == -1)
		return -1;
	pthread_mutex_lock(&j->lock);
	rc = append_locked(j, type, payload, len, lsnp);
	pthread_mutex_unlock(&j->lock);
	return rc;
}

/*
 * Group commit.  The first waiter to find no fdatasync in flight becomes
 * the syncer for everything written so far; records written while it runs
 * are left for the next one, since the target was fixed before unlocking.
 */
int
journal_sync(struct journal *j, uint64_t lsn)
{
	uint64_t	target;
	int		fd, rc, err;

	if (j == NULL) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&j->lock);
	if (lsn > j->written_lsn) {
		pthread_mutex_unlock(&j->lock);
		errno = EINVAL;
		return -1;
	}
	if (j->policy == JOURNAL_FSYNC_OFF) {
		rc = j->failed ? -1 : 0;
		pthread_mutex_unlock(&j->lock);
		if (rc == -1)
			errno = EIO;
		return rc;
	}
	while (j->durable_lsn < lsn) {
		if (j->failed) {
			pthread_mutex_unlock(&j->lock);
			errno = EIO;
			return -1;
		}
		if (j->syncing) {
			pthread_cond_wait(&j->cond, &j->lock);
			continue;
		}
		j->syncing = 1;
		/*
		 * Commit delay, as PostgreSQL's commit_delay: when the last
		 * fdatasync covered several appenders, others are about to
		 * append again (woken by it); give them a moment so this
		 * fdatasync covers them too instead of the next one.  A lone
		 * appender never waits.
		 */
		if (j->last_batch >= JOURNAL_SIBLINGS) {
			pthread_mutex_unlock(&j->lock);
			nanosleep(&(struct timespec){ 0,
			    JOURNAL_COMMIT_DELAY_NS }, NULL);
			pthread_mutex_lock(&j->lock);
		}
		target = j->written_lsn;
		fd = j->fd;
		j->fsyncs++;
		pthread_mutex_unlock(&j->lock);
		rc = j->fsync_fn(fd);
		err = errno;
		pthread_mutex_lock(&j->lock);
		j->syncing = 0;
		if (rc == -1)
			journal_fail(j, "fdatasync", err);
		else if (j->durable_lsn < target) {
			j->last_batch = target - j->durable_lsn;
			j->durable_lsn = target;
		}
		pthread_cond_broadcast(&j->cond);
	}
	pthread_mutex_unlock(&j->lock);
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	while (j->syncing)
		pthread_cond_wait(&j->cond, &j->lock);
	/* Under `off` too: a clean shutdown loses nothing. */
	if (!j->failed && j->fd != -1) {
		if (j->fsync_fn(j->fd) == -1)
			log_warn("journal %s: fdatasync at close", j->dir);
		else
			j->durable_lsn = j->written_lsn;
	}
	pthread_mutex_unlock(&j->lock);
	if (j->fd != -1)
		close(j->fd);
	close(j->dirfd);
	pthread_mutex_destroy(&j->snaplock);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j->dir);
	free(j);
}

uint64_t
journal_last_lsn(struct journal *j)
{
	uint64_t	v;

	pthread_mutex_lock(&j->lock);
	v = j->written_lsn;
	pthread_mutex_unlock(&j->lock);
	return v;
}

uint64_t
journal_durable_lsn(struct journal *j)
{
	uint64_t	v;

	pthread_mutex_lock(&j->lock);
	v = j->durable_lsn;
	pthread_mutex_unlock(&j->lock);
	return v;
}

uint64_t
journal_fsyncs(struct journal *j)
{
	uint64_t	v;

	pthread_mutex_lock(&j->lock);
	v = j->fsyncs;
	pthread_mutex_unlock(&j->lock);
	return v;
}

/* The message never changes once set, so the pointer stays good. */
const char *
journal_error(struct journal *j)
{
	const char	*e;

	pthread_mutex_lock(&j->lock);
	e = j->failed ? j->error : NULL;
	pthread_mutex_unlock(&j->lock);
	return e;
}

/* --- snapshots and retention ------------------------------------------- */

int
journal_snapshot(struct journal *j, uint64_t lsn, const void *data,
    size_t len)
{
	struct iovec	 iov[2];
	char		 tmp[NAME_SIZE], name[NAME_SIZE];
	uint8_t		 hdr[SNAP_HDR_SIZE];
	int		 fd = -1, saved;

	if (j == NULL || (data == NULL && len > 0) || lsn == 0 ||
	    lsn > journal_last_lsn(j)) {
		errno = EINVAL;
		return -1;
	}
	snap_name(tmp, lsn, 1);
	snap_name(name, lsn, 0);
	pthread_mutex_lock(&j->snaplock);
	/* A finished journal writes nothing more, snapshots included. */
	if (journal_error(j) != NULL) {
		errno = EIO;
		goto fail;
	}
	/*
	 * The records it covers go to disk first, so the log on disk stays a
	 * complete history up to the snapshot (pgsync and dump read it).
	 */
	if (journal_sync(j, lsn) == -1)
		goto fail;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, SNAP_MAGIC, 8);
	put32(hdr + 8, JOURNAL_FORMAT_VERSION);
	put32(hdr + 12, 0);
	put64(hdr + 16, lsn);
	put64(hdr + 24, (uint64_t)len);
	put32(hdr + 32, len > 0 ? crc32c(0, data, len) : 0);
	put32(hdr + 36, crc32c(0, hdr, 36));
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;

	if ((fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1)
		goto fail;
	/*
	 * A failed fdatasync here loses only this snapshot (the temp file is
	 * removed and the log is untouched), so the journal goes on.
	 */
	if (writev_all(fd, iov, 2) == -1 || j->fsync_fn(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(j->dirfd, tmp, j->dirfd, name) == -1)
		goto fail;
	/* Until the rename is durable the old snapshots must all stay. */
	if (fsync(j->dirfd) == -1) {
		saved = errno;
		pthread_mutex_unlock(&j->snaplock);
		errno = saved;
		return -1;
	}
	prune(j, lsn);
	pthread_mutex_unlock(&j->snaplock);
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(j->dirfd, tmp, 0);
	pthread_mutex_unlock(&j->snaplock);
	errno = saved;
	return -1;
}

/*
 * After the snapshot at lsn: keep it and the newest older one that checks
 * out, so recovery can fall back by one, and the segments that recovery
 * from that older one needs or that journal_retain holds.  A segment can go
 * when the next one starts at or below bound + 1: then all its records are
 * at or below bound.  The last segment listed has no successor and always
 * stays: it is the one being written, or was until a rollover after the
 * listing.  Snapshots above lsn are not ours to judge and stay.
 */
static void
prune(struct journal *j, uint64_t lsn)
{
	struct dirlist	 dl;
	char		 why[160];
	uint8_t		*buf;
	uint64_t	 bound = 0;
	size_t		 i, len, older, gone = 0;

	if (dir_list(j->dirfd, &dl) == -1) {
		log_warn("journal %s: listing for cleanup", j->dir);
		return;
	}
	older = dl.nsnap;
	for (i = dl.nsnap; i-- > 0;) {
		if (dl.snap[i].lsn >= lsn)
			continue;
		/* A fallback that does not check out is no fallback. */
		if (snap_load(j->dirfd, &dl.snap[i], &buf, &len, why,
		    sizeof(why)) == 0) {
			free(buf);
			older = i;
			bound = dl.snap[i].lsn;
			break;
		}
		log_warnx("journal %s: snapshot %s: %s", j->dir,
		    dl.snap[i].name, why);
	}
	for (i = 0; i < dl.nsnap; i++) {
		if (dl.snap[i].lsn >= lsn || i == older)
			continue;
		if (unlinkat(j->dirfd, dl.snap[i].name, 0) == -1)
			log_warn("journal %s: unlink %s", j->dir,
			    dl.snap[i].name);
		else
			gone++;
	}
	pthread_mutex_lock(&j->lock);
	if (bound > j->retain_lsn)
		bound = j->retain_lsn;
	pthread_mutex_unlock(&j->lock);
	for (i = 0; i + 1 < dl.nseg; i++) {
		if (dl.seg[i + 1].first - 1 > bound)
			break;
		if (unlinkat(j->dirfd, dl.seg[i].name, 0) == -1) {
			log_warn("journal %s: unlink %s", j->dir,
			    dl.seg[i].name);
			break;
		}
		log_debug("journal %s: removed %s (LSNs up to %llu)", j->dir,
		    dl.seg[i].name,
		    (unsigned long long)dl.seg[i + 1].first - 1);
		gone++;
	}
	/* Not durable yet is harmless: old files coming back are valid. */
	if (gone > 0 && fsync(j->dirfd) == -1)
		log_warn("journal %s: fsync after cleanup", j->dir);
	dir_free(&dl);
}

/*
 * Records above lsn stay on disk whatever the snapshots say (pgsync has
 * not applied them yet).  journal_retain(j, 0) keeps everything; until it
 * is first called, and after journal_retain(j, UINT64_MAX), retention
 * follows the snapshots alone.
 */
void
journal_retain(struct journal *j, uint64_t lsn)
{
	pthread_mutex_lock(&j->lock);
	j->retain_lsn = lsn;
	pthread_mutex_unlock(&j->lock);
}

/* --- following the journal: pgsync ------------------------------------- */

/*
 * A reader follows the log while the daemon writes it, through descriptors
 * of its own: it shares nothing with the writer but the files, so it needs
 * neither the struct journal nor its lock.  That is safe because segments
 * are only ever appended to (a failed write is cut back, but only past the
 * last record written whole), and because the caller asks for nothing
 * above journal_durable_lsn(): each of those records was written before
 * its LSN was published under the journal's lock, so pread(2) sees all of
 * its bytes.  Missing or bad bytes at or below that LSN are damage.
 *
 * Reading goes through a window onto the current segment, 64 KiB grown to
 * fit the biggest record, refilled with one pread(2) at a time: a record
 * costs no system call of its own.  The bytes the window holds beyond the
 * records handed out may have been read while the writer was still
 * writing them, or before it cut back a failed write, so a record there
 * that does not check out is read again from the file once before it
 * counts as damage.
 *
 * A segment ends where the writer rolled over, and the next record is
 * then the first of the segment named by its LSN, created (header synced)
 * before that record was written.  So the directory is listed only at
 * open.  A segment removed while the reader is in it stays readable
 * through the descriptor; one removed before the reader got there took
 * records with it, which pgsync prevents with journal_retain().
 */

int
journal_reader_open(const char *dir, uint64_t from,
    struct journal_reader **out, uint64_t *first)
{
	struct journal_reader	*r;
	struct dirlist		 dl;
	uint64_t		 seg_first;
	size_t			 i;
	int			 dirfd, fd, tries, saved;

	if (out != NULL)
		*out = NULL;
	if (first != NULL)
		*first = 0;
	if (dir == NULL || out == NULL || from == 0 || from >= LSN_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	/*
	 * Start in the segment that holds from, or would: the last one that
	 * starts at or below it.  Should snapshot cleanup remove it between
	 * the listing and the open, look again (a few times, then EAGAIN).
	 */
	for (tries = 0;; tries++) {
		if (dir_list(dirfd, &dl) == -1)
			goto fail;
		for (i = dl.nseg; i > 0 && dl.seg[i - 1].first > from; i--)
			;
		if (i == 0) {
			if (first != NULL)
				*first = dl.nseg > 0 ? dl.seg[0].first : 0;
			dir_free(&dl);
			errno = ENOENT;
			goto fail;
		}
		seg_first = dl.seg[i - 1].first;
		fd = openat(dirfd, dl.seg[i - 1].name, O_RDONLY | O_CLOEXEC);
		saved = errno;
		dir_free(&dl);
		if (fd != -1)
			break;
		if (saved != ENOENT)
			goto fail_saved;
		if (tries == READER_OPEN_TRIES) {
			saved = EAGAIN;
			goto fail_saved;
		}
	}

	r = xcalloc(1, sizeof(*r));
	r->dirfd = dirfd;
	r->fd = fd;
	r->seg_first = r->pos = seg_first;
	r->want = from;
	r->cap = READER_BUF;
	r->buf = xmalloc(r->cap);
	*out = r;
	return 0;

fail:
	saved = errno;
fail_saved:
	close(dirfd);
	errno = saved;
	return -1;
}

/*
 * Records at or below upto are on disk whole, by the caller's word, so
 * nothing there may be missing: a segment that ends early, a record that
 * does not check out or a segment file that is not there is damage.
 * Nothing above upto is parsed, though the window may hold its bytes.
 */
int
journal_reader_next(struct journal_reader *r, uint64_t upto, uint64_t *lsnp,
    uint16_t *typep, const void **payloadp, size_t *lenp)
{
	const uint8_t	*rec;
	size_t		 n = 0;

	if (r == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (r->want > upto)
		return 0;
	/* Past the records before from, the first time through. */
	do {
		if (reader_step(r, &n) == -1)
			return -1;
		rec = r->buf + r->off;
		r->off += n;
	} while (r->pos++ < r->want);
	r->want++;
	if (lsnp != NULL)
		*lsnp = get64(rec + 8);
	if (typep != NULL)
		*typep = get16(rec + 16);
	if (payloadp != NULL)
		*payloadp = rec + JOURNAL_REC_HDR_SIZE;
	if (lenp != NULL)
		*lenp = n - JOURNAL_REC_HDR_SIZE;
	return 1;
}

/* The message stays good until the next call; NULL if none failed yet. */
const char *
journal_reader_error(const struct journal_reader *r)
{
	return r != NULL && r->failed ? r->error : NULL;
}

void
journal_reader_close(struct journal_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd != -1)
		close(r->fd);
	close(r->dirfd);
	free(r->buf);
	free(r);
}

static int
reader_fail(struct journal_reader *r, int err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->failed = 1;
	errno = err;
	return -1;
}

/*
 * Have at least need bytes from the read offset in the window: 0 if so, 1
 * when the file ends first, -1 with errno on a read error.  Reads as much
 * as the window holds, so sequential reading costs one call per window.
 */
static int
reader_fill(struct journal_reader *r, size_t need)
{
	size_t	cap;
	ssize_t	n;

	if (r->len - r->off >= need)
		return 0;
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->boff += r->off;
		r->len -= r->off;
		r->off = 0;
	}
	if (need > r->cap) {
		/* need is at most READER_BUF_MAX: a length is checked first. */
		for (cap = r->cap; cap < need; cap *= 2)
			;
		if (cap > READER_BUF_MAX)
			cap = READER_BUF_MAX;
		r->buf = xreallocarray(r->buf, 1, cap);
		r->cap = cap;
	}
	while (r->len < need) {
		n = pread(r->fd, r->buf + r->len, r->cap - r->len,
		    (off_t)(r->boff + r->len));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 1;
		r->len += (size_t)n;
	}
	return 0;
}

/* Forget the unread bytes: the next fill reads them from the file again. */
static void
reader_drop(struct journal_reader *r)
{
	r->boff += r->off;
	r->off = r->len = 0;
}

/* Check the header of the segment just entered; the window is at its start. */
static int
reader_header(struct journal_reader *r)
{
	char	name[NAME_SIZE], why[160];

	seg_name(name, r->seg_first);
	if (reader_fill(r, JOURNAL_HDR_SIZE) == -1)
		return reader_fail(r, EIO, "reading %s: %s", name,
		    strerror(errno));
	if (hdr_check(r->buf, r->len, name, r->seg_first, why,
	    sizeof(why)) == -1) {
		if (errno == EPROTO)
			return reader_fail(r, EPROTO, "%s", why);
		return reader_fail(r, EBADMSG, "%s in %s (expected LSN %llu)",
		    why, name, (unsigned long long)r->pos);
	}
	r->off = JOURNAL_HDR_SIZE;
	r->hdr_ok = 1;
	return 0;
}

/*
 * The record at the read offset must be a whole one carrying LSN r->pos:
 * 1 with its size in *np, 0 when the segment ends there, -1 for damage
 * (EBADMSG) or a read error (EIO).
 */
static int
reader_record(struct journal_reader *r, size_t *np)
{
	const char	*why;
	char		 name[NAME_SIZE];
	uint32_t	 len;
	int		 rc, again;

	for (again = 0;; again++) {
		if ((rc = reader_fill(r, JOURNAL_REC_HDR_SIZE)) == 0) {
			/* The whole record; a bad length is rec_check's. */
			len = get32(r->buf + r->off);
			if (len <= JOURNAL_RECORD_MAX)
				rc = reader_fill(r, JOURNAL_REC_HDR_SIZE +
				    (size_t)len);
		}
		if (rc == -1) {
			seg_name(name, r->seg_first);
			return reader_fail(r, EIO, "reading %s: %s", name,
			    strerror(errno));
		}
		if (rc == 1 && r->off == r->len)
			return 0;
		if ((*np = rec_expect(r->buf, r->len, r->off, r->pos,
		    &why)) != 0)
			return 1;
		if (again > 0)
			break;
		reader_drop(r);
	}
	seg_name(name, r->seg_first);
	return reader_fail(r, EBADMSG, "%s at %s:%llu (expected LSN %llu)",
	    why, name, (unsigned long long)(r->boff + r->off),
	    (unsigned long long)r->pos);
}

/* The segment ends before r->pos: that LSN starts the next one. */
static int
reader_advance(struct journal_reader *r)
{
	char	cur[NAME_SIZE], name[NAME_SIZE];
	int	fd;

	seg_name(cur, r->seg_first);
	seg_name(name, r->pos);
	if (r->pos == r->seg_first)
		return reader_fail(r, EBADMSG, "LSN %llu is missing: segment "
		    "%s holds no records", (unsigned long long)r->pos, cur);
	if ((fd = openat(r->dirfd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return reader_fail(r, EBADMSG, "LSN %llu is missing: "
			    "%s ends before it and there is no %s",
			    (unsigned long long)r->pos, cur, name);
		return reader_fail(r, EIO, "%s: %s", name, strerror(errno));
	}
	close(r->fd);
	r->fd = fd;
	r->seg_first = r->pos;
	r->hdr_ok = 0;
	r->boff = 0;
	r->off = r->len = 0;
	return 0;
}

/* Find the record r->pos, crossing into the next segment if need be. */
static int
reader_step(struct journal_reader *r, size_t *np)
{
	int	rc;

	for (;;) {
		if (!r->hdr_ok && reader_header(r) == -1)
			return -1;
		if ((rc = reader_record(r, np)) != 0)
			return rc;
		if (reader_advance(r) == -1)
			return -1;
	}
}
