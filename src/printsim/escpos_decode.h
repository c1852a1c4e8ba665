/*
 * escpos_decode — the byte stream an ESC/POS printer receives, as events.
 *
 * A state machine fed any number of bytes at a time (a command may be split
 * across reads).  It knows the length of every command of the Epson TM-T88
 * reference it does not act on, so their parameters are never printed as
 * text, and it skips length-prefixed data (images, 2D codes, GS ( and
 * ESC ( blocks) without storing it.  Memory is fixed; any byte sequence is
 * safe.
 *
 * The print modes (code page, size, alignment, emphasis) live in the
 * decoder: a callback reads them from dec->mode when it gets an event.
 */
#ifndef FASTOPS_ESCPOS_DECODE_H
#define FASTOPS_ESCPOS_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum escpos_kind {
	ESCPOS_TEXT,		/* one character, ev->text (UTF-8) */
	ESCPOS_TAB,		/* HT */
	ESCPOS_LF,		/* LF: print the line, feed one line */
	ESCPOS_FEED_LINES,	/* ESC d n: print the line, feed n lines */
	ESCPOS_FEED_UNITS,	/* ESC J n: print the line, feed n/180 in */
	ESCPOS_CUT,		/* GS V m [n], ESC i, ESC m; n feed units */
	ESCPOS_BUZZER,		/* ESC B n t: n beeps of t x 50 ms */
	ESCPOS_PULSE,		/* ESC p m t1 t2, DLE DC4 1 m t: n ms */
	ESCPOS_IMAGE,		/* a raster, barcode or NV image: n dots high */
	ESCPOS_STATUS,		/* DLE EOT n: real-time status request */
	ESCPOS_RECOVER,		/* DLE ENQ n: real-time error recovery */
	ESCPOS_PROCESS_ID,	/* GS ( H fn 48: answer ev->d when printed */
	ESCPOS_PRINTER_ID,	/* GS I n */
	ESCPOS_PAPER_STATUS,	/* GS r n */
	ESCPOS_INIT,		/* ESC @: modes were reset */
	ESCPOS_MODE,		/* a print mode changed (dec->mode) */
	ESCPOS_IGNORED,		/* a command or byte with no effect here */
};

struct escpos_event {
	enum escpos_kind	 kind;
	size_t			 nbytes;	/* stream bytes it took */
	int			 n, m;		/* parameters, by kind */
	uint8_t			 d[4];		/* ESCPOS_PROCESS_ID */
	char			 text[5];	/* ESCPOS_TEXT, NUL-terminated */
};

#define ESCPOS_ALIGN_LEFT	0
#define ESCPOS_ALIGN_CENTER	1
#define ESCPOS_ALIGN_RIGHT	2

struct escpos_mode {
	int	codepage;	/* ESC t n */
	int	align;		/* ESC a n */
	int	width;		/* character width multiplier, 1..8 */
	int	height;		/* character height multiplier, 1..8 */
	int	bold;		/* ESC E, ESC ! bit 3 */
	int	underline;	/* ESC -, 0..2 */
	int	reverse;	/* GS B */
	int	font;		/* ESC M, ESC ! bit 0 */
};

/*
 * Called for every event.  Return 0 to go on, -1 to stop escpos_feed()
 * right after this event (the caller keeps the rest of its bytes).
 */
typedef int	(*escpos_cb)(void *arg, const struct escpos_event *);

/* Opaque to callers except mode; on the stack or embedded. */
struct escpos {
	struct escpos_mode	 mode;

	escpos_cb		 cb;
	void			*arg;
	int			 state;
	uint8_t			 cmd[24];	/* command header so far */
	size_t			 ncmd;
	size_t			 nbytes;	/* of the current command */
	uint64_t		 skip;		/* data bytes to pass over */
	unsigned		 blocks;	/* ESC & / FS q blocks left */
	int			 loop;		/* the state reading a block */
	unsigned		 y;		/* ESC &: bytes per column */
	uint8_t			 term;		/* ST_UNTIL terminator */
	unsigned		 nterm;		/* terminators still wanted */
	size_t			 left;		/* ST_UNTIL byte bound */
	struct escpos_event	 after;		/* sent when the data ends */
};

/* Start decoding: power-on modes, nothing pending. */
void	escpos_init(struct escpos *, escpos_cb, void *arg);
/* Forget a partial command (a new connection), keeping the modes. */
void	escpos_abort(struct escpos *);
/* The modes ESC @ restores. */
void	escpos_mode_reset(struct escpos_mode *);
/*
 * Decode len bytes, calling back for each event.  Returns the number of
 * bytes consumed: len, or less when the callback asked to stop.
 */
size_t	escpos_feed(struct escpos *, const uint8_t *, size_t len);
/* Bytes of a command begun but not finished (0 between commands). */
size_t	escpos_partial(const struct escpos *);
/* The event kind's name, for logs and tests. */
const char *escpos_kind_name(enum escpos_kind);

#endif
