/* u64map — see u64map.h. */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"
#include "xmalloc.h"

#define U64MAP_MIN	64

static size_t	 slot_of(const struct u64map *, uint64_t);
static void	 grow(struct u64map *);

void
u64map_init(struct u64map *m)
{
	m->cap = U64MAP_MIN;
	m->count = 0;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
}

void
u64map_fini(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void
u64map_clear(struct u64map *m)
{
	memset(m->keys, 0, m->cap * sizeof(*m->keys));
	memset(m->vals, 0, m->cap * sizeof(*m->vals));
	m->count = 0;
}

/* Fibonacci hashing spreads sequential ids over the table. */
static size_t
slot_of(const struct u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (m->cap - 1);
}

static void
grow(struct u64map *m)
{
	uint64_t	*ok = m->keys;
	void		**ov = m->vals;
	size_t		 oc = m->cap, i, k;

	m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	for (k = 0; k < oc; k++) {
		if (ok[k] == 0)
			continue;
		for (i = slot_of(m, ok[k]); m->keys[i] != 0;
		    i = (i + 1) & (m->cap - 1))
			;
		m->keys[i] = ok[k];
		m->vals[i] = ov[k];
	}
	free(ok);
	free(ov);
}

void *
u64map_get(const struct u64map *m, uint64_t key)
{
	size_t	i;

	for (i = slot_of(m, key); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

void *
u64map_put(struct u64map *m, uint64_t key, void *val)
{
	void	*old;
	size_t	 i;

	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	for (i = slot_of(m, key); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			old = m->vals[i];
			m->vals[i] = val;
			return old;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
	return NULL;
}

void *
u64map_del(struct u64map *m, uint64_t key)
{
	size_t	 i, k, want, mask = m->cap - 1;
	void	*old;

	for (i = slot_of(m, key); m->keys[i] != key; i = (i + 1) & mask)
		if (m->keys[i] == 0)
			return NULL;
	old = m->vals[i];
	/*
	 * Backward shift: pull later members of the probe run into the hole
	 * when their home slot does not lie (cyclically) after the hole.
	 */
	m->keys[i] = 0;
	m->vals[i] = NULL;
	for (k = (i + 1) & mask; m->keys[k] != 0; k = (k + 1) & mask) {
		want = slot_of(m, m->keys[k]);
		if (((k - want) & mask) >= ((k - i) & mask)) {
			m->keys[i] = m->keys[k];
			m->vals[i] = m->vals[k];
			m->keys[k] = 0;
			m->vals[k] = NULL;
			i = k;
		}
	}
	m->count--;
	return old;
}

uint64_t
u64map_strkey(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}
