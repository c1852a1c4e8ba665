/*
 * menu — the products a waiter can order, from menu.csv.
 *
 * The file is UTF-8 CSV with a header line, exactly
 *
 *	id,name,category,price_cents
 *
 * then one product per line.  Fields may be quoted ("Café, doble"), with ""
 * for a quote inside quotes; lines starting with '#' and blank lines are
 * ignored.  Every mistake is reported as "FILE:LINE: message", all of them
 * at once, and any mistake makes menu_load() fail: a menu half loaded would
 * let a waiter order what the kitchen never sees.
 *
 * A product is found by its id or, for people and scripts, by its name
 * (ASCII letters compared without case).  Categories are routed to
 * stations by fastops.ini's [routing]; menu_check_routes() says which are
 * not.
 */
#ifndef FASTOPS_MENU_H
#define FASTOPS_MENU_H

#include <stddef.h>

#include "config.h"

#define MENU_NAME_MAX		64	/* bytes of a product name */
#define MENU_PRICE_MAX		10000000 /* cents */
#define MENU_PRODUCTS_MAX	2000
#define MENU_LINE_MAX		1024

struct menu_product {
	char		 id[CONFIG_NAME_MAX + 1];
	char		 name[MENU_NAME_MAX + 1];
	char		 category[CONFIG_NAME_MAX + 1];
	int		 price_cents;
	int		 category_index; /* in menu_category() order */
	int		 line;
};

struct menu_category {
	const char			 *name;
	int				  line;	/* first product in it */
	size_t				  nproducts;
	const struct menu_product	**products; /* in file order */
};

struct menu;

/*
 * Read a menu.  On success *out is the menu (free with menu_free) and
 * *errors NULL; on failure -1 with errno set (EINVAL for a bad file), *out
 * NULL and *errors a malloc'd list of "FILE:LINE: message" lines, one per
 * mistake, that the caller frees.
 */
int		 menu_load(const char *path, struct menu **out, char **errors);
void		 menu_free(struct menu *);

/* Products in file order: 0 <= i < menu_count(). */
size_t		 menu_count(const struct menu *);
const struct menu_product *menu_product(const struct menu *, size_t i);

/* By id (exact), else by name (ASCII case-insensitive); NULL if neither. */
const struct menu_product *menu_find(const struct menu *, const char *);

/* Categories in the order they first appear, for the POS's tabs. */
size_t		 menu_ncategories(const struct menu *);
const struct menu_category *menu_category(const struct menu *, size_t i);

/*
 * Check that [routing] sends every category to a station.  Returns the
 * number of unrouted categories; if any, *errors is a malloc'd list of
 * "MENUFILE:LINE: category 'x' has no station in [routing] of CONFIG"
 * lines (LINE: its first product), else NULL.
 */
int		 menu_check_routes(const struct menu *, const struct config *,
		    char **errors);

#endif
