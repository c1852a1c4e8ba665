/*
 * Latency histograms: log-linear buckets (16 per power of two, so any
 * recorded value is known to within 1/16 ≈ 6%), fixed size and free of
 * pointers so they can live in shared memory, mergeable by adding buckets.
 * Values are nanoseconds; anything above 2^HIST_MAX_EXP is clamped.
 */
#ifndef FASTOPS_HISTOGRAM_H
#define FASTOPS_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS	4
#define HIST_SUB	(1 << HIST_SUB_BITS)
#define HIST_MAX_EXP	43			/* 2^43 ns ≈ 2.4 hours */
#define HIST_BUCKETS	((HIST_MAX_EXP - HIST_SUB_BITS + 2) * HIST_SUB)

struct histogram {
	uint64_t	count;
	uint64_t	sum;
	uint64_t	min;
	uint64_t	max;
	uint64_t	bucket[HIST_BUCKETS];
};

void		hist_init(struct histogram *);
void		hist_record(struct histogram *, uint64_t);
void		hist_merge(struct histogram *, const struct histogram *);
/* Value at quantile q in [0, 1]: the upper bound of its bucket. */
uint64_t	hist_quantile(const struct histogram *, double);
double		hist_mean(const struct histogram *);
/* Bucket index of a value, and the largest value that bucket holds. */
unsigned	hist_bucket(uint64_t);
uint64_t	hist_bucket_upper(unsigned);
/* Number of recorded values <= v (for Prometheus "le" buckets). */
uint64_t	hist_count_le(const struct histogram *, uint64_t);

#endif
