/*
 * CRC32C (Castagnoli), as used by iSCSI, ext4 and the journal's framing.
 * crc32c() picks the SSE4.2 instruction when the CPU has it; the portable
 * version is exported so tests can check both against the same vectors.
 */
#ifndef FASTOPS_CRC32C_H
#define FASTOPS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extend crc (start with 0) over buf; returns the finished CRC. */
uint32_t	crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t	crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* Hardware version, or the portable one on CPUs without it. */
uint32_t	crc32c_hw(uint32_t crc, const void *buf, size_t len);
int		crc32c_hw_available(void);

#endif
