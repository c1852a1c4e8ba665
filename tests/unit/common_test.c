/* src/common: CRC32C against published vectors, histogram percentiles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crc32c.h"
#include "histogram.h"

/* RFC 3720 appendix B.4 and the "123456789" check value. */
static void
test_crc32c_vectors(void **state)
{
	uint8_t		buf[48];
	uint32_t	(*fn[2])(uint32_t, const void *, size_t) = {
		crc32c_sw, crc32c_hw
	};
	int		i, k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(fn[k](0, "123456789", 9), 0xe3069283);
		memset(buf, 0, 32);
		assert_int_equal(fn[k](0, buf, 32), 0x8a9136aa);
		memset(buf, 0xff, 32);
		assert_int_equal(fn[k](0, buf, 32), 0x62a8ab43);
		for (i = 0; i < 32; i++)
			buf[i] = (uint8_t)i;
		assert_int_equal(fn[k](0, buf, 32), 0x46dd794e);
		for (i = 0; i < 32; i++)
			buf[i] = (uint8_t)(31 - i);
		assert_int_equal(fn[k](0, buf, 32), 0x113fdb5c);
		/* iSCSI read PDU, RFC 3720 B.4 */
		static const uint8_t pdu[48] = {
			0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
			0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
			0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		};
		assert_int_equal(fn[k](0, pdu, 48), 0xd9963a56);
	}
}

/* Incremental and unaligned computation agree with one-shot. */
static void
test_crc32c_incremental(void **state)
{
	uint8_t		buf[1031];
	uint32_t	whole, c;
	size_t		i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	whole = crc32c_sw(0, buf, sizeof(buf));
	assert_int_equal(crc32c(0, buf, sizeof(buf)), whole);
	for (cut = 0; cut < 40; cut++) {
		c = crc32c(0, buf, cut);
		c = crc32c(c, buf + cut, sizeof(buf) - cut);
		assert_int_equal(c, whole);
		c = crc32c_sw(0, buf + cut, 100);
		assert_int_equal(crc32c_hw(0, buf + cut, 100), c);
	}
}

static void
test_hist_buckets(void **state)
{
	uint64_t	v;
	unsigned	b;

	/* every value lies at or below its bucket's upper bound, and above
	 * the previous bucket's */
	for (v = 0; v < 100000; v += 7) {
		b = hist_bucket(v);
		assert_true(v <= hist_bucket_upper(b));
		if (b > 0)
			assert_true(v > hist_bucket_upper(b - 1));
	}
	for (v = 1; v < (1ULL << 42); v = v * 3 + 1) {
		b = hist_bucket(v);
		assert_true(v <= hist_bucket_upper(b));
		/* relative error of the bucket bound under 1/16 */
		assert_true((double)(hist_bucket_upper(b) - v) <=
		    (double)v / 16.0 + 1);
	}
	assert_int_equal(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
}

static void
test_hist_quantiles(void **state)
{
	struct histogram	h, h2;
	uint64_t		i, p50, p99;

	hist_init(&h);
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	for (i = 1; i <= 10000; i++)
		hist_record(&h, i * 1000);	/* 1 µs .. 10 ms */
	assert_int_equal(h.count, 10000);
	assert_int_equal(h.min, 1000);
	assert_int_equal(h.max, 10000000);
	p50 = hist_quantile(&h, 0.50);
	p99 = hist_quantile(&h, 0.99);
	assert_true(p50 >= 5000000 && p50 <= 5000000 + 5000000 / 16);
	assert_true(p99 >= 9900000 && p99 <= 10000000);
	assert_int_equal(hist_quantile(&h, 1.0), 10000000);
	assert_int_equal(hist_count_le(&h, UINT64_MAX / 2), 10000);

	/* merging two halves equals recording everything in one */
	hist_init(&h2);
	for (i = 10001; i <= 20000; i++)
		hist_record(&h2, i * 1000);
	hist_merge(&h, &h2);
	assert_int_equal(h.count, 20000);
	assert_int_equal(h.max, 20000000);
	p50 = hist_quantile(&h, 0.50);
	assert_true(p50 >= 10000000 && p50 <= 10000000 + 10000000 / 16);
	assert_true(hist_mean(&h) > 10000000 - 1 && hist_mean(&h) < 10001000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),
		cmocka_unit_test(test_crc32c_incremental),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_hist_quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
