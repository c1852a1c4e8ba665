/*
 * fastops-kds — the kitchen display.
 *
 * board.c keeps the orders the daemon told us about (order.list at start
 * and after every reconnection, then order.* and job.* events) and turns
 * them into cards: one order at one station, in the order a cook works
 * them.  It knows nothing of curses.  draw.c lays the cards out on the
 * screen; kds.c is main(), the command line, the requests and the keys.
 */
#ifndef FASTOPS_KDS_H
#define FASTOPS_KDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "ui.h"

#define KDS_RECALL_MAX		16	/* bumped cards r can bring back */
#define KDS_CANCEL_KEEP_S	3600	/* a cancellation card's longest life */
#define KDS_FETCH_PAGES		50	/* of 100 orders: the newest 5000 */
#define KDS_NUMBER_DIGITS	6	/* typed order number */

/* What staff read, in one place. */
#define T_TITLE		"KDS"
#define T_ALL		"TODAS"
#define T_ORDER		"pedido"
#define T_ORDERS	"pedidos"
#define T_PAGE		"pág"
#define T_EMPTY		"No hay pedidos pendientes"
#define T_OFFLINE	"SIN CONEXIÓN: los datos pueden no estar al día"
#define T_URGENT	"URGENTE"
#define T_MODIFY	"MODIFICACIÓN"
#define T_CANCEL	"CANCELACIÓN"
#define T_FALLBACK	"NO IMPRESO — EN PANTALLA"
#define T_REPRINT	"REIMPRESIÓN"
#define T_RECALLED	"RECUPERADO"
#define T_NOTE		"Nota:"
#define T_CHANGES	"Cambios:"
#define T_MORE		"… %d líneas más"
#define T_MESA		"Mesa"
#define T_LLEVAR	"Llevar"
#define T_DOMICILIO	"Domicilio"
#define T_PREPARING	"en preparación"
#define T_PENDING	"en cola"
#define T_PRINTING	"imprimiendo"
#define T_PRINTED	"impreso"
#define T_FAILED	"error de impresión"
#define T_NOTPRINTED	"no impreso"
#define T_CANCELLED	"cancelado"

/* What the kitchen screen keeps for one order at one station. */
struct kds_station {
	json_t		*ticket;	/* job.fallback's ticket, or NULL */
	int64_t		 cancel_seen;	/* unix s the cancellation came */
	int		 dismissed;	/* cancellation card bumped */
	int		 recalled;	/* shown again although bumped */
};

struct kds_order {
	int64_t			 id;
	json_t			*o;	/* the daemon's order object */
	int			 mark;	/* seen in the last order.list */
	struct kds_station	 st[CONFIG_STATIONS_MAX];
};

#define CARD_URGENT	0x01
#define CARD_MODIFY	0x02
#define CARD_CANCEL	0x04
#define CARD_FALLBACK	0x08	/* not printed and not acknowledged */
#define CARD_PREPARING	0x10	/* acknowledged: en preparación */
#define CARD_REPRINT	0x20
#define CARD_RECALLED	0x40

/* One order at one station, as shown. */
struct kds_card {
	struct kds_order	*ord;
	int			 station;	/* index in config.station[] */
	int			 flags;		/* CARD_* */
	int64_t			 created;	/* unix s */
	long			 num;		/* 42 for M-0042 */
};

struct board {
	const struct config	*cfg;
	uint32_t		 show;		/* stations on this screen */
	struct kds_order	**v;
	size_t			 n;
	struct kds_card		*cards;		/* board_build() */
	size_t			 ncards;
	struct {
		int64_t		 id;
		int		 station;
	}			 recall[KDS_RECALL_MAX]; /* newest last */
	int			 nrecall;
};

void	 board_init(struct board *, const struct config *, uint32_t show);
void	 board_free(struct board *);
/*
 * Replace everything with an order.list result (orders is borrowed).
 * Returns 1 if anything changed, else 0.
 */
int	 board_load(struct board *, json_t *orders, int64_t now);
/* An order from an event or a reply (borrowed). */
void	 board_order(struct board *, json_t *order, int64_t now);
/* A job.* event: its status, and a fallback's ticket (borrowed). */
void	 board_job(struct board *, const char *kind, json_t *ev,
	    int64_t now);
/* Rebuild cards[] in display order and forget what nobody shows. */
void	 board_build(struct board *, int64_t now);
/* A card was bumped to listo: remember it for recall. */
void	 board_bumped(struct board *, const struct kds_card *);
/*
 * Bring back the last bumped card not on screen; 0 with *id and *station
 * set, -1 when there is none.  Call board_build() after.
 */
int	 board_recall(struct board *, int64_t *id, int *station);
/* The card of an order at a station, or -1. */
long	 board_find(const struct board *, int64_t id, int station);

/* Reading the daemon's JSON: "" and 0 for what is missing. */
/* Has a JSON array of station names this station? */
int		 kds_has_station(const struct config *, const json_t *arr,
		    int station);

/* The screen.  draw.c */
struct kds_rect {
	int	y, x, h, w, col;
};

struct kds_view {
	int		 large;		/* large-text mode */
	int		 warn_s;	/* age turns yellow */
	int		 late_s;	/* age turns red */
	int		 multi;		/* more than one station shown */
	int		 offline;	/* say the data may be stale */
	long		 sel;		/* selected card, -1: none */
	/* set by draw_board() */
	size_t		 top;		/* first card on screen */
	size_t		 shown;		/* cards on screen from top */
	size_t		 ncards;
	long		 prev;		/* first card of the page before, -1 */
	int		 page, npages;
	int		 ncols;
	struct kds_rect	*rect;		/* of cards top .. top+shown-1 */
};

/*
 * Draw the cards between the title and the flash line: the page that holds
 * the selected card.  Sets the view's page fields.
 */
void	 draw_board(struct ui *, struct kds_view *, const struct board *,
	    int64_t now);
void	 draw_free(struct kds_view *);
/* The card on screen nearest a point, -1 if none. */
long	 draw_hit(const struct kds_view *, int y, int x);
/* The card beside the selected one in direction dx (-1, 1). */
long	 draw_beside(const struct kds_view *, int dx);

#endif
