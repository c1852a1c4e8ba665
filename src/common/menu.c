/*
 * menu — reading menu.csv.  See menu.h.
 *
 * The products live in one array in file order.  Two sorted arrays of
 * pointers serve lookups by id and by name, and the same sort finds
 * duplicates: they end up side by side.  Errors are collected with their
 * line and sorted at the end, so the admin reads them top to bottom
 * whichever check found them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "errlist.h"
#include "menu.h"
#include "xmalloc.h"

#define MENU_FIELDS	4
#define MENU_HEADER	"id,name,category,price_cents"
#define MENU_ERRORS_MAX	50

static const char *const columns[MENU_FIELDS] = {
	"id", "name", "category", "price_cents"
};

struct menu {
	char			 *path;		/* as given: messages */
	struct menu_product	 *products;
	size_t			  nproducts;
	const struct menu_product **by_id;
	const struct menu_product **by_name;
	struct menu_category	 *categories;
	size_t			  ncategories;
};

struct mparser {
	const char	*file;
	struct errlist	 el;		/* mistakes found so far */
};

static void	 merr(struct mparser *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 csv_split(char *, char **, int, int *, const char **);
static int	 parse_product(struct mparser *, int, char **,
		    struct menu_product *);
static void	 index_products(struct mparser *, struct menu *);
static void	 build_categories(struct menu *);
static int	 ascii_casecmp(const char *, const char *);

/*
 * Record an error.  After MENU_ERRORS_MAX the file is probably not a menu
 * at all; stop, rather than print a line per line of it.
 */
static void
merr(struct mparser *mp, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	errlist_vadd(&mp->el, line, fmt, ap);
	va_end(ap);
}

/* Compare folding ASCII letters only: the same in every locale. */
static int
ascii_casecmp(const char *a, const char *b)
{
	unsigned char	ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

/*
 * Split one CSV line into fields, in place, RFC 4180 style: a field may be
 * quoted, "" is a quote inside quotes; blanks around fields are dropped.
 * *n is the number of fields found, even past max (only max are stored).
 */
static int
csv_split(char *s, char **f, int max, int *n, const char **why)
{
	char	*w, *start;
	char	 sep;

	*n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		start = w = s;
		if (*s == '"') {
			for (s++;; ) {
				if (*s == '\0') {
					*why = "a quoted field is not closed";
					return -1;
				}
				if (*s == '"') {
					if (s[1] != '"')
						break;
					s++;
				}
				*w++ = *s++;
			}
			s++;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s != ',' && *s != '\0') {
				*why = "unexpected text after a closing quote";
				return -1;
			}
		} else {
			while (*s != ',' && *s != '\0') {
				if (*s == '"') {
					*why = "a quote inside an unquoted "
					    "field (quote the whole field and "
					    "double the quote: \"\")";
					return -1;
				}
				*w++ = *s++;
			}
			while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		sep = *s;
		*w = '\0';
		if (*n < max)
			f[*n] = start;
		(*n)++;
		if (sep == '\0')
			return 0;
		s++;
	}
}

/* Check one product line's fields and fill p; 0 if all is well. */
static int
parse_product(struct mparser *mp, int line, char **f, struct menu_product *p)
{
	const char	*q;
	char		*end;
	long long	 v;
	size_t		 len;
	int		 bad = 0;

	memset(p, 0, sizeof(*p));
	p->line = line;
	if (!config_valid_name(f[0], CONFIG_NAME_MAX)) {
		merr(mp, line, "id '%s' is not valid: use 1 to %d characters "
		    "from a-z, 0-9, '_' and '-'", f[0], CONFIG_NAME_MAX);
		bad = 1;
	} else
		strcpy(p->id, f[0]);

	len = strlen(f[1]);
	if (len == 0) {
		merr(mp, line, "the name is empty");
		bad = 1;
	} else if (len > MENU_NAME_MAX) {
		merr(mp, line, "name '%s' is too long (%zu bytes; at most %d)",
		    f[1], len, MENU_NAME_MAX);
		bad = 1;
	} else {
		for (q = f[1]; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				break;
		if (*q != '\0') {
			merr(mp, line, "name '%s' contains control characters",
			    f[1]);
			bad = 1;
		} else
			strcpy(p->name, f[1]);
	}

	if (!config_valid_name(f[2], CONFIG_NAME_MAX)) {
		merr(mp, line, "category '%s' is not valid: use 1 to %d "
		    "characters from a-z, 0-9, '_' and '-'", f[2],
		    CONFIG_NAME_MAX);
		bad = 1;
	} else
		strcpy(p->category, f[2]);

	errno = 0;
	v = strtoll(f[3], &end, 10);
	if (f[3][0] < '0' || f[3][0] > '9' || *end != '\0' || errno != 0) {
		if (strpbrk(f[3], ".,") != NULL)
			merr(mp, line, "price_cents '%s' is not a whole number "
			    "of cents (12.50 is written 1250)", f[3]);
		else
			merr(mp, line, "price_cents '%s' is not a whole number "
			    "of cents", f[3]);
		bad = 1;
	} else if (v > MENU_PRICE_MAX) {
		merr(mp, line, "price_cents %lld is out of range (0..%d)", v,
		    MENU_PRICE_MAX);
		bad = 1;
	} else
		p->price_cents = (int)v;
	return bad ? -1 : 0;
}

static int
by_id_cmp(const void *a, const void *b)
{
	const struct menu_product *const *x = a, *const *y = b;
	int	c;

	if ((c = strcmp((*x)->id, (*y)->id)) != 0)
		return c;
	return (*x)->line - (*y)->line;
}

static int
by_name_cmp(const void *a, const void *b)
{
	const struct menu_product *const *x = a, *const *y = b;
	int	c;

	if ((c = ascii_casecmp((*x)->name, (*y)->name)) != 0)
		return c;
	return (*x)->line - (*y)->line;
}

static const struct menu_product *
find_name(const struct menu *m, const char *name)
{
	size_t	lo = 0, hi = m->nproducts, mid;
	int	c;

	/* Lower bound, so that of equal names the first line wins. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ascii_casecmp(m->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nproducts &&
	    (c = ascii_casecmp(m->by_name[lo]->name, name)) == 0)
		return m->by_name[lo];
	return NULL;
}

static const struct menu_product *
find_id(const struct menu *m, const char *id)
{
	size_t	lo = 0, hi = m->nproducts, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(m->by_id[mid]->id, id)) == 0)
			return m->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Sort the lookup indexes and report what would make a lookup ambiguous:
 * the same id twice, the same name twice, or an id that is another
 * product's name.
 */
static void
index_products(struct mparser *mp, struct menu *m)
{
	const struct menu_product	*p, *q;
	size_t				 i;

	m->by_id = xcalloc(m->nproducts, sizeof(*m->by_id));
	m->by_name = xcalloc(m->nproducts, sizeof(*m->by_name));
	for (i = 0; i < m->nproducts; i++)
		m->by_id[i] = m->by_name[i] = &m->products[i];
	qsort(m->by_id, m->nproducts, sizeof(*m->by_id), by_id_cmp);
	qsort(m->by_name, m->nproducts, sizeof(*m->by_name), by_name_cmp);
	for (i = 1; i < m->nproducts; i++) {
		p = m->by_id[i - 1];
		q = m->by_id[i];
		if (strcmp(p->id, q->id) == 0)
			merr(mp, q->line, "id '%s' is already used at line %d",
			    q->id, p->line);
		p = m->by_name[i - 1];
		q = m->by_name[i];
		if (ascii_casecmp(p->name, q->name) == 0)
			merr(mp, q->line, "name '%s' is already used at line %d"
			    "%s", q->name, p->line, strcmp(p->name, q->name) ?
			    " (names are compared without case)" : "");
	}
	for (i = 0; i < m->nproducts; i++) {
		p = &m->products[i];
		/* (a duplicate id is reported above already) */
		if ((q = find_name(m, p->id)) != NULL && q != p &&
		    strcmp(q->id, p->id) != 0)
			merr(mp, p->line, "id '%s' is also the name of the "
			    "product at line %d, so looking it up would be "
			    "ambiguous", p->id, q->line);
	}
}

/* Categories in order of first appearance, each with its products. */
static void
build_categories(struct menu *m)
{
	struct menu_product	*p;
	struct menu_category	*c;
	size_t			 i, j;

	m->categories = xcalloc(m->nproducts, sizeof(*m->categories));
	for (i = 0; i < m->nproducts; i++) {
		p = &m->products[i];
		for (j = 0; j < m->ncategories; j++)
			if (strcmp(m->categories[j].name, p->category) == 0)
				break;
		if (j == m->ncategories) {
			c = &m->categories[m->ncategories++];
			c->name = p->category;
			c->line = p->line;
			c->products = xcalloc(m->nproducts,
			    sizeof(*c->products));
		}
		c = &m->categories[j];
		p->category_index = (int)j;
		c->products[c->nproducts++] = p;
	}
}

int
menu_load(const char *path, struct menu **out, char **errors)
{
	struct mparser		 mp;
	struct menu		*m;
	struct menu_product	 prod;
	struct stat		 sb;
	FILE			*fp;
	char			*buf = NULL, *s, *f[MENU_FIELDS];
	const char		*why;
	size_t			 bufsz = 0, len, cap = 0;
	ssize_t			 n;
	int			 line = 0, header = 0, nf, i, saved = EINVAL;

	*out = NULL;
	*errors = NULL;
	memset(&mp, 0, sizeof(mp));
	mp.file = path;
	errlist_init(&mp.el, path, MENU_ERRORS_MAX);
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);

	if ((fp = fopen(path, "re")) == NULL) {
		saved = errno;
		merr(&mp, 0, "%s", strerror(errno));
		goto fail;
	}
	if (fstat(fileno(fp), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		merr(&mp, 0, "not a regular file");
		goto fail;
	}
	while (!mp.el.stop && (n = getline(&buf, &bufsz, fp)) != -1) {
		line++;
		len = (size_t)n;
		s = buf;
		if (len > 0 && s[len - 1] == '\n')
			s[--len] = '\0';
		if (len > 0 && s[len - 1] == '\r')
			s[--len] = '\0';
		if (strlen(s) != len) {
			merr(&mp, line, "the line contains a NUL byte");
			continue;
		}
		if (line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			len -= 3;
		}
		if (len > MENU_LINE_MAX) {
			merr(&mp, line, "the line is too long (%zu bytes; at "
			    "most %d)", len, MENU_LINE_MAX);
			continue;
		}
		if (!config_valid_utf8(s, len)) {
			merr(&mp, line, "the line is not valid UTF-8 (save the "
			    "file as UTF-8)");
			continue;
		}
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if (csv_split(s, f, MENU_FIELDS, &nf, &why) == -1) {
			merr(&mp, line, "%s", why);
			if (!header)
				header = 1;
			continue;
		}
		if (!header) {
			header = 1;
			for (i = 0; i < nf && i < MENU_FIELDS; i++)
				if (ascii_casecmp(f[i], columns[i]) != 0)
					break;
			if (nf != MENU_FIELDS || i != MENU_FIELDS)
				merr(&mp, line, "the first line must be the "
				    "header " MENU_HEADER);
			continue;
		}
		if (nf != MENU_FIELDS) {
			merr(&mp, line, "%d field%s; a product has 4: "
			    MENU_HEADER " (quote a name that has a comma)",
			    nf, nf == 1 ? "" : "s");
			continue;
		}
		if (parse_product(&mp, line, f, &prod) == -1)
			continue;
		if (m->nproducts == MENU_PRODUCTS_MAX) {
			merr(&mp, line, "too many products (at most %d)",
			    MENU_PRODUCTS_MAX);
			break;
		}
		if (m->nproducts == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			m->products = xreallocarray(m->products, cap,
			    sizeof(*m->products));
		}
		m->products[m->nproducts++] = prod;
	}
	if (ferror(fp)) {
		saved = errno;
		merr(&mp, 0, "read error: %s", strerror(errno));
	}
	if (!header)
		merr(&mp, 0, "the file is empty; it needs the header "
		    MENU_HEADER " and one line per product");
	else if (m->nproducts == 0 && mp.el.n == 0)
		merr(&mp, 0, "there are no products");
	if (m->nproducts > 0 && !mp.el.stop) {
		index_products(&mp, m);
		build_categories(m);
	}
	if (mp.el.n > 0)
		goto fail;
	fclose(fp);
	free(buf);
	*out = m;
	return 0;
fail:
	if (fp != NULL)
		fclose(fp);
	free(buf);
	*errors = errlist_join(&mp.el);
	menu_free(m);
	errno = saved;
	return -1;
}

void
menu_free(struct menu *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncategories; i++)
		free(m->categories[i].products);
	free(m->categories);
	free(m->by_id);
	free(m->by_name);
	free(m->products);
	free(m->path);
	free(m);
}

size_t
menu_count(const struct menu *m)
{
	return m->nproducts;
}

const struct menu_product *
menu_product(const struct menu *m, size_t i)
{
	return i < m->nproducts ? &m->products[i] : NULL;
}

const struct menu_product *
menu_find(const struct menu *m, const char *s)
{
	const struct menu_product	*p;

	if ((p = find_id(m, s)) != NULL)
		return p;
	return find_name(m, s);
}

size_t
menu_ncategories(const struct menu *m)
{
	return m->ncategories;
}

const struct menu_category *
menu_category(const struct menu *m, size_t i)
{
	return i < m->ncategories ? &m->categories[i] : NULL;
}

int
menu_check_routes(const struct menu *m, const struct config *cfg,
    char **errors)
{
	char	*buf = NULL, *s;
	size_t	 i, len = 0, n;
	int	 bad = 0;

	*errors = NULL;
	for (i = 0; i < m->ncategories; i++) {
		if (config_route(cfg, m->categories[i].name) != -1)
			continue;
		xasprintf(&s, "%s:%d: category '%s' has no station in "
		    "[routing] of %s\n", m->path, m->categories[i].line,
		    m->categories[i].name, cfg->path);
		n = strlen(s);
		buf = xreallocarray(buf, 1, len + n + 1);
		memcpy(buf + len, s, n + 1);
		len += n;
		free(s);
		bad++;
	}
	*errors = buf;
	return bad;
}
