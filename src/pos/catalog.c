/*
 * catalog — the menu as the daemon sent it ({"op":"menu"}), by category,
 * and searching it by name the way a waiter types: without accents or
 * capitals ("pina" finds "Piña colada").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "xmalloc.h"

static int	category_index(struct catalog *, const char *);
static int	copy_str(char *, size_t, const json_t *);

/*
 * Fold UTF-8 text for searching: ASCII lower case, the Spanish (and
 * Latin-1) accented letters to their base letter, anything else that is
 * not ASCII dropped.  Always NUL-terminates.
 */
void
catalog_fold(char *out, size_t len, const char *in)
{
	/* U+00C0..U+00FF, second byte 0x80..0xbf after 0xc3 */
	static const char latin1[] =
	    "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
	    "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 n = 0;
	char			 c;

	if (len == 0)
		return;
	while (*s != '\0' && n + 1 < len) {
		if (*s < 0x80) {
			c = (char)*s++;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			out[n++] = c;
		} else if (*s == 0xc3 && s[1] >= 0x80 && s[1] <= 0xbf) {
			out[n++] = latin1[s[1] - 0x80];
			s += 2;
		} else {
			/* skip one whole character */
			s++;
			while ((*s & 0xc0) == 0x80)
				s++;
		}
	}
	out[n] = '\0';
}

static int
category_index(struct catalog *cat, const char *name)
{
	size_t	i;

	for (i = 0; i < cat->ncategories; i++)
		if (strcmp(cat->categories[i], name) == 0)
			return (int)i;
	if (cat->ncategories == POS_CATEGORIES_MAX)
		return -1;
	snprintf(cat->categories[cat->ncategories],
	    sizeof(cat->categories[0]), "%s", name);
	return (int)cat->ncategories++;
}

/* A JSON string that fits, or -1. */
static int
copy_str(char *buf, size_t len, const json_t *v)
{
	const char	*s = json_string_value(v);

	if (s == NULL || *s == '\0' || strlen(s) >= len)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/*
 * Fill cat from a menu reply: {"categories":[...], "products":[{"id",
 * "name", "category", "price_cents"}...]}.  Every field is checked; -1
 * (EINVAL) for a menu this terminal cannot show, leaving cat empty.
 */
int
catalog_load(struct catalog *cat, const json_t *reply)
{
	const json_t		*arr, *v;
	struct pos_product	*pr;
	char			 name[CONFIG_NAME_MAX + 1];
	json_int_t		 price;
	size_t			 i;

	memset(cat, 0, sizeof(*cat));
	arr = json_object_get(reply, "categories");
	if (json_is_array(arr)) {
		json_array_foreach(arr, i, v) {
			if (copy_str(name, sizeof(name), v) == -1 ||
			    category_index(cat, name) == -1)
				goto bad;
		}
	}
	arr = json_object_get(reply, "products");
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > POS_PRODUCTS_MAX)
		goto bad;
	cat->products = xcalloc(json_array_size(arr), sizeof(*pr));
	json_array_foreach(arr, i, v) {
		pr = &cat->products[i];
		price = json_integer_value(json_object_get(v, "price_cents"));
		if (!json_is_object(v) ||
		    copy_str(pr->id, sizeof(pr->id),
		    json_object_get(v, "id")) == -1 ||
		    copy_str(pr->name, sizeof(pr->name),
		    json_object_get(v, "name")) == -1 ||
		    copy_str(name, sizeof(name),
		    json_object_get(v, "category")) == -1 ||
		    !json_is_integer(json_object_get(v, "price_cents")) ||
		    price < 0 || price > MENU_PRICE_MAX ||
		    (pr->category = category_index(cat, name)) == -1)
			goto bad;
		pr->price_cents = (int)price;
		catalog_fold(pr->fold, sizeof(pr->fold), pr->name);
		cat->nproducts++;
	}
	return 0;

bad:
	catalog_free(cat);
	errno = EINVAL;
	return -1;
}

void
catalog_free(struct catalog *cat)
{
	free(cat->products);
	memset(cat, 0, sizeof(*cat));
}
