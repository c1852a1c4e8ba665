/*
 * journal — the write-ahead log that makes an acknowledged order survive.
 *
 * Layout.  <dir>/ holds segment files "%016llx.wal" named by the LSN of
 * their first record, and snapshots "snap-%016llx" named by the last LSN
 * they cover.  A segment starts with a 32-byte header (magic "FOPSWAL\0",
 * format version, first LSN, creation time, header CRC).  Each record is
 *
 *	u32 length of payload
 *	u32 CRC32C of everything below (lsn, type, flags, payload)
 *	u64 LSN (consecutive from 1, never reused)
 *	u16 type
 *	u16 flags (0)
 *	payload[length]
 *
 * all little-endian.  A snapshot has a 40-byte header (magic "FOPSSNP\0",
 * version, last LSN covered, length, CRC32C of the data, header CRC) then
 * the data.  The journal is opaque about types and payloads: the queue's
 * record types live in qstate.h.
 *
 * Durability.  journal_append() writes the record (write(2), looped over
 * short writes and EINTR; a partial record is truncated back) and, under
 * the `always` and `group` policies, returns only once an fdatasync covers
 * it.  With `group`, concurrent appenders share one fdatasync: the first to
 * need one syncs everything written so far while the others wait for it,
 * and whoever arrives meanwhile waits for the next.  With `off`, records
 * reach the kernel (they survive the process crashing, not the machine).
 *
 * If fdatasync fails, the journal is finished: POSIX leaves the state of
 * the dirty pages undefined, so retrying could report data durable that is
 * not.  Every later append fails with EIO and journal_error() says why; the
 * daemon stops acknowledging and raises an alert.
 *
 * Thread safety: append/sync/snapshot may be called from any thread.
 */
#ifndef FASTOPS_JOURNAL_H
#define FASTOPS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_FORMAT_VERSION	1
#define JOURNAL_RECORD_MAX	(1024 * 1024)	/* payload bytes */
#define JOURNAL_HDR_SIZE	32		/* segment header */
#define JOURNAL_REC_HDR_SIZE	20		/* record header */

enum journal_fsync {
	JOURNAL_FSYNC_ALWAYS,	/* one fdatasync per append */
	JOURNAL_FSYNC_GROUP,	/* appenders share fdatasyncs (default) */
	JOURNAL_FSYNC_OFF,	/* write(2) only */
};

struct journal_opts {
	enum journal_fsync	 fsync;
	uint64_t		 segment_size;	/* roll over past this (64 MiB) */
	int			 force_truncate; /* drop data after mid-log
						    corruption instead of
						    refusing to start */
	/* Test hook: replaces fdatasync(2) when set. */
	int			(*fsync_fn)(int fd);
};

struct journal;

/* What recovery found, for the log and for `fastops-ctl journal verify`. */
struct journal_recovery {
	uint64_t	snapshot_lsn;	/* 0: no snapshot used */
	uint64_t	first_lsn;	/* first record replayed (0: none) */
	uint64_t	last_lsn;	/* last valid record */
	uint64_t	records;	/* records replayed */
	uint64_t	truncated_bytes; /* torn tail removed */
	uint32_t	segments;
	char		message[256];	/* what was dropped and why, or "" */
};

/*
 * Open (creating <dir> if needed) and recover: load the newest valid
 * snapshot and call snap_fn with it (skipped when there is none), then
 * call rec_fn for every later record in LSN order.  A torn or corrupt tail
 * of the last segment is truncated and reported in rec->message.  Damage
 * followed by valid records is refused (EBADMSG, message says where) unless
 * opts->force_truncate.  A segment of a newer format is refused (EPROTO).
 * Either callback returning -1 aborts the open with its errno.  Once this
 * returns, appends continue from the last valid LSN.
 */
int	journal_open(const char *dir, const struct journal_opts *opts,
	    int (*snap_fn)(uint64_t lsn, const void *data, size_t len,
	        void *arg),
	    int (*rec_fn)(uint64_t lsn, uint16_t type, const void *payload,
	        size_t len, void *arg),
	    void *arg, struct journal **out, struct journal_recovery *rec);
/* Sync what is written and close. */
void	journal_close(struct journal *);

/*
 * Append one record and wait until it is durable under the policy.  On
 * success *lsn (if not NULL) is its LSN.  -1 with EIO once the journal has
 * failed, EINVAL/E2BIG for bad arguments, ENOSPC etc. from write(2).
 */
int	journal_append(struct journal *, uint16_t type, const void *payload,
	    size_t len, uint64_t *lsn);
/*
 * Append without waiting; journal_sync(lsn) later waits for durability.
 * Lets one thread append a batch and wait once.
 */
int	journal_append_nowait(struct journal *, uint16_t type,
	    const void *payload, size_t len, uint64_t *lsn);
/* Wait until everything up to lsn is durable (per policy).  -1/EIO. */
int	journal_sync(struct journal *, uint64_t lsn);

/* LSN of the last record written, and of the last one known durable. */
uint64_t	journal_last_lsn(struct journal *);
uint64_t	journal_durable_lsn(struct journal *);
/* Number of fdatasync calls made (group commit efficiency). */
uint64_t	journal_fsyncs(struct journal *);
/* NULL while healthy; after a failure, why the journal stopped. */
const char	*journal_error(struct journal *);

/*
 * Write a snapshot covering every record up to and including lsn (the
 * caller's state at that LSN): temp file, fsync, rename, fsync directory.
 * Then remove the older snapshots but one, and the segments whose records
 * are all covered by that older one and by journal_retain().  Keeping one
 * previous snapshot lets recovery fall back if the newest is damaged.
 */
int	journal_snapshot(struct journal *, uint64_t lsn, const void *data,
	    size_t len);
/* Keep every record above lsn on disk (PostgreSQL has not applied it). */
void	journal_retain(struct journal *, uint64_t lsn);

/* --- following the journal: pgsync ------------------------------------- */

/*
 * A reader follows the segments on disk while another thread appends,
 * with descriptors of its own and no lock shared with the writer.  One
 * reader belongs to one thread at a time.
 */
struct journal_reader;

/*
 * Open a reader of the journal in dir positioned at the record with LSN
 * `from` (>= 1).  -1 with ENOENT when that record is no longer on disk
 * (segments before it were removed): then *first (if not NULL) gets the
 * lowest LSN still on disk, or 0 if there is no segment at all.  A journal
 * whose last record is from - 1 (nothing to read yet) opens fine.
 */
int	journal_reader_open(const char *dir, uint64_t from,
	    struct journal_reader **out, uint64_t *first);
/*
 * The next record, if its LSN is <= upto: returns 1 with *lsn, *type,
 * *payload and *len set (payload valid until the next call or close).
 * Returns 0 when the next LSN is > upto: not asked for, or not on disk yet
 * (call again later with a larger upto).  -1 with EBADMSG when a record at
 * or below upto is damaged or missing (the message via
 * journal_reader_error), EIO on a read error, EPROTO for a segment of a
 * newer format.  The caller passes upto <= journal_durable_lsn(), so every
 * record up to it is completely written.
 */
int	journal_reader_next(struct journal_reader *, uint64_t upto,
	    uint64_t *lsn, uint16_t *type, const void **payload, size_t *len);
/* Why the last failed journal_reader_next() failed; NULL if none has. */
const char *journal_reader_error(const struct journal_reader *);
/* Close the descriptors and free the reader (NULL is ignored). */
void	journal_reader_close(struct journal_reader *);

/* --- offline reading: `fastops-ctl journal verify|dump` ---------------- */

/*
 * Read every segment and snapshot under dir without changing anything.
 * rec_fn (may be NULL) sees each valid record.  Returns 0 when the journal
 * is whole, -1 with EBADMSG when damage was found (rec->message says where
 * and what), EPROTO for a newer format.
 */
int	journal_verify(const char *dir,
	    int (*rec_fn)(uint64_t lsn, uint16_t type, const void *payload,
	        size_t len, void *arg),
	    void *arg, struct journal_recovery *rec);

#endif
