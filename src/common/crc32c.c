/*
 * CRC32C.  The software path is slicing-by-8 over tables built once; the
 * hardware path uses the SSE4.2 crc32 instruction eight bytes at a time.
 * Both take and return the finished (post-inverted) value, so a CRC can be
 * extended across several calls: crc32c(crc32c(0, a, n), b, m).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "crc32c.h"

#define POLY	0x82f63b78U	/* reflected Castagnoli polynomial */

static uint32_t		table[8][256];
static pthread_once_t	table_once = PTHREAD_ONCE_INIT;

static void
table_init(void)
{
	uint32_t	c;
	int		i, j, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		c = table[0][i];
		for (k = 1; k < 8; k++) {
			c = table[0][c & 0xff] ^ (c >> 8);
			table[k][i] = c;
		}
	}
}

uint32_t
crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	uint64_t		 w;

	pthread_once(&table_once, table_init);
	crc = ~crc;
	while (len > 0 && ((uintptr_t)p & 7) != 0) {
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		memcpy(&w, p, 8);	/* little-endian hosts only: see below */
		w ^= crc;
		crc = table[7][w & 0xff] ^
		    table[6][(w >> 8) & 0xff] ^
		    table[5][(w >> 16) & 0xff] ^
		    table[4][(w >> 24) & 0xff] ^
		    table[3][(w >> 32) & 0xff] ^
		    table[2][(w >> 40) & 0xff] ^
		    table[1][(w >> 48) & 0xff] ^
		    table[0][(w >> 56) & 0xff];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "crc32c_sw's slicing assumes a little-endian host"
#endif

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t
crc32c_sse42(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	uint64_t		 c = ~crc, w;

	while (len > 0 && ((uintptr_t)p & 7) != 0) {
		c = _mm_crc32_u8((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}

int
crc32c_hw_available(void)
{
	return __builtin_cpu_supports("sse4.2");
}

uint32_t
crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	if (!crc32c_hw_available())
		return crc32c_sw(crc, buf, len);
	return crc32c_sse42(crc, buf, len);
}

uint32_t
crc32c(uint32_t crc, const void *buf, size_t len)
{
	static int	hw = -1;

	if (hw == -1)
		hw = crc32c_hw_available();
	return hw ? crc32c_sse42(crc, buf, len) : crc32c_sw(crc, buf, len);
}
#else
int
crc32c_hw_available(void)
{
	return 0;
}

uint32_t
crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_sw(crc, buf, len);
}

uint32_t
crc32c(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_sw(crc, buf, len);
}
#endif
