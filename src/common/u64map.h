/*
 * u64map — a hash map from non-zero 64-bit keys to pointers.  Open
 * addressing with linear probing and backward-shift deletion (no
 * tombstones), load kept under 1/2.  Not thread-safe.
 */
#ifndef FASTOPS_U64MAP_H
#define FASTOPS_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t	*keys;		/* 0: empty */
	void		**vals;
	size_t		 cap;		/* power of two */
	size_t		 count;
};

void	 u64map_init(struct u64map *);
void	 u64map_fini(struct u64map *);
void	 u64map_clear(struct u64map *);
void	*u64map_get(const struct u64map *, uint64_t key);
/* Insert or replace; returns the value replaced, or NULL. */
void	*u64map_put(struct u64map *, uint64_t key, void *val);
/* Remove; returns the value removed, or NULL. */
void	*u64map_del(struct u64map *, uint64_t key);
/* FNV-1a of a string, never 0: a key for string-keyed lookups. */
uint64_t u64map_strkey(const char *);

#endif
