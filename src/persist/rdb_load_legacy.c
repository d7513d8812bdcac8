/* Ziplist and zipmap walkers. Byte layouts are in shared/spec/rdb-format.md;
 * every read is checked against the blob end before it happens. */
#include "persist/rdb_load_legacy.h"
#include "ds/listpack.h"
#include <stdint.h>
#include <string.h>

static uint32_t rdbLegacyU32le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Decodes one ziplist entry at p (p < end). Returns the entry size or 0 when malformed.
 * Strings set the s and slen outputs; integers set s to NULL and fill ll. */
static size_t rdbZiplistEntry(const unsigned char *p, const unsigned char *end, const unsigned char **s,
                              size_t *slen, long long *ll) {
    const unsigned char *q = p;
    if (*q == 0xFE) {
        if (end - q < 5) return 0;
        q += 5;
    } else if (*q == 0xFF) {
        return 0;
    } else {
        q += 1;
    }
    if (q >= end) return 0;
    unsigned char b = *q;
    size_t hdr, datalen;
    *s = NULL;
    switch (b >> 6) {
    case 0: hdr = 1; datalen = b & 0x3F; break;
    case 1:
        if (end - q < 2) return 0;
        hdr = 2;
        datalen = ((size_t)(b & 0x3F) << 8) | q[1];
        break;
    case 2:
        if (b != 0x80 || end - q < 5) return 0;
        hdr = 5;
        datalen = (size_t)q[1] << 24 | (size_t)q[2] << 16 | (size_t)q[3] << 8 | q[4];
        break;
    default: hdr = 0; datalen = 0; break;
    }
    if (hdr) {
        if ((size_t)(end - q) < hdr + datalen) return 0;
        *s = q + hdr;
        *slen = datalen;
        return (size_t)(q - p) + hdr + datalen;
    }
    const unsigned char *d = q + 1;
    size_t need;
    switch (b) {
    case 0xC0: need = 2; break;
    case 0xD0: need = 4; break;
    case 0xE0: need = 8; break;
    case 0xF0: need = 3; break;
    case 0xFE: need = 1; break;
    default:
        if (b >= 0xF1 && b <= 0xFD) {
            *ll = (long long)(b & 0x0F) - 1;
            return (size_t)(d - p);
        }
        return 0;
    }
    if ((size_t)(end - d) < need) return 0;
    uint64_t u = 0;
    for (size_t i = 0; i < need; i++) u |= (uint64_t)d[i] << (8 * i);
    switch (need) {
    case 1: *ll = (int8_t)u; break;
    case 2: *ll = (int16_t)u; break;
    case 3: *ll = ((int32_t)(u << 8)) >> 8; break;   /* sign-extend 24 bits */
    case 4: *ll = (int32_t)u; break;
    default: *ll = (int64_t)u; break;
    }
    return (size_t)(d - p) + need;
}

unsigned char *rdbZiplistToListpack(const unsigned char *zl, size_t size, long *count) {
    if (size < 11 || rdbLegacyU32le(zl) != size || zl[size - 1] != 0xFF) return NULL;
    uint32_t tail = rdbLegacyU32le(zl + 4);
    unsigned int hdrcount = (unsigned int)zl[8] | (unsigned int)zl[9] << 8;
    if (tail > size - 1) return NULL;
    const unsigned char *p = zl + 10, *end = zl + size - 1;
    unsigned char *lp = lpNew(size);
    long n = 0;
    while (p < end) {
        const unsigned char *s;
        size_t slen = 0;
        long long ll = 0;
        size_t esz = rdbZiplistEntry(p, end, &s, &slen, &ll);
        if (esz == 0 || slen > UINT32_MAX) {
            lpFree(lp);
            return NULL;
        }
        lp = s ? lpAppend(lp, s, (uint32_t)slen) : lpAppendInteger(lp, ll);
        p += esz;
        n++;
    }
    if (p != end || (hdrcount != 65535 && hdrcount != (unsigned long)n)) {
        lpFree(lp);
        return NULL;
    }
    *count = n;
    return lp;
}

/* One zipmap length: a byte < 254, or 254 followed by a 4-byte length. */
static int rdbZipmapLen(const unsigned char **pp, const unsigned char *end, size_t *len) {
    const unsigned char *p = *pp;
    if (p >= end) return 0;
    if (*p < 254) {
        *len = *p;
        *pp = p + 1;
        return 1;
    }
    if (*p == 254 && end - p >= 5) {
        *len = rdbLegacyU32le(p + 1);
        *pp = p + 5;
        return 1;
    }
    return 0;
}

unsigned char *rdbZipmapToListpack(const unsigned char *zm, size_t size, long *count) {
    if (size < 2 || zm[size - 1] != 0xFF) return NULL;
    const unsigned char *p = zm + 1, *end = zm + size - 1;
    unsigned char *lp = lpNew(size);
    long n = 0;
    while (p < end) {
        size_t flen, vlen;
        if (!rdbZipmapLen(&p, end, &flen) || (size_t)(end - p) < flen) goto bad;
        const unsigned char *field = p;
        p += flen;
        if (!rdbZipmapLen(&p, end, &vlen) || p >= end) goto bad;
        size_t freelen = *p++;
        if ((size_t)(end - p) < vlen + freelen) goto bad;
        lp = lpAppend(lp, field, (uint32_t)flen);
        lp = lpAppend(lp, p, (uint32_t)vlen);
        p += vlen + freelen;
        n += 2;
    }
    if (p != end) goto bad;
    *count = n;
    return lp;
bad:
    lpFree(lp);
    return NULL;
}
