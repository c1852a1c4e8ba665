/*
 * The receiving side and the print engine.
 *
 * engine_event() gets each decoded command as it is received and decides
 * which ticket it belongs to.  A ticket begins with its first printing
 * command (the ESC @ and modes before it are counted in it) and ends with
 * its cut; the buzzer and GS ( H a driver sends after the cut still belong
 * to it, so its --out text is written when the engine reaches the next
 * ticket or a GS ( H, or has nothing more to do and nothing more has come
 * in (or has waited GRACE_NS for the rest of a command).
 *
 * Nothing waits: each engine item is stamped with the time the engine
 * finishes it (after the item before it, at --speed), and engine_run()
 * completes the items whose time has come.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#include "printsim.h"

#define LINE_MM		4.25		/* a line of standard characters */
#define UNIT_MM		(25.4 / 180)	/* ESC J, GS V feed unit */
#define DOT_MM		0.125		/* images, 203 dpi */
#define TAB_COLS	8
#define GRACE_NS	(50 * NS_PER_MS)
#define SEPARATOR_LEN	48

/* What people read on the simulated paper: Spanish, as on real tickets. */
static const char	msg_buzzer[] = "[zumbador]";
static const char	msg_image[] = "[imagen]";
static const char	msg_lost[] = "[ticket incompleto: conexión perdida]";
static const char	msg_discarded[] = "[ticket incompleto: descartado]";

enum ev_class { C_CONTENT, C_TRAILER, C_MODE };

static enum ev_class	 ev_class(enum escpos_kind);
static struct ticket	*ticket_start(struct sim *, const struct escpos_event *,
			    int *);
static void		 ticket_unref(struct ticket *);
static struct item	*enqueue(struct sim *, enum item_kind, struct ticket *,
			    uint64_t, size_t);
static uint64_t		 mm_ns(const struct sim *, double);
static void		 apply(struct sim *, struct ticket *,
			    const struct escpos_event *);
static void		 answer(struct sim *, struct ticket *, const uint8_t *,
			    size_t, int);
static void		 printer_id(struct sim *, struct ticket *, int);
static void		 line_reset(struct sim *);
static void		 line_add(struct sim *, struct ticket *, const char *,
			    int);
static void		 line_emit(struct sim *, struct ticket *, unsigned,
			    double, size_t);
static void		 item_done(struct sim *, struct item *);
static void		 out_line(struct sim *, const char *);
static void		 write_line(struct sim *, struct ticket *, const char *);
static void		 finalize(struct sim *, struct ticket *);

void
engine_init(struct sim *s)
{
	TAILQ_INIT(&s->items);
	escpos_init(&s->dec, engine_event, s);
	line_reset(s);
}

/* Receive-buffer bytes free: what may be read now. */
size_t
engine_room(const struct sim *s)
{
	size_t	used = s->backlog + s->linebytes;

	return used >= s->buffer ? 0 : s->buffer - used;
}

/* The unix time in ms of monotonic instant mono. */
uint64_t
engine_real_ms(uint64_t mono)
{
	int64_t	d = (int64_t)(clock_mono_ns() - mono);

	return (uint64_t)((int64_t)clock_real_ns() - d) / NS_PER_MS;
}

static enum ev_class
ev_class(enum escpos_kind k)
{
	switch (k) {
	case ESCPOS_TEXT:
	case ESCPOS_TAB:
	case ESCPOS_LF:
	case ESCPOS_FEED_LINES:
	case ESCPOS_FEED_UNITS:
	case ESCPOS_CUT:
	case ESCPOS_IMAGE:
	case ESCPOS_BUZZER:
	case ESCPOS_PULSE:
		return C_CONTENT;
	case ESCPOS_PROCESS_ID:
	case ESCPOS_PRINTER_ID:
	case ESCPOS_PAPER_STATUS:
		return C_TRAILER;
	default:
		return C_MODE;
	}
}

/*
 * The decoder's callback: one command, as received.  Returns -1 to stop
 * decoding (the drop fault closes the connection, hang-after stops
 * reading).
 */
int
engine_event(void *arg, const struct escpos_event *ev)
{
	struct sim	*s = arg;
	struct ticket	*t = NULL;
	enum ev_class	 cls;
	uint8_t		 b;
	int		 stop = 0, dead, trailer;

	/* Real-time commands: answered on receipt, whatever else goes on. */
	switch (ev->kind) {
	case ESCPOS_STATUS:
		if (ev->n >= 1 && ev->n <= 4) {
			b = fault_status(s, ev->n);
			sim_answer(s, &b, 1);
		}
		return 0;
	case ESCPOS_RECOVER:
		if (ev->n == 1 || ev->n == 2)
			s->error_pending = 0;
		return 0;
	default:
		break;
	}
	if (s->skipping) {
		if (ev->kind == ESCPOS_CUT)
			s->skipping = 0;
		return 0;
	}

	/*
	 * Whose bytes are these?  The ticket being received; else, for a
	 * buzzer or an answer request, the ticket just cut; else printing
	 * starts a new ticket, and modes wait for one.
	 */
	cls = ev_class(ev->kind);
	trailer = cls == C_TRAILER || ev->kind == ESCPOS_BUZZER ||
	    ev->kind == ESCPOS_PULSE;
	if (s->cur != NULL && s->cur->state == T_RECEIVING)
		t = s->cur;
	else if (trailer && s->cur != NULL && s->cur->state == T_CUT)
		t = s->cur->finalized ? NULL : s->cur;
	else if (cls == C_CONTENT) {
		if ((t = ticket_start(s, ev, &stop)) == NULL)
			return stop ? -1 : 0;
	} else if (cls == C_MODE) {
		if (s->pre_bytes == 0)
			s->pre_ms = s->rx_ms;
		s->pre_bytes += ev->nbytes;
		return 0;
	}
	if (t != NULL)
		t->bytes += ev->nbytes;

	/* An offline printer takes the bytes and prints nothing. */
	if (t != NULL && t->discard == NULL && t->state == T_RECEIVING &&
	    (t->discard = fault_offline(&s->f)) != NULL)
		line_reset(s);
	dead = (t != NULL && t->discard != NULL) ||
	    fault_offline(&s->f) != NULL;
	if (dead) {
		if (t != NULL && t->state == T_RECEIVING &&
		    ev->kind == ESCPOS_CUT) {
			t->state = T_CUT;
			enqueue(s, I_END, t, 0, 0);
		}
		return 0;
	}

	if (t != NULL && t->drop_armed && (ev->kind == ESCPOS_LF ||
	    ev->kind == ESCPOS_FEED_LINES || ev->kind == ESCPOS_FEED_UNITS ||
	    ev->kind == ESCPOS_CUT)) {
		/* The line is printed; the connection goes with the rest. */
		if (ev->kind != ESCPOS_CUT)
			apply(s, t, ev);
		t->drop_armed = 0;
		s->drop_done = 1;
		log_info("fault: dropping the connection in ticket %llu",
		    (unsigned long long)t->seq);
		if (!s->is_pty) {
			s->drop_now = 1;
			return -1;
		}
		/* A pty cannot be hung up: lose the rest of the ticket. */
		s->skipping = ev->kind != ESCPOS_CUT;
		engine_connection_lost(s);
		return 0;
	}
	apply(s, t, ev);
	return 0;
}

/*
 * A new ticket, numbered; the faults that count tickets decide its fate
 * here.  NULL with *stop set when hang-after stops everything before it.
 */
static struct ticket *
ticket_start(struct sim *s, const struct escpos_event *ev, int *stop)
{
	struct ticket	*t;
	uint64_t	 k = s->seq - s->fault_base + 1;

	if (s->f.hang_after != 0 && k >= s->f.hang_after) {
		log_info("fault: hanging before ticket %llu",
		    (unsigned long long)s->seq + 1);
		s->replay = *ev;
		s->has_replay = 1;
		sim_set_hung(s, 1);
		*stop = 1;
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->seq = ++s->seq;
	t->refs = 1;
	t->state = T_RECEIVING;
	t->start_ms = s->pre_bytes != 0 ? s->pre_ms : s->rx_ms;
	t->bytes = s->pre_bytes;
	s->pre_bytes = 0;
	if (s->cur != NULL)
		ticket_unref(s->cur);
	s->cur = t;
	if (s->f.drop != 0 && k == s->f.drop && !s->drop_done)
		t->drop_armed = 1;
	if (s->f.fail_m != 0 && (k - 1) % s->f.fail_m < s->f.fail_n) {
		t->discard = "fail";
		s->error_pending = 1;
	}
	return t;
}

static void
ticket_unref(struct ticket *t)
{
	if (t != NULL && --t->refs == 0)
		free(t);
}

/* Engine time for mm of paper. */
static uint64_t
mm_ns(const struct sim *s, double mm)
{
	if (s->speed == 0 || mm <= 0)
		return 0;
	return (uint64_t)(mm * (double)NS_PER_S / s->speed);
}

/* Queue an item taking dur ns after the one before it. */
static struct item *
enqueue(struct sim *s, enum item_kind kind, struct ticket *t, uint64_t dur,
    size_t nbytes)
{
	struct item	*it;
	uint64_t	 now = clock_mono_ns();

	it = xcalloc(1, sizeof(*it));
	it->kind = kind;
	it->t = t;
	if (t != NULL)
		t->refs++;
	if (s->engine_at < now)
		s->engine_at = now;
	s->engine_at += dur;
	it->done = s->engine_at;
	it->nbytes = nbytes;
	it->gen = s->gen;
	s->backlog += nbytes;
	TAILQ_INSERT_TAIL(&s->items, it, entry);
	return it;
}

/* What a command does to the paper, in engine items. */
static void
apply(struct sim *s, struct ticket *t, const struct escpos_event *ev)
{
	const struct escpos_mode	*m = &s->dec.mode;
	struct item			*it;
	uint8_t				 b[PRINTSIM_ANSWER_MAX];
	int				 i, n;

	switch (ev->kind) {
	case ESCPOS_TEXT:
		s->linebytes += ev->nbytes;
		line_add(s, t, ev->text, m->width);
		break;
	case ESCPOS_TAB:
		s->linebytes += ev->nbytes;
		n = TAB_COLS - s->linecols % TAB_COLS;
		for (i = 0; i < n && s->linecols < s->width; i++)
			line_add(s, t, " ", 1);
		break;
	case ESCPOS_LF:
		line_emit(s, t, s->linelen == 0, LINE_MM * s->lineh,
		    ev->nbytes);
		break;
	case ESCPOS_FEED_LINES:
		n = ev->n;
		if (s->linelen != 0)
			line_emit(s, t, n > 1 ? n - 1 : 0,
			    LINE_MM * (s->lineh + (n > 1 ? n - 1 : 0)),
			    ev->nbytes);
		else if (n > 0)
			line_emit(s, t, n, LINE_MM * n, ev->nbytes);
		break;
	case ESCPOS_FEED_UNITS:
		if (s->linelen != 0) {
			double	mm = UNIT_MM * ev->n;

			if (mm < LINE_MM * s->lineh)
				mm = LINE_MM * s->lineh;
			line_emit(s, t, 0, mm, ev->nbytes);
		} else
			enqueue(s, I_FEED, t, mm_ns(s, UNIT_MM * ev->n),
			    ev->nbytes);
		break;
	case ESCPOS_IMAGE:
		if (s->linelen != 0)
			line_emit(s, t, 0, LINE_MM * s->lineh, 0);
		it = enqueue(s, I_LINE, t, mm_ns(s, DOT_MM * ev->n),
		    ev->nbytes);
		it->text = xstrdup(msg_image);
		break;
	case ESCPOS_CUT:
		if (s->linelen != 0)
			line_emit(s, t, 0, LINE_MM * s->lineh, 0);
		enqueue(s, I_CUT, t, mm_ns(s, UNIT_MM * ev->n) +
		    (uint64_t)(s->cut_ms + s->f.slow_ms) * NS_PER_MS,
		    ev->nbytes);
		t->state = T_CUT;
		break;
	case ESCPOS_BUZZER:
		/* ESC B n t: n beeps of t x 50 ms, 1 <= n, t <= 9. */
		enqueue(s, I_BUZZER, t, s->speed == 0 ? 0 :
		    (uint64_t)(ev->n > 9 ? 9 : ev->n) *
		    (uint64_t)(ev->m > 9 ? 9 : ev->m) * 50 * NS_PER_MS,
		    ev->nbytes);
		break;
	case ESCPOS_PULSE:
		enqueue(s, I_BUZZER, t, s->speed == 0 ? 0 :
		    (uint64_t)ev->n * NS_PER_MS, ev->nbytes);
		break;
	case ESCPOS_PROCESS_ID:
		/* Epson: 37H 22H d1 d2 d3 d4 00H, once all before is done. */
		b[0] = 0x37;
		b[1] = 0x22;
		memcpy(b + 2, ev->d, 4);
		b[6] = 0x00;
		answer(s, t, b, 7, 1);
		break;
	case ESCPOS_PRINTER_ID:
		printer_id(s, t, ev->n);
		break;
	case ESCPOS_INIT:
		line_reset(s);	/* ESC @ clears the print buffer */
		break;
	case ESCPOS_PAPER_STATUS:
		if (ev->n == 1 || ev->n == 49) {
			b[0] = (s->f.paper_low ? 0x03 : 0) |
			    (s->f.paper_out ? 0x0c : 0);
			answer(s, t, b, 1, 0);
		} else if (ev->n == 2 || ev->n == 50) {
			b[0] = 0x00;
			answer(s, t, b, 1, 0);
		}
		break;
	default:
		break;
	}
}

/* Queue an answer sent when the engine gets to it. */
static void
answer(struct sim *s, struct ticket *t, const uint8_t *b, size_t len,
    int confirm)
{
	struct item	*it;

	it = enqueue(s, I_ANSWER, t, 0, 0);
	memcpy(it->answer, b, len);
	it->answerlen = len;
	it->confirm = confirm;
}

/* GS I n: who this printer is. */
static void
printer_id(struct sim *s, struct ticket *t, int n)
{
	uint8_t		 b[PRINTSIM_ANSWER_MAX];
	const char	*str = NULL;
	size_t		 len;

	switch (n) {
	case 1: case 49:		/* model */
		b[0] = 0x20;
		answer(s, t, b, 1, 0);
		return;
	case 2: case 50:		/* type: autocutter */
		b[0] = 0x02;
		answer(s, t, b, 1, 0);
		return;
	case 3: case 51:		/* ROM version */
		b[0] = 0x01;
		answer(s, t, b, 1, 0);
		return;
	case 65:
		str = FASTOPS_VERSION;
		break;
	case 66:
		str = "FastOps";
		break;
	case 67:
		str = "printsim";
		break;
	case 68:
		str = "0";
		break;
	default:
		return;
	}
	len = strlen(str);
	b[0] = 0x5f;
	memcpy(b + 1, str, len);
	b[len + 1] = 0x00;
	answer(s, t, b, len + 2, 0);
}

static void
line_reset(struct sim *s)
{
	s->line[0] = '\0';
	s->linelen = 0;
	s->linecols = 0;
	s->lineh = 1;
	s->linebytes = 0;
	s->linealign = ESCPOS_ALIGN_LEFT;
}

/*
 * Add one character w columns wide to the line, printing the line first
 * when it would not fit (the printer wraps).
 */
static void
line_add(struct sim *s, struct ticket *t, const char *ch, int w)
{
	size_t	len = strlen(ch);

	if (s->linecols > 0 && s->linecols + w > s->width)
		line_emit(s, t, 0, LINE_MM * s->lineh, 0);
	if (s->linelen + len >= sizeof(s->line))
		return;		/* cannot happen: width bounds the line */
	if (s->linelen == 0) {
		s->linealign = s->dec.mode.align;
		s->lineh = 1;
	}
	memcpy(s->line + s->linelen, ch, len + 1);
	s->linelen += len;
	s->linecols += w;
	if (s->dec.mode.height > s->lineh)
		s->lineh = s->dec.mode.height;
}

/*
 * Print the line (if any), aligned, then blanks blank lines, taking mm of
 * paper; nbytes more bytes of the buffer go with it.
 */
static void
line_emit(struct sim *s, struct ticket *t, unsigned blanks, double mm,
    size_t nbytes)
{
	struct item	*it;
	char		*text = NULL;
	size_t		 len = s->linelen;
	int		 pad = 0;

	if (len != 0) {
		if (s->linecols < s->width) {
			if (s->linealign == ESCPOS_ALIGN_CENTER)
				pad = (s->width - s->linecols) / 2;
			else if (s->linealign == ESCPOS_ALIGN_RIGHT)
				pad = s->width - s->linecols;
		}
		while (len > 0 && s->line[len - 1] == ' ')
			len--;
		text = xmalloc((size_t)pad + len + 1);
		memset(text, ' ', (size_t)pad);
		memcpy(text + pad, s->line, len);
		text[pad + len] = '\0';
		if (len == 0) {
			free(text);
			text = NULL;
			blanks++;
		}
	}
	it = enqueue(s, I_LINE, t, mm_ns(s, mm), s->linebytes + nbytes);
	it->text = text;
	it->blanks = blanks;
	line_reset(s);
}

/* Complete the items whose time has come, and tickets left waiting. */
void
engine_run(struct sim *s, uint64_t now)
{
	struct item	*it;

	if (s->hung)
		return;
	while ((it = TAILQ_FIRST(&s->items)) != NULL && it->done <= now) {
		TAILQ_REMOVE(&s->items, it, entry);
		item_done(s, it);
	}
	if (TAILQ_EMPTY(&s->items) && s->printing != NULL &&
	    s->printing->cut_done && (now >= s->printing->cut_at + GRACE_NS ||
	    !sim_input_pending(s)))
		finalize(s, s->printing);
}

/* Nanoseconds until engine_run() has something to do; -1: nothing. */
int64_t
engine_timeout_ns(const struct sim *s, uint64_t now)
{
	struct item	*it;
	uint64_t	 at;

	if (s->hung)
		return -1;
	if ((it = TAILQ_FIRST(&s->items)) != NULL)
		at = it->done;
	else if (s->printing != NULL && s->printing->cut_done)
		at = sim_input_pending(s) ? s->printing->cut_at + GRACE_NS : 0;
	else
		return -1;
	return at <= now ? 0 : (int64_t)(at - now);
}

/* The connection went (or the program ends): a ticket cut short. */
void
engine_connection_lost(struct sim *s)
{
	struct ticket	*t = s->cur;

	escpos_abort(&s->dec);
	s->has_replay = 0;
	s->pre_bytes = 0;
	line_reset(s);
	if (t == NULL)
		return;
	if (t->state == T_RECEIVING) {
		t->state = T_LOST;
		enqueue(s, I_END, t, 0, 0);
	}
	s->cur = NULL;
	ticket_unref(t);
}

/* Hang: nothing progresses until engine_thaw(). */
void
engine_freeze(struct sim *s, uint64_t now)
{
	s->hung_since = now;
}

void
engine_thaw(struct sim *s, uint64_t now)
{
	struct item	*it;
	uint64_t	 d = now - s->hung_since;

	TAILQ_FOREACH(it, &s->items, entry)
		it->done += d;
	if (s->engine_at > s->hung_since)
		s->engine_at += d;
	if (s->printing != NULL && s->printing->cut_done)
		s->printing->cut_at += d;
}

/* At exit: print what was received, as if the paper ran at once. */
void
engine_finish(struct sim *s)
{
	struct item	*it;
	uint64_t	 now = clock_mono_ns();

	s->hung = 0;
	engine_connection_lost(s);
	while ((it = TAILQ_FIRST(&s->items)) != NULL) {
		TAILQ_REMOVE(&s->items, it, entry);
		if (it->done > now)
			it->done = now;
		item_done(s, it);
	}
	if (s->printing != NULL)
		finalize(s, s->printing);
}

static void
item_done(struct sim *s, struct item *it)
{
	struct ticket	*t = it->t;
	unsigned	 i;

	if (t != NULL && t->finalized)
		t = NULL;	/* a late trailer: paper between tickets */
	if (s->printing != t && t != NULL) {
		if (s->printing != NULL)
			finalize(s, s->printing);
		s->printing = t;
		t->refs++;
	}
	s->backlog -= it->nbytes;
	switch (it->kind) {
	case I_LINE:
		if (it->text != NULL)
			write_line(s, t, it->text);
		if (t != NULL)
			t->blanks += it->blanks;
		else
			for (i = 0; i < it->blanks; i++)
				write_line(s, NULL, "");
		break;
	case I_FEED:
		break;
	case I_CUT:
		if (t == NULL)
			break;
		t->cut_done = 1;
		t->cut_at = it->done;
		t->end_ms = engine_real_ms(it->done);
		t->blanks = 0;	/* the margin to the cutter */
		break;
	case I_BUZZER:
		write_line(s, t, msg_buzzer);
		break;
	case I_ANSWER:
		if (t != NULL && t->discard != NULL)
			break;
		if (it->confirm && t != NULL && t->cut_done)
			finalize(s, t);
		if (it->gen == s->gen)
			sim_answer(s, it->answer, it->answerlen);
		break;
	case I_END:
		if (t != NULL) {
			t->end_ms = engine_real_ms(it->done);
			finalize(s, t);
		}
		break;
	}
	ticket_unref(it->t);
	free(it->text);
	free(it);
}

static void
out_line(struct sim *s, const char *text)
{
	fputs(text, s->out);
	putc('\n', s->out);
}

/* A line of ticket t on the paper (t NULL: between tickets). */
static void
write_line(struct sim *s, struct ticket *t, const char *text)
{
	if (t == NULL) {
		out_line(s, text);
		fflush(s->out);
		return;
	}
	for (; t->blanks > 0; t->blanks--, t->lines++)
		out_line(s, "");
	out_line(s, text);
	t->lines++;
}

/* The ticket is over: its end on the paper, its line in the log. */
static void
finalize(struct sim *s, struct ticket *t)
{
	const char	*status, *reason;
	char		 sep[SEPARATOR_LEN + 1];

	if (t->finalized)
		return;
	t->finalized = 1;
	t->blanks = 0;
	memset(sep, '=', SEPARATOR_LEN);
	sep[SEPARATOR_LEN] = '\0';
	if (t->discard != NULL) {
		status = "discarded";
		reason = t->discard;
		if (t->lines > 0) {
			out_line(s, msg_discarded);
			out_line(s, sep);
		}
		s->n_discarded++;
	} else if (!t->cut_done) {
		status = "incomplete";
		reason = "connection lost";
		out_line(s, msg_lost);
		out_line(s, sep);
		s->n_incomplete++;
	} else {
		status = "printed";
		reason = "";
		out_line(s, sep);
		s->n_printed++;
	}
	if (fflush(s->out) == EOF)
		log_warn("out");
	if (t->end_ms == 0)
		t->end_ms = engine_real_ms(clock_mono_ns());
	if (s->log != NULL) {
		fprintf(s->log, "{\"n\":%llu,\"start_ms\":%llu,"
		    "\"end_ms\":%llu,\"lines\":%u,\"bytes\":%zu,"
		    "\"status\":\"%s\",\"reason\":\"%s\"}\n",
		    (unsigned long long)t->seq,
		    (unsigned long long)t->start_ms,
		    (unsigned long long)t->end_ms, t->lines, t->bytes, status,
		    reason);
		if (fflush(s->log) == EOF)
			log_warn("log");
	}
	log_debug("ticket %llu %s (%u lines, %zu bytes)",
	    (unsigned long long)t->seq, status, t->lines, t->bytes);
	if (s->printing == t) {
		s->printing = NULL;
		ticket_unref(t);
	}
}
