/* Time helpers: all durations inside FastOps are nanoseconds in uint64_t. */
#ifndef FASTOPS_CLOCK_H
#define FASTOPS_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_US	1000ULL
#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL

/* Monotonic clock, for intervals and timeouts. */
static inline uint64_t
clock_mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Wall clock, for what people read (ticket times, per-minute series). */
static inline uint64_t
clock_real_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Wall clock in milliseconds, as journal records carry it. */
static inline uint64_t
clock_real_ms(void)
{
	return clock_real_ns() / NS_PER_MS;
}

static inline struct timespec
clock_ns_to_ts(uint64_t ns)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	return ts;
}

#endif
