/*
 * fastops-printsim — a simulated ESC/POS thermal printer.
 *
 * One thread, one poll loop (printsim.c).  Bytes are decoded as they are
 * received (escpos_decode.c); the receiving side (engine.c) turns what they
 * mean into a queue of engine items, each stamped with the time the print
 * engine will have finished it, given the paper speed and the cut time.
 * The loop completes items as their time comes: lines are written to the
 * --out file, answers that wait for the engine (GS ( H) are sent, tickets
 * are logged.  While the bytes received but not yet printed exceed the
 * buffer size, the loop stops reading, as a real printer stops taking data
 * (TCP backpressure).  Real-time requests (DLE EOT) are answered on receipt.
 */
#ifndef FASTOPS_PRINTSIM_H
#define FASTOPS_PRINTSIM_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "escpos_decode.h"

#define PRINTSIM_WIDTH_MAX	255
#define PRINTSIM_LINE_MAX	(PRINTSIM_WIDTH_MAX * 4 + 1)
#define PRINTSIM_ANSWER_MAX	16
#define PRINTSIM_OUTBUF		1024

/* Faults injected (fault.c).  Counts are from when they were set. */
struct faults {
	int		 offline;
	int		 paper_out;
	int		 paper_low;
	int		 cover_open;
	int		 hang;
	unsigned	 slow_ms;	/* added to each ticket */
	unsigned	 hang_after;	/* hang from ticket hang_after + 1 */
	unsigned	 drop;		/* drop the connection in ticket drop */
	unsigned	 fail_n;	/* of every fail_m tickets, the first */
	unsigned	 fail_m;	/* fail_n are lost */
};

enum ticket_state {
	T_RECEIVING,		/* bytes still coming */
	T_CUT,			/* its cut was received */
	T_LOST,			/* the connection went before the cut */
};

/* One ticket: the bytes between two cuts. */
struct ticket {
	uint64_t		 seq;		/* 1, 2, ... as received */
	uint64_t		 start_ms;	/* unix ms of its first byte */
	uint64_t		 end_ms;	/* unix ms it was printed */
	uint64_t		 cut_at;	/* monotonic ns, once cut */
	size_t			 bytes;
	unsigned		 lines;		/* lines written to --out */
	unsigned		 blanks;	/* blank lines not yet written */
	enum ticket_state	 state;
	const char		*discard;	/* why it is not printed */
	int			 drop_armed;	/* the drop fault hits it */
	int			 cut_done;	/* the engine cut it */
	int			 finalized;	/* written and logged */
	int			 refs;
};

enum item_kind {
	I_LINE,			/* a line of text, then blank lines */
	I_FEED,			/* paper moves, nothing printed */
	I_CUT,
	I_BUZZER,
	I_ANSWER,		/* bytes to send when the engine gets here */
	I_END,			/* a ticket lost or discarded */
};

/* One step of the print engine, done at a known time. */
struct item {
	TAILQ_ENTRY(item)	 entry;
	enum item_kind		 kind;
	struct ticket		*t;		/* NULL between tickets */
	uint64_t		 done;		/* monotonic ns */
	size_t			 nbytes;	/* of the receive buffer */
	unsigned		 gen;		/* connection, for I_ANSWER */
	char			*text;		/* I_LINE, or NULL */
	unsigned		 blanks;	/* I_LINE: blank lines after */
	uint8_t			 answer[PRINTSIM_ANSWER_MAX];
	size_t			 answerlen;
	int			 confirm;	/* GS ( H: the ticket is done */
};
TAILQ_HEAD(itemq, item);

struct sim {
	/* Options. */
	const char		*listen;	/* tcp://HOST:PORT */
	const char		*pty_path;
	FILE			*out;
	FILE			*raw;
	FILE			*log;
	unsigned		 speed;		/* mm/s, 0: instant */
	unsigned		 cut_ms;
	int			 width;
	size_t			 buffer;
	const char		*fault_file;
	int			 quiet;

	/* Faults and the error they leave (DLE EOT 3). */
	struct faults		 f;
	uint64_t		 fault_base;	/* tickets before they were set */
	int			 drop_done;
	int			 error_pending;
	int			 hung;
	uint64_t		 hung_since;

	/* The connection: a TCP peer or the pty master. */
	int			 lfd;		/* listener, or -1 */
	int			 fd;		/* or -1 */
	int			 slave;		/* pty: kept open, never read */
	char			*pts;		/* pty: /dev/pts/N */
	int			 is_pty;
	unsigned		 gen;		/* bumped per connection */
	int			 peer_gone;	/* HUP seen while not reading */
	uint8_t			 in[4096];	/* read, not yet decoded */
	size_t			 inoff, inlen;
	uint8_t			 outb[PRINTSIM_OUTBUF];
	size_t			 outlen;
	int			 drop_now;	/* the drop fault fired */

	/* The receiving side. */
	struct escpos		 dec;
	struct ticket		*cur;		/* being received, or cut */
	uint64_t		 seq;
	size_t			 pre_bytes;	/* before the ticket's content */
	uint64_t		 pre_ms;
	uint64_t		 rx_ms;		/* unix ms of the current read */
	int			 skipping;	/* pty drop: until the cut */
	struct escpos_event	 replay;	/* hang-after stopped here */
	int			 has_replay;
	char			 line[PRINTSIM_LINE_MAX];
	size_t			 linelen;
	int			 linecols;
	int			 lineh;
	int			 linealign;
	size_t			 linebytes;

	/* The engine. */
	struct itemq		 items;
	uint64_t		 engine_at;	/* monotonic ns it is free */
	size_t			 backlog;	/* bytes of queued items */
	struct ticket		*printing;	/* last ticket it worked on */

	/* Statistics. */
	uint64_t		 n_printed;
	uint64_t		 n_discarded;
	uint64_t		 n_incomplete;
	uint64_t		 n_bytes;
};

/* engine.c */
void		 engine_init(struct sim *);
int		 engine_event(void *, const struct escpos_event *);
size_t		 engine_room(const struct sim *);
void		 engine_run(struct sim *, uint64_t);
int64_t		 engine_timeout_ns(const struct sim *, uint64_t);
void		 engine_connection_lost(struct sim *);
void		 engine_freeze(struct sim *, uint64_t);
void		 engine_thaw(struct sim *, uint64_t);
void		 engine_finish(struct sim *);
uint64_t	 engine_real_ms(uint64_t);

/* fault.c */
int		 fault_parse(struct faults *, const char *, char *, size_t);
int		 fault_load(struct faults *, const char *, char *, size_t);
const char	*fault_offline(const struct faults *);
uint8_t		 fault_status(struct sim *, int);

/* printsim.c */
void		 sim_answer(struct sim *, const uint8_t *, size_t);
int		 sim_input_pending(const struct sim *);
void		 sim_set_hung(struct sim *, int);

#endif
