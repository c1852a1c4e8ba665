/*
 * fastops-pos — the waiter's terminal.  Private to src/pos.
 *
 * One struct pos holds everything: the connection, the session, the menu
 * (catalog.c), the draft being written (draft.c, saved to disk after every
 * change), the waiter's orders as the daemon last told us (mine.c), and
 * the state of each screen: login (login.c), the order editor (editor.c,
 * also used to modify a sent order) and "Mis pedidos" (mine.c).
 *
 * Everything runs in one thread: ui_wait() blocks on the terminal, the
 * event socket and a timer; requests are synchronous with short
 * timeouts, and are not even tried while the daemon is known to be gone.
 */
#ifndef FASTOPS_POS_H
#define FASTOPS_POS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "fastops/client.h"
#include "menu.h"
#include "ui.h"

#define POS_PRODUCTS_MAX	MENU_PRODUCTS_MAX
#define POS_CATEGORIES_MAX	64
#define POS_ORDERS_MAX		FO_PER_PAGE_MAX	/* "Mis pedidos" */
#define POS_SEARCH_MAX		48		/* bytes typed to search */
#define POS_ROLE_MAX		16

/* Request timeouts (ms): the waiter is watching, so keep them short. */
#define POS_REQ_MS		4000
#define POS_SEND_MS		6000
#define POS_PROBE_MS		300

/* Timer periods (ms): a probe while disconnected, a health check (which
 * also notices a restarted daemon) and a resynchronisation otherwise. */
#define POS_TICK_DOWN_MS	1000
#define POS_TICK_UP_MS		5000
#define POS_RESYNC_MS		30000
#define POS_WATCH_MS		1000	/* fo_connected() checked */
#define POS_KICK_MS		5000	/* a probe while disconnected */

/* What F12 gives on the login screen, where every letter is text. */
#define POS_KEY_QUIT		0x11

enum pos_screen {
	SCREEN_LOGIN,
	SCREEN_EDIT,
	SCREEN_ORDERS
};

enum pos_type {
	TYPE_MESA,
	TYPE_LLEVAR,
	TYPE_DOMICILIO
};

struct pos_product {
	char		 id[CONFIG_NAME_MAX + 1];
	char		 name[MENU_NAME_MAX + 1];
	char		 fold[MENU_NAME_MAX + 1];	/* for searching */
	int		 category;			/* index */
	int		 price_cents;
};

struct catalog {
	struct pos_product	*products;		/* in menu order */
	size_t			 nproducts;
	char			 categories[POS_CATEGORIES_MAX]
				    [CONFIG_NAME_MAX + 1];
	size_t			 ncategories;
};

/* One line of a draft: a product, how many, a note for the cook. */
struct pos_line {
	char		 product[CONFIG_NAME_MAX + 1];
	char		 name[MENU_NAME_MAX + 1];
	int		 price_cents;
	int		 qty;		/* 0 only for a sent line to remove */
	int		 sent_qty;	/* modify: what the kitchen has */
	char		 notes[FO_NOTES_MAX + 1];
};

/*
 * An order being written, or a change to a sent one (order_id != 0).
 *
 * The uuid is what makes sending safe to repeat: it is created with the
 * draft and kept until the daemon acknowledges the order, so a send that
 * got no answer (pending, maybe_sent) is simply sent again when the
 * daemon is back, and the daemon answers with the order it already has.
 */
struct pos_draft {
	char		 uuid[FO_UUID_LEN + 1];
	enum pos_type	 type;
	char		 table[FO_TABLE_MAX + 1];
	char		 notes[FO_NOTES_MAX + 1];
	struct pos_line	 lines[FO_ITEMS_MAX];
	int		 nlines;
	int		 pending;	/* to be sent as soon as possible */
	int		 maybe_sent;	/* a send may have reached the daemon */
	json_int_t	 order_id;	/* modify: the order */
	char		 number[32];	/* modify: "M-0042" */
};

/* An order of mine, as the daemon last described it. */
struct mine_order {
	json_t		*o;		/* the order object */
	json_int_t	 id;
	uint64_t	 seq;		/* of the event it came with; 0: reply */
};

struct pos {
	struct ui		 ui;
	struct fo_client	*c;
	const char		*config;
	int			 evfd;

	/* connection */
	int			 connected;	/* as last shown */
	json_int_t		 daemon_pid;	/* notices restarts */
	uint64_t		 next_tick;	/* ms */
	uint64_t		 next_kick;	/* probe while disconnected */
	uint64_t		 next_resync;
	uint64_t		 next_retry;	/* of a pending send */
	int			 minute;	/* of the clock last drawn */
	uint64_t		 flash_ms;	/* when the last flash was set */

	/* session */
	char			 user[FO_NAME_MAX + 1];
	char			 role[POS_ROLE_MAX];
	char			*token;
	char			 statedir[PATH_MAX];

	enum pos_screen		 screen;
	struct catalog		 cat;
	struct pos_draft	 draft;		/* the new order, on disk */
	struct pos_draft	 mod;		/* a change to a sent order */
	struct pos_draft	*ed;		/* &draft or &mod */

	struct mine_order	 mine[POS_ORDERS_MAX];
	size_t			 nmine;

	/* the acknowledgement box of the last order sent */
	int			 ack_shown;
	json_int_t		 ack_id;
	char			 ack_text[160];

	/* a ticket that went to the kitchen screen: shown until seen */
	char			 alert[160];

	/* login screen */
	struct {
		char		 user[FO_NAME_MAX + 1];
		char		 pin[FO_PIN_MAX + 1];
		int		 field;		/* 0 user, 1 PIN */
		char		 error[160];
	} login;

	/* editor screen */
	struct {
		int		 category;
		int		 sel;		/* in the visible products */
		int		 top;
		int		 line;		/* selected draft line */
		int		 focus;		/* 0 menu, 1 draft */
		int		 searching;
		char		 search[POS_SEARCH_MAX + 1];
		size_t		 vis[POS_PRODUCTS_MAX];
		size_t		 nvis;
	} edit;

	/* "Mis pedidos" */
	struct {
		int		 sel;
		int		 top;
	} list;
};

/* pos.c */
int		 pos_request(struct pos *, json_t *, json_t **, int);
void		 pos_refused(struct pos *, const char *, const json_t *);
void		 pos_flash(struct pos *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 pos_set_screen(struct pos *, enum pos_screen);
int		 pos_start_session(struct pos *);
void		 pos_money(const struct pos *, char *, size_t, long long);
const char	*pos_type_name(enum pos_type);
const char	*pos_type_label(enum pos_type);

/* login.c */
void		 login_draw(struct pos *);
void		 login_key(struct pos *, int);

/* catalog.c */
int		 catalog_load(struct catalog *, const json_t *);
void		 catalog_free(struct catalog *);
void		 catalog_fold(char *, size_t, const char *);

/* draft.c */
void		 draft_init(struct pos_draft *);
int		 draft_add(struct pos_draft *, const struct pos_product *);
long long	 draft_total(const struct pos_draft *);
int		 draft_changed(const struct pos_draft *);
json_t		*draft_create_req(const struct pos_draft *);
json_t		*draft_modify_req(const struct pos_draft *);
int		 draft_from_order(struct pos_draft *, const json_t *);
int		 draft_save(struct pos *);
int		 draft_load(struct pos *);
void		 draft_send(struct pos *);

/* editor.c */
void		 editor_draw(struct pos *);
void		 editor_key(struct pos *, int);
void		 editor_mouse(struct pos *, int, int);
void		 editor_reset(struct pos *);

/* mine.c */
void		 mine_clear(struct pos *);
int		 mine_refresh(struct pos *, int);
void		 mine_update(struct pos *, const json_t *, uint64_t, int);
void		 mine_event(struct pos *, const char *, const json_t *);
const json_t	*mine_get(const struct pos *, json_int_t);
void		 mine_state(const struct pos *, const json_t *, char *,
		    size_t, int *);
void		 mine_draw(struct pos *);
void		 mine_key(struct pos *, int);
void		 mine_mouse(struct pos *, int, int);

#endif
