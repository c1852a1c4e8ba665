/*
 * Log-linear histogram, HdrHistogram's idea at a tenth of its size.
 *
 * Values below 2^HIST_SUB_BITS get a bucket each.  Above, a value v with
 * highest set bit e falls in group (e - HIST_SUB_BITS + 1), sub-bucket given
 * by the HIST_SUB_BITS bits below the top bit.
 */
#include <string.h>

#include "histogram.h"

void
hist_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned
hist_bucket(uint64_t v)
{
	unsigned	e, idx;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v);
	if (e > HIST_MAX_EXP)
		return HIST_BUCKETS - 1;
	idx = (e - HIST_SUB_BITS + 1) * HIST_SUB +
	    (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
	return idx;
}

uint64_t
hist_bucket_upper(unsigned idx)
{
	unsigned	group, sub, e;

	if (idx < HIST_SUB)
		return idx;
	group = idx / HIST_SUB;
	sub = idx % HIST_SUB;
	e = group + HIST_SUB_BITS - 1;
	/* bucket holds [ (16+sub) << (e-4), (17+sub) << (e-4) ) */
	return (((uint64_t)HIST_SUB + sub + 1) << (e - HIST_SUB_BITS)) - 1;
}

void
hist_record(struct histogram *h, uint64_t v)
{
	h->bucket[hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct histogram *dst, const struct histogram *src)
{
	unsigned	i;

	for (i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
hist_quantile(const struct histogram *h, double q)
{
	uint64_t	rank, seen = 0, up;
	unsigned	i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			up = hist_bucket_upper(i);
			/* never report beyond what was actually seen */
			return up > h->max ? h->max : up;
		}
	}
	return h->max;
}

double
hist_mean(const struct histogram *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

uint64_t
hist_count_le(const struct histogram *h, uint64_t v)
{
	uint64_t	n = 0;
	unsigned	i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		if (hist_bucket_upper(i) > v)
			break;
		n += h->bucket[i];
	}
	return n;
}
