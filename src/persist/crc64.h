/* crc64: CRC-64/Jones (poly 0xad93d23594c935a9, reflected in/out, init 0, no
 * final xor), the checksum that trails RDB files and DUMP payloads.
 * crc64() is incremental: feed the previous result back as `crc`. */
#ifndef PERSIST_CRC64_H
#define PERSIST_CRC64_H
#include <stdint.h>

uint64_t crc64(uint64_t crc, const unsigned char *s, uint64_t l);
/* Tables are built lazily on first use; call early to avoid the race when
 * threads may checksum concurrently. */
void crc64Init(void);
#endif
