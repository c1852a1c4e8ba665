/*
 * src/common/menu: the shipped menu.csv, CSV quoting, every class of
 * mistake with its line, lookups, categories and their routes.
 *
 * Run from the top of the source tree (make check does), or point
 * FASTOPS_SRCDIR at it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "menu.h"

#define HEADER	"id,name,category,price_cents\n"

static char	 tmpdir[] = "/tmp/menu_test.XXXXXX";
static char	 csv[PATH_MAX];

static const char *
srcdir(void)
{
	const char	*s = getenv("FASTOPS_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*fp;

	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int
load(const char *text, struct menu **m, char **errors)
{
	write_file(csv, text, strlen(text));
	return menu_load(csv, m, errors);
}

static char *
load_bad(const char *text)
{
	struct menu	*m;
	char		*errors;

	assert_int_equal(load(text, &m, &errors), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(m);
	assert_non_null(errors);
	return errors;
}

static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* errors has the line "m.csv:LINE: ..." containing want. */
static void
expect_error(const char *errors, int line, const char *want)
{
	char		 prefix[PATH_MAX + 32];
	const char	*s, *eol;
	size_t		 plen;

	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", csv, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", csv);
	plen = strlen(prefix);
	for (s = errors; *s != '\0'; s = eol + 1) {
		eol = strchr(s, '\n');
		assert_non_null(eol);
		if (strncmp(s, prefix, plen) == 0) {
			char	*msg = strndup(s, (size_t)(eol - s));
			int	 hit = strstr(msg, want) != NULL;

			free(msg);
			if (hit)
				return;
		}
	}
	fail_msg("no error \"%s...%s\" in:\n%s", prefix, want, errors);
}

static void
expect_only(const char *text, int line, const char *want)
{
	char	*errors = load_bad(text);

	if (count_lines(errors) != 1)
		fail_msg("expected one error, got:\n%s", errors);
	expect_error(errors, line, want);
	free(errors);
}

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(csv, sizeof(csv), "%s/m.csv", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- the shipped menu --------------------------------------------------- */

static void
test_shipped_menu(void **state)
{
	struct menu			*m;
	struct config			*cfg;
	const struct menu_product	*p;
	const struct menu_category	*c;
	char				 path[PATH_MAX], *errors;
	size_t				 i, j, total = 0;

	snprintf(path, sizeof(path), "%s/etc/fastops.ini", srcdir());
	if (config_load(path, CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	/* The ini names the menu; the daemon loads it from there. */
	if (menu_load(cfg->menu.file, &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_true(menu_count(m) >= 25);
	assert_int_equal(menu_ncategories(m), 4);
	assert_string_equal(menu_category(m, 0)->name, "entradas");
	assert_string_equal(menu_category(m, 1)->name, "principales");
	assert_string_equal(menu_category(m, 2)->name, "postres");
	assert_string_equal(menu_category(m, 3)->name, "bebidas");
	assert_null(menu_category(m, 4));
	for (i = 0; i < menu_ncategories(m); i++) {
		c = menu_category(m, i);
		assert_true(c->nproducts >= 5);
		for (j = 0; j < c->nproducts; j++) {
			assert_string_equal(c->products[j]->category, c->name);
			assert_int_equal(c->products[j]->category_index, i);
			if (j > 0)
				assert_true(c->products[j - 1]->line <
				    c->products[j]->line);
		}
		total += c->nproducts;
	}
	assert_int_equal(total, menu_count(m));

	/* Every category goes somewhere. */
	assert_int_equal(menu_check_routes(m, cfg, &errors), 0);
	assert_null(errors);

	p = menu_find(m, "hamburguesa");
	assert_non_null(p);
	assert_string_equal(p->name, "Hamburguesa");
	assert_string_equal(p->category, "principales");
	assert_int_equal(p->price_cents, 1200);
	assert_int_equal(config_route(cfg, p->category), 0);

	p = menu_find(m, "Jamón ibérico");
	assert_non_null(p);
	assert_string_equal(p->id, "jamon");
	p = menu_find(m, "piña colada");
	assert_non_null(p);
	assert_string_equal(p->id, "pina_colada");
	assert_string_equal(menu_find(m, "cafe_leche")->name,
	    "Café con leche");
	/* A name with a comma, quoted in the file. */
	p = menu_find(m, "calamares");
	assert_string_equal(p->name, "Calamares a la romana, con alioli");
	assert_null(menu_find(m, "sushi"));

	for (i = 0; i < menu_count(m); i++)
		assert_int_equal(menu_find(m, menu_product(m, i)->id),
		    menu_product(m, i));
	assert_null(menu_product(m, menu_count(m)));
	menu_free(m);
	config_free(cfg);
}

/* --- file forms --------------------------------------------------------- */

static void
test_quoting(void **state)
{
	struct menu	*m;
	char		*errors;

	if (load("# carta\n"
	    "\n"
	    "  ID , Name,Category , PRICE_CENTS \n"
	    "cafe_doble,\"Café, doble\",bebidas,250\n"
	    "marco,\"El \"\"Marco\"\" especial\",principales,1500\n"
	    "  espacios ,  Agua con gas  , bebidas , 220 \n"
	    "vacio_fin, \"Tónica\" ,bebidas,300\r\n"
	    "# fin\n", &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(menu_count(m), 4);
	assert_string_equal(menu_product(m, 0)->name, "Café, doble");
	assert_int_equal(menu_product(m, 0)->line, 4);
	assert_string_equal(menu_product(m, 1)->name,
	    "El \"Marco\" especial");
	assert_string_equal(menu_product(m, 2)->id, "espacios");
	assert_string_equal(menu_product(m, 2)->name, "Agua con gas");
	assert_string_equal(menu_product(m, 2)->category, "bebidas");
	assert_int_equal(menu_product(m, 2)->price_cents, 220);
	assert_string_equal(menu_product(m, 3)->name, "Tónica");
	assert_int_equal(menu_ncategories(m), 2);
	assert_int_equal(menu_category(m, 0)->nproducts, 3);
	menu_free(m);

	/* A byte order mark before the header. */
	if (load("\xef\xbb\xbf" HEADER "a,A,c,1\n", &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(menu_count(m), 1);
	menu_free(m);
}

static void
test_lookup(void **state)
{
	struct menu	*m;
	char		*errors;

	if (load(HEADER
	    "hamburguesa,Hamburguesa,principales,1200\n"
	    "doble,Hamburguesa doble,principales,1500\n"
	    "cana,Caña,bebidas,250\n", &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_string_equal(menu_find(m, "hamburguesa")->id, "hamburguesa");
	assert_string_equal(menu_find(m, "HAMBURGUESA DOBLE")->id, "doble");
	assert_string_equal(menu_find(m, "hamburguesa Doble")->id, "doble");
	assert_string_equal(menu_find(m, "caña")->id, "cana");
	assert_string_equal(menu_find(m, "CAñA")->id, "cana");
	/* Letters beyond ASCII are compared as they are. */
	assert_null(menu_find(m, "CAÑA"));
	assert_null(menu_find(m, "Hamburguesa "));
	assert_null(menu_find(m, ""));
	/* Ids are exact: "Doble" is neither an id nor a name. */
	assert_null(menu_find(m, "Doble"));
	menu_free(m);
}

/* --- every class of mistake --------------------------------------------- */

static void
test_err_header(void **state)
{
	expect_only("hamburguesa,Hamburguesa,principales,1200\n", 1,
	    "the first line must be the header "
	    "id,name,category,price_cents");
	expect_only("# only comments\n\nid,name,price\na,A,c,1\n", 3,
	    "the first line must be the header");
	expect_only("", 0, "the file is empty; it needs the header");
	expect_only("# nothing\n", 0, "the file is empty");
	expect_only(HEADER "# no products yet\n", 0, "there are no products");
}

static void
test_err_fields(void **state)
{
	expect_only(HEADER "a,A,c\n", 2, "3 fields; a product has 4: "
	    "id,name,category,price_cents");
	expect_only(HEADER "cafe,Café, doble,bebidas,250\n", 2,
	    "5 fields; a product has 4: id,name,category,price_cents (quote "
	    "a name that has a comma)");
	expect_only(HEADER "a,\"Café, doble,c,1\n", 2,
	    "a quoted field is not closed");
	expect_only(HEADER "a,\"Café\" doble,c,1\n", 2,
	    "unexpected text after a closing quote");
	expect_only(HEADER "a,Café \"doble\",c,1\n", 2,
	    "a quote inside an unquoted field");
}

static void
test_err_values(void **state)
{
	struct menu	*m;
	char		 text[256], *errors;

	expect_only(HEADER "\nHamburguesa,Hamburguesa,principales,1200\n", 3,
	    "id 'Hamburguesa' is not valid: use 1 to 31 characters from a-z, "
	    "0-9, '_' and '-'");
	expect_only(HEADER ",Sin id,principales,1200\n", 2, "id '' is not "
	    "valid");
	expect_only(HEADER "a,,c,1\n", 2, "the name is empty");
	snprintf(text, sizeof(text), HEADER "a,%0*d,c,1\n", 65, 0);
	expect_only(text, 2, "is too long (65 bytes; at most 64)");
	/* The bound is in bytes: 32 two-byte letters fit. */
	snprintf(text, sizeof(text), HEADER "a,%s,c,1\n",
	    "ññññññññññññññññññññññññññññññññ");
	if (load(text, &m, &errors) == -1)
		fail_msg("%s", errors);
	menu_free(m);
	expect_only(HEADER "a,\"Tab\there\",c,1\n", 2,
	    "contains control characters");
	expect_only(HEADER "a,A,Bebidas,1\n", 2, "category 'Bebidas' is not "
	    "valid");
	expect_only(HEADER "a,A,,1\n", 2, "category '' is not valid");
	expect_only(HEADER "a,A,c,12.50\n", 2, "price_cents '12.50' is not a "
	    "whole number of cents (12.50 is written 1250)");
	expect_only(HEADER "a,A,c,\"12,50\"\n", 2, "(12.50 is written 1250)");
	expect_only(HEADER "a,A,c,-5\n", 2, "price_cents '-5' is not a whole "
	    "number");
	expect_only(HEADER "a,A,c,\n", 2, "price_cents '' is not a whole");
	expect_only(HEADER "a,A,c,1200€\n", 2, "is not a whole number");
	expect_only(HEADER "a,A,c,10000001\n", 2,
	    "price_cents 10000001 is out of range (0..10000000)");
	expect_only(HEADER "a,A,c,99999999999999999999999\n", 2,
	    "is not a whole number");
}

static void
test_err_duplicates(void **state)
{
	expect_only(HEADER "flan,Flan,postres,500\n"
	    "tarta,Tarta,postres,600\n"
	    "flan,Flan de huevo,postres,550\n", 4,
	    "id 'flan' is already used at line 2");
	expect_only(HEADER "flan,Flan de la casa,postres,500\n"
	    "flan2,FLAN DE LA CASA,postres,600\n", 3,
	    "name 'FLAN DE LA CASA' is already used at line 2 (names are "
	    "compared without case)");
	expect_only(HEADER "cafe,Café solo,bebidas,150\n"
	    "cafe_leche,Café solo,bebidas,180\n", 3,
	    "name 'Café solo' is already used at line 2");
	/* "agua" would find one product by id and another by name. */
	expect_only(HEADER "agua,Agua mineral,bebidas,200\n"
	    "agua_gas,Agua,bebidas,220\n", 2,
	    "id 'agua' is also the name of the product at line 3, so looking "
	    "it up would be ambiguous");
}

static void
test_err_encoding(void **state)
{
	struct menu	*m;
	char		*errors;
	static const char nul[] = HEADER "a,A\0B,c,1\n";

	expect_only(HEADER "cafe,Caf\xe9,bebidas,150\n", 2,
	    "the line is not valid UTF-8 (save the file as UTF-8)");
	expect_only(HEADER "a,\xc0\xaf,c,1\n", 2, "not valid UTF-8");
	expect_only(HEADER "a,\xed\xa0\x80,c,1\n", 2, "not valid UTF-8");

	write_file(csv, nul, sizeof(nul) - 1);
	assert_int_equal(menu_load(csv, &m, &errors), -1);
	expect_error(errors, 2, "the line contains a NUL byte");
	free(errors);
}

static void
test_err_long_line(void **state)
{
	char	*text;
	size_t	 len;

	len = strlen(HEADER) + 2000;
	text = calloc(1, len + 16);
	assert_non_null(text);
	strcpy(text, HEADER "a,A,c,1\n#");
	memset(text + strlen(text), 'x', 1500);
	strcat(text, "\n");
	expect_only(text, 3, "the line is too long (1501 bytes; at most "
	    "1024)");
	free(text);
}

static void
test_err_too_many(void **state)
{
	struct menu	*m;
	char		*text, *errors;
	size_t	 len = 0;
	int	 i;

	text = calloc(1, 64 * 1024);
	assert_non_null(text);
	len = (size_t)sprintf(text, HEADER);
	for (i = 0; i < MENU_PRODUCTS_MAX + 1; i++)
		len += (size_t)sprintf(text + len, "p%d,P%d,c,1\n", i, i);
	errors = load_bad(text);
	assert_int_equal(count_lines(errors), 1);
	expect_error(errors, MENU_PRODUCTS_MAX + 2,
	    "too many products (at most 2000)");
	free(errors);

	/* 2000 is fine */
	len = (size_t)sprintf(text, HEADER);
	for (i = 0; i < MENU_PRODUCTS_MAX; i++)
		len += (size_t)sprintf(text + len, "p%d,P%d,c%d,1\n", i, i,
		    i % 7);
	if (load(text, &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(menu_count(m), MENU_PRODUCTS_MAX);
	assert_int_equal(menu_ncategories(m), 7);
	assert_string_equal(menu_find(m, "p1999")->name, "P1999");
	assert_string_equal(menu_find(m, "P1234")->id, "p1234");
	menu_free(m);
	free(text);
}

/* Every mistake at once, in line order, whichever check found it. */
static void
test_many_errors_at_once(void **state)
{
	char	*errors;

	errors = load_bad(HEADER				/* 1 */
	    "flan,Flan,postres,500\n"				/* 2 */
	    "Tarta,Tarta,postres,600\n"				/* 3 */
	    "cafe,Café,bebidas,1,50\n"				/* 4 */
	    "helado,Helado,postres,4.50\n"			/* 5 */
	    "flan,Flan de huevo,postres,550\n"			/* 6 */
	    "natillas,flan,postres,450\n");			/* 7 */
	expect_error(errors, 3, "id 'Tarta' is not valid");
	expect_error(errors, 4, "5 fields");
	expect_error(errors, 5, "price_cents '4.50'");
	expect_error(errors, 6, "id 'flan' is already used at line 2");
	expect_error(errors, 7, "name 'flan' is already used at line 2");
	assert_int_equal(count_lines(errors), 5);
	assert_true(strstr(errors, ":3: ") < strstr(errors, ":7: "));
	free(errors);
}

static void
test_error_bound(void **state)
{
	char	*text, *errors;
	size_t	 len;
	int	 i;

	text = calloc(1, 16 * 1024);
	assert_non_null(text);
	len = (size_t)sprintf(text, HEADER);
	for (i = 0; i < 300; i++)
		len += (size_t)sprintf(text + len, "bad line %d\n", i);
	errors = load_bad(text);
	assert_int_equal(count_lines(errors), 51);
	expect_error(errors, 0, "too many errors; stopped reading");
	free(errors);
	free(text);
}

static void
test_missing_file(void **state)
{
	struct menu	*m;
	char		*errors, path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/nope.csv", tmpdir);
	assert_int_equal(menu_load(path, &m, &errors), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(m);
	assert_non_null(strstr(errors, "nope.csv: No such file"));
	free(errors);
}

/* A category the ini does not route is named, with its first line. */
static void
test_unrouted(void **state)
{
	struct menu	*m;
	struct config	*cfg;
	char		*errors, ini[PATH_MAX + 16];

	static const char text[] = "[station bar]\nprinters = b1\n"
	    "[printer b1]\nuri = tcp://127.0.0.1:9100\n"
	    "[routing]\nbebidas = bar\n";

	snprintf(ini, sizeof(ini), "%s/r.ini", tmpdir);
	write_file(ini, text, sizeof(text) - 1);
	if (config_load(ini, CONFIG_DAEMON, &cfg, &errors) == -1)
		fail_msg("%s", errors);
	if (load(HEADER
	    "agua,Agua,bebidas,200\n"
	    "sushi,Sushi,japonesa,1800\n"
	    "ramen,Ramen,japonesa,1400\n"
	    "flan,Flan,postres,500\n", &m, &errors) == -1)
		fail_msg("%s", errors);
	assert_int_equal(menu_check_routes(m, cfg, &errors), 2);
	expect_error(errors, 3, "category 'japonesa' has no station in "
	    "[routing] of ");
	assert_non_null(strstr(errors, "r.ini\n"));
	expect_error(errors, 5, "category 'postres' has no station");
	assert_int_equal(count_lines(errors), 2);
	free(errors);
	menu_free(m);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_menu),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_err_header),
		cmocka_unit_test(test_err_fields),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_duplicates),
		cmocka_unit_test(test_err_encoding),
		cmocka_unit_test(test_err_long_line),
		cmocka_unit_test(test_err_too_many),
		cmocka_unit_test(test_many_errors_at_once),
		cmocka_unit_test(test_error_bound),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_unrouted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
