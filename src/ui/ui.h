/*
 * ui — what fastops-pos, fastops-kds and fastops-top share on screen.
 *
 * ncursesw, UTF-8 with an ASCII fallback (a terminal whose locale is not
 * UTF-8 gets "a" for "á" and "-" for "─"), 8 colours or monochrome
 * (--mono, NO_COLOR, or a terminal without colours), resize-safe, F-keys
 * with letter aliases, a "?" help overlay, and a main loop that blocks in
 * poll(2) on the terminal, the client's event descriptor and a timer, so
 * an idle screen costs nothing: programs redraw only when something
 * changed (ui->dirty).
 *
 * Call setlocale(LC_ALL, "") first thing in main(), before ui_init().
 * Text given to the ui_* functions is UTF-8; they clip it to the columns
 * given (never splitting a character) and transliterate it when the
 * terminal cannot show UTF-8.  What staff read is Spanish.
 */
#ifndef FASTOPS_UI_H
#define FASTOPS_UI_H

#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "fastops/client.h"

/* Colour roles; without colours each maps to an attribute (bold, reverse,
 * underline, dim) so meaning survives on a monochrome screen. */
enum ui_role {
	UI_NORMAL,
	UI_TITLE,	/* the top bar */
	UI_STATUS,	/* the bottom bar */
	UI_SELECT,	/* the highlighted line or card */
	UI_OK,		/* printed, ready, connected (green) */
	UI_WARN,	/* late, slow, half-open (yellow) */
	UI_ALERT,	/* fallback, failed, disconnected (red) */
	UI_URGENT,	/* urgent tickets (red, bold) */
	UI_INFO,	/* modifications, secondary (cyan) */
	UI_DIM,		/* less important text */
	UI_NROLES
};

struct ui {
	int		 color;		/* colours in use */
	int		 utf8;		/* the terminal shows UTF-8 */
	int		 rows, cols;	/* screen size, updated on resize */
	int		 dirty;		/* redraw before waiting again */
	int		 quit;		/* set by a program to leave its loop */
	uint64_t	 now_ms;	/* CLOCK_REALTIME ms at the last wake-up */
};

/*
 * Start curses: cbreak, noecho, keypad, no cursor, colours unless mono
 * (mono also when NO_COLOR is set or the terminal has no colours), mouse
 * clicks where the terminal reports them.  Returns 0, or -1 with a
 * message on stderr (not a terminal, too small: at least 80x24).
 */
int	 ui_init(struct ui *, int mono);
/* Leave curses and restore the terminal (also safe after a signal). */
void	 ui_end(void);

/* The attribute of a role (colour pair or monochrome attribute). */
int	 ui_attr(const struct ui *, enum ui_role);

/*
 * Keys.  ui_key() reads one key without waiting (ERR when none) and maps
 * the F-keys to their letter aliases, so programs handle letters only:
 * F1 -> '?', F2..F12 -> the letters given by ui_fkeys() (a program sets
 * its own map), KEY_RESIZE updates rows/cols and sets dirty (and is
 * returned too).  Mouse clicks come back as KEY_MOUSE (see ui_mouse()).
 * Unmapped F-keys and characters past U+00FF come back as ERR.  It reads
 * from stdscr, which curses refreshes first if it changed: draw on
 * stdscr.  After ui_wait() says UI_WAKE_KEY, call ui_key() until ERR: a
 * key curses has already buffered does not wake poll(2) again.
 */
int	 ui_key(struct ui *);
void	 ui_fkeys(const char map[13]);	/* map[n]: the letter for Fn */
/* The position of the last click, after ui_key() returned KEY_MOUSE;
 * -1 if there was none. */
int	 ui_mouse(int *y, int *x);

/*
 * Wait until the terminal has input, an event is waiting on event_fd
 * (-1: none), or timeout_ms passed (-1: no timeout).  Returns a mask of
 * UI_WAKE_* and sets ui->now_ms.  SIGWINCH also wakes it (the resize
 * comes as KEY_RESIZE from ui_key()).  SIGINT, SIGTERM and SIGHUP wake
 * it too and set ui->quit.  The wait is cut short when a flash line
 * (ui_flash) expires, and ui->dirty set so the screen loses it.
 */
#define UI_WAKE_KEY	0x1
#define UI_WAKE_EVENT	0x2
#define UI_WAKE_TIMER	0x4
int	 ui_wait(struct ui *, int event_fd, int timeout_ms);

/*
 * Write UTF-8 text at y,x clipped to width columns (the rest of the
 * width is left as it was, unless pad: then filled with spaces), with
 * attribute attr.  Transliterated when !ui->utf8.  Returns the columns
 * written.
 */
int	 ui_text(const struct ui *, WINDOW *, int y, int x, int width,
	    int attr, int pad, const char *utf8);
/* printf-style ui_text. */
int	 ui_textf(const struct ui *, WINDOW *, int y, int x, int width,
	    int attr, int pad, const char *fmt, ...)
	    __attribute__((format(printf, 8, 9)));
/* Columns a UTF-8 string takes. */
int	 ui_width(const char *utf8);
/* A glyph: utf8 on a UTF-8 terminal, ascii otherwise ("✓" / "v"). */
const char *ui_glyph(const struct ui *, const char *utf8,
	    const char *ascii);
/* A horizontal line of width columns (─ or -). */
void	 ui_hline(const struct ui *, WINDOW *, int y, int x, int width,
	    int attr);
/* A box (┌─┐ or +-+) around the rectangle. */
void	 ui_box(const struct ui *, WINDOW *, int y, int x, int h, int w,
	    int attr);

/*
 * The top bar: title left, the connection state right ("conectado" in
 * green / "SIN CONEXIÓN — reintentando" in red), and the time.
 * connected < 0 shows no connection state (a view that needs none).
 */
void	 ui_titlebar(const struct ui *, const char *title, int connected);
/* The bottom bar: key hints, e.g. "F1/? ayuda  q salir". */
void	 ui_statusbar(const struct ui *, const char *hints);
/* A one-line message above the status bar for a few seconds (errors in
 * UI_ALERT, confirmations in UI_OK); ui_flash_draw() draws it if due. */
void	 ui_flash(struct ui *, int role, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 ui_flash_draw(struct ui *);
/* 1 while a flash line is showing. */
int	 ui_flash_active(const struct ui *);

/*
 * When the terminal is smaller than 80x24 (after a resize), draw a short
 * notice on a blank stdscr and return 1: the program draws nothing else
 * and refreshes.  0 when the size is fine.
 */
int	 ui_too_small(struct ui *);

/*
 * Help overlay: a centred box with title and lines, until a key.
 * Blocking is fine here: nothing else needs the screen meanwhile.
 */
void	 ui_help(struct ui *, const char *title, const char *const *lines);
/*
 * Ask yes/no in a centred box ("¿Cancelar el pedido M-0042? (s/n)").
 * Returns 1 for s/S/y/Y, 0 otherwise.
 */
int	 ui_confirm(struct ui *, const char *question);
/*
 * Read a line of UTF-8 text into buf (size bytes) at y,x, width columns,
 * with the current value as the start; Enter accepts (returns 1), Esc
 * cancels (returns 0).  Backspace removes a whole character.
 */
int	 ui_input(struct ui *, int y, int x, int width, char *buf,
	    size_t size);

/* Age "3:07" (m:ss) or "1h05" of a number of seconds. */
void	 ui_age(char *buf, size_t size, int64_t seconds);

/* Common command-line handling: -f FILE, --mono, --help, --version. */
struct ui_opts {
	const char	*config;	/* -f FILE, or NULL */
	int		 mono;		/* --mono */
};

#endif
