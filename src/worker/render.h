/*
 * render — a ticket, as the daemon queues it (JSON), to ESC/POS bytes.
 *
 * The payload is the object orders.c writes (see ticket_text()):
 *
 *   {"v":1,"job":N,"order":N,"number":"M-0042","type":"mesa|llevar|
 *    domicilio","table":"5","waiter":"ana","created":UNIX_S,
 *    "station":"cocina","kind":"new|modify|cancel|reprint","reprint":N,
 *    "notes":"...","items":[{"qty":N,"name":"...","notes":"..."},...]}
 *
 * In a "modify" ticket qty is signed: +N added, -N removed.
 *
 * Layout (what the cook reads is Spanish):
 *
 *   ESC @, ESC t <codepage>
 *   banner, reversed and double size, one per line, when it applies:
 *       URGENTE            job priority urgent
 *       MODIFICACIÓN       kind "modify"
 *       CANCELACIÓN        kind "cancel"
 *       REIMPRESIÓN n      kind "reprint" (n = "reprint"), or REIMPRESIÓN
 *                          alone when the job is flagged MAYBE_PRINTED
 *                          (a previous attempt may have printed)
 *   MESA 5 / LLEVAR M-0042 / DOMICILIO M-0042, centred, GS ! 0x11
 *   (double width+height)
 *   the station name in capitals, centred, bold
 *   "Pedido M-0042" left and the time HH:MM (local) right
 *   "Mesero: ana"
 *   a rule of '-' across the width
 *   each item: "<qty> x <name>" (bold, double height; "+1 x"/"-1 x" in a
 *   modification), wrapped to the width; its notes on the next lines,
 *   indented, prefixed "> "
 *   the order's notes, if any, after a rule: "Nota: ..."
 *   a rule, then "Ticket <job>" (and "intento <n>" when attempt > 1)
 *   feed 4 lines, GS V 66 0 (feed and partial cut)
 *   buzzer for urgent tickets when configured: ESC B 3 2, or ESC p 0 50 200
 *   with confirm = gs-h: GS ( H 6 0 48 48 d1 d2 d3 d4 (the process id as 4
 *   ASCII digits... see render_process_id())
 *
 * Text goes through codepage_encode(); lines never exceed the width (long
 * words are cut).  Everything is bounded: a malformed or oversized payload
 * is an error, never a crash.
 *
 * Details: a line in double width (GS ! 0x10/0x11) holds width/2
 * characters; banners are padded with spaces to a full reversed band;
 * wrapped item and note lines hang under the text after "2 x " / "> ";
 * the time is localtime_r() of "created" ("" when absent).  Bounds: a
 * payload of at most 64 KiB; "v" 1; "job" and "type" required; at most
 * 100 items, each with "qty" -999..999 and "name"; strings are cut (on a
 * character) to 24 bytes (number, table), 48 (waiter, station), 128 (item
 * name) or 280 (notes), and their control characters become spaces, so
 * no text can smuggle in a command.  Widths 24..96 are accepted.  A
 * banner also shows when the job's SHMQ_F_MODIFY, _CANCEL or _REPRINT
 * flag says so; "Mesero:" is left out without a waiter, and "Pedido"
 * shows the order id when there is no number.
 */
#ifndef FASTOPS_RENDER_H
#define FASTOPS_RENDER_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. */
struct rbuf {
	uint8_t	*p;
	size_t	 len, cap;
};

void	rbuf_init(struct rbuf *);
void	rbuf_free(struct rbuf *);
void	rbuf_reset(struct rbuf *);
void	rbuf_add(struct rbuf *, const void *, size_t);

struct render_opts {
	int		width;		/* 32, 42 or 48 columns */
	int		codepage;	/* ESC t n */
	int		buzzer;		/* enum config_buzzer */
	int		urgent;		/* job priority is urgent */
	uint32_t	flags;		/* SHMQ_F_* of the job */
	uint32_t	attempt;	/* 1 for the first */
	uint32_t	process_id;	/* != 0: append GS ( H with this id */
};

/*
 * Append the ticket for payload (len bytes of JSON) to out.  Returns 0, or
 * -1 with a message in err (malformed payload, in English: it is a bug
 * upstream, for the log) and out unchanged.  err may be NULL.
 */
int	render_ticket(const char *payload, size_t len,
	    const struct render_opts *, struct rbuf *out, char *err,
	    size_t errlen);

/*
 * The four d1..d4 bytes FastOps sends in GS ( H fn 48 for process_id:
 * the id modulo 10000 as ASCII digits (each 0x30..0x39, as the command
 * requires).  The printer echoes them back when it reaches that point.
 */
void	render_process_id(uint32_t process_id, uint8_t d[4]);

/*
 * Plain text of the ticket (UTF-8, no commands), for on_fallback files and
 * the kitchen screen: the same lines as the paper, each ending in '\n',
 * centred ones indented to the middle of width columns, no feed, cut,
 * buzzer or process id.  Same return and errors as render_ticket().
 */
int	render_text(const char *payload, size_t len,
	    const struct render_opts *, struct rbuf *out, char *err,
	    size_t errlen);

#endif
