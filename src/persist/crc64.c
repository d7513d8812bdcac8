/* CRC-64/Jones with slicing-by-8 tables: the RDB trailer checksum runs over
 * every byte saved or loaded, so it must not dominate save/load time. */
#include "persist/crc64.h"
#include <stddef.h>

#define CRC64_JONES_POLY 0xad93d23594c935a9ULL

static uint64_t crc64_tab[8][256];
static int crc64_ready = 0;

/* The algorithm is reflected, so the table uses the bit-reversed polynomial. */
static uint64_t crc64Reverse(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

void crc64Init(void) {
    if (crc64_ready) return;
    uint64_t rpoly = crc64Reverse(CRC64_JONES_POLY);
    for (int n = 0; n < 256; n++) {
        uint64_t c = (uint64_t)n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ rpoly : c >> 1;
        crc64_tab[0][n] = c;
    }
    for (int n = 0; n < 256; n++) {
        uint64_t c = crc64_tab[0][n];
        for (int k = 1; k < 8; k++) {
            c = crc64_tab[0][c & 0xff] ^ (c >> 8);
            crc64_tab[k][n] = c;
        }
    }
    crc64_ready = 1;
}

uint64_t crc64(uint64_t crc, const unsigned char *s, uint64_t l) {
    if (!crc64_ready) crc64Init();
    /* Byte-at-a-time until 8-byte aligned, then eight bytes per step. */
    while (l && ((uintptr_t)s & 7)) {
        crc = crc64_tab[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
        l--;
    }
    while (l >= 8) {
        uint64_t w = (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 | (uint64_t)s[3] << 24 |
                     (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40 | (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;
        crc ^= w;
        crc = crc64_tab[7][crc & 0xff] ^ crc64_tab[6][(crc >> 8) & 0xff] ^ crc64_tab[5][(crc >> 16) & 0xff] ^
              crc64_tab[4][(crc >> 24) & 0xff] ^ crc64_tab[3][(crc >> 32) & 0xff] ^
              crc64_tab[2][(crc >> 40) & 0xff] ^ crc64_tab[1][(crc >> 48) & 0xff] ^ crc64_tab[0][crc >> 56];
        s += 8;
        l -= 8;
    }
    while (l--) crc = crc64_tab[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
