/* listpack.c: see listpack.h. Every mutation goes through lpSplice (one
 * realloc + one memmove) so the header total and the bytes never disagree. */
#include "ds/listpack.h"
#include "core/zmalloc.h"
#include <string.h>
#include <stdlib.h>
#include <limits.h>

#define LP_SAFETY_SIZE (1UL << 30)

/* ---------- header ---------- */
static inline uint32_t lpGetTotal(const unsigned char *lp) {
    return (uint32_t)lp[0] | ((uint32_t)lp[1] << 8) | ((uint32_t)lp[2] << 16) | ((uint32_t)lp[3] << 24);
}
static inline void lpSetTotal(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xff; lp[1] = (v >> 8) & 0xff; lp[2] = (v >> 16) & 0xff; lp[3] = (v >> 24) & 0xff;
}
static inline uint16_t lpGetCount(const unsigned char *lp) { return (uint16_t)(lp[4] | (lp[5] << 8)); }
static inline void lpSetCount(unsigned char *lp, uint32_t v) {
    if (v > LP_COUNT_UNKNOWN) v = LP_COUNT_UNKNOWN;
    lp[4] = v & 0xff; lp[5] = (v >> 8) & 0xff;
}
/* An unknown count stays unknown: only a full walk (lpLength) may settle it. */
static void lpAddCount(unsigned char *lp, long delta) {
    uint16_t c = lpGetCount(lp);
    if (c == LP_COUNT_UNKNOWN) return;
    long n = (long)c + delta;
    if (n < 0) n = 0;
    lpSetCount(lp, (uint32_t)n);
}

/* ---------- integer text helpers (kept local: ds does not depend on core/util) ---------- */
static int lpStringToInt64(const unsigned char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1; i = 1;
        if (len == 1) return 0;
    }
    if (s[i] == '0' && (len - i) > 1) return 0; /* leading zero */
    if (neg && s[i] == '0') return 0;           /* "-0" is not canonical */
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = s[i] - '0';
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

static int lpInt64ToString(unsigned char *buf, long long v) {
    char tmp[LP_INTBUF_SIZE];
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    int n = 0;
    do { tmp[n++] = '0' + (u % 10); u /= 10; } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* ---------- entry encoding ---------- */
typedef struct lpEnc {
    unsigned char hdr[9];
    unsigned hdrlen;
    const unsigned char *data; /* string payload, NULL for integers */
    uint32_t datalen;
    size_t l;                  /* encoding + data */
    unsigned blen;             /* backlen bytes */
} lpEnc;

static unsigned lpBacklenSize(size_t l) {
    if (l < 128) return 1;
    if (l < 16384) return 2;
    if (l < 2097152) return 3;
    if (l < 268435456) return 4;
    return 5;
}

static void lpWriteBacklen(unsigned char *dst, size_t l, unsigned n) {
    for (int i = (int)n - 1; i >= 0; i--) {
        dst[i] = (l & 127) | (i == 0 ? 0 : 128);
        l >>= 7;
    }
}

/* Reads a back-length ending at q (inclusive), moving leftwards. Returns
 * bytes consumed, 0 if more than 5 bytes or q would pass `lo`. */
static unsigned lpReadBacklen(const unsigned char *q, const unsigned char *lo, uint64_t *val) {
    uint64_t v = 0;
    unsigned shift = 0, n = 0;
    while (1) {
        if (q < lo || n == 5) return 0;
        v |= (uint64_t)(q[0] & 127) << shift;
        n++;
        if (!(q[0] & 128)) break;
        shift += 7;
        q--;
    }
    *val = v;
    return n;
}

static void lpEncodeInt(lpEnc *e, long long v) {
    e->data = NULL; e->datalen = 0;
    if (v >= 0 && v <= 127) {
        e->hdr[0] = (unsigned char)v; e->hdrlen = 1;
    } else if (v >= -4096 && v <= 4095) {
        uint32_t u = v < 0 ? (uint32_t)((1 << 13) + v) : (uint32_t)v;
        e->hdr[0] = 0xC0 | (u >> 8); e->hdr[1] = u & 0xff; e->hdrlen = 2;
    } else {
        unsigned nbytes;
        if (v >= -32768 && v <= 32767) { e->hdr[0] = 0xF1; nbytes = 2; }
        else if (v >= -8388608 && v <= 8388607) { e->hdr[0] = 0xF2; nbytes = 3; }
        else if (v >= INT32_MIN && v <= INT32_MAX) { e->hdr[0] = 0xF3; nbytes = 4; }
        else { e->hdr[0] = 0xF4; nbytes = 8; }
        uint64_t u = (uint64_t)v;
        for (unsigned i = 0; i < nbytes; i++) e->hdr[1 + i] = (u >> (8 * i)) & 0xff;
        e->hdrlen = 1 + nbytes;
    }
    e->l = e->hdrlen;
    e->blen = lpBacklenSize(e->l);
}

static void lpEncodeString(lpEnc *e, const unsigned char *s, uint32_t len) {
    long long v;
    if (len <= 20 && lpStringToInt64(s, len, &v)) { lpEncodeInt(e, v); return; }
    if (len < 64) {
        e->hdr[0] = 0x80 | len; e->hdrlen = 1;
    } else if (len < 4096) {
        e->hdr[0] = 0xE0 | (len >> 8); e->hdr[1] = len & 0xff; e->hdrlen = 2;
    } else {
        e->hdr[0] = 0xF0;
        for (int i = 0; i < 4; i++) e->hdr[1 + i] = (len >> (8 * i)) & 0xff;
        e->hdrlen = 5;
    }
    e->data = s; e->datalen = len;
    e->l = e->hdrlen + (size_t)len;
    e->blen = lpBacklenSize(e->l);
}

static void lpEncodeEntry(lpEnc *e, const lpEntry *in) {
    if (in->sval) lpEncodeString(e, in->sval, in->slen);
    else lpEncodeInt(e, in->lval);
}

static inline size_t lpEncTotal(const lpEnc *e) { return e->l + e->blen; }

static void lpWriteEnc(unsigned char *dst, const lpEnc *e) {
    memcpy(dst, e->hdr, e->hdrlen);
    if (e->datalen) memcpy(dst + e->hdrlen, e->data, e->datalen);
    lpWriteBacklen(dst + e->l, e->l, e->blen);
}

/* Size of encoding + data of a trusted entry. */
static size_t lpCurrentEncodedSize(const unsigned char *p) {
    unsigned char b = p[0];
    if (!(b & 0x80)) return 1;
    if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
    if ((b & 0xE0) == 0xC0) return 2;
    if ((b & 0xF0) == 0xE0) return 2 + (((size_t)(b & 0x0F) << 8) | p[1]);
    switch (b) {
    case 0xF0: return 5 + ((size_t)p[1] | ((size_t)p[2] << 8) | ((size_t)p[3] << 16) | ((size_t)p[4] << 24));
    case 0xF1: return 3;
    case 0xF2: return 4;
    case 0xF3: return 5;
    case 0xF4: return 9;
    default: return 1; /* EOF: callers never ask */
    }
}

size_t lpEntrySize(unsigned char *p) {
    size_t l = lpCurrentEncodedSize(p);
    return l + lpBacklenSize(l);
}

/* ---------- construction ---------- */
unsigned char *lpNew(size_t capacity) {
    if (capacity < LP_HDR_SIZE + 1) capacity = LP_HDR_SIZE + 1;
    unsigned char *lp = zmalloc(capacity);
    lpSetTotal(lp, LP_HDR_SIZE + 1);
    lpSetCount(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lpFree(unsigned char *lp) { zfree(lp); }

unsigned char *lpShrinkToFit(unsigned char *lp) {
    size_t sz = lpBytes(lp);
    if (sz < zmalloc_size(lp)) return zrealloc(lp, sz);
    return lp;
}

unsigned char *lpDup(const unsigned char *lp) {
    size_t sz = lpGetTotal(lp);
    unsigned char *n = zmalloc(sz);
    memcpy(n, lp, sz);
    return n;
}

size_t lpBytes(const unsigned char *lp) { return lpGetTotal(lp); }

unsigned long lpLength(unsigned char *lp) {
    uint16_t c = lpGetCount(lp);
    if (c != LP_COUNT_UNKNOWN) return c;
    unsigned long n = 0;
    for (unsigned char *p = lpFirst(lp); p; p = lpNext(lp, p)) n++;
    if (n < LP_COUNT_UNKNOWN) lpSetCount(lp, (uint32_t)n);
    return n;
}

/* ---------- navigation ---------- */
unsigned char *lpFirst(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *lpNext(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p += lpEntrySize(p);
    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *lpPrev(unsigned char *lp, unsigned char *p) {
    if (p == lp + LP_HDR_SIZE) return NULL;
    uint64_t l = 0;
    unsigned n = lpReadBacklen(p - 1, lp + LP_HDR_SIZE, &l);
    return p - n - l;
}

unsigned char *lpLast(unsigned char *lp) {
    unsigned char *eof = lp + lpGetTotal(lp) - 1;
    return lpPrev(lp, eof);
}

unsigned char *lpSeek(unsigned char *lp, long index) {
    unsigned long len = lpLength(lp);
    if (index < 0) index += (long)len;
    if (index < 0 || (unsigned long)index >= len) return NULL;
    unsigned char *p;
    if ((unsigned long)index <= len / 2) {
        p = lpFirst(lp);
        while (index--) p = lpNext(lp, p);
    } else {
        p = lpLast(lp);
        for (unsigned long i = len - 1; i > (unsigned long)index; i--) p = lpPrev(lp, p);
    }
    return p;
}

/* ---------- reading ---------- */
static long long lpDecodeInt(const unsigned char *p) {
    unsigned char b = p[0];
    if (!(b & 0x80)) return b;
    if ((b & 0xE0) == 0xC0) {
        uint32_t u = ((uint32_t)(b & 0x1F) << 8) | p[1];
        return u >= 4096 ? (long long)u - 8192 : (long long)u;
    }
    unsigned nbytes = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
    uint64_t u = 0;
    for (unsigned i = 0; i < nbytes; i++) u |= (uint64_t)p[1 + i] << (8 * i);
    if (nbytes < 8) {
        uint64_t sign = 1ULL << (nbytes * 8 - 1);
        if (u & sign) u |= ~((sign << 1) - 1);
    }
    return (long long)u;
}

static int lpIsString(const unsigned char *p) {
    unsigned char b = p[0];
    return (b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0;
}

int lpGetValue(unsigned char *p, unsigned char **s, uint32_t *slen, long long *lval) {
    unsigned char b = p[0];
    if ((b & 0xC0) == 0x80) { *slen = b & 0x3F; *s = p + 1; return 1; }
    if ((b & 0xF0) == 0xE0) { *slen = ((uint32_t)(b & 0x0F) << 8) | p[1]; *s = p + 2; return 1; }
    if (b == 0xF0) {
        *slen = (uint32_t)p[1] | ((uint32_t)p[2] << 8) | ((uint32_t)p[3] << 16) | ((uint32_t)p[4] << 24);
        *s = p + 5;
        return 1;
    }
    *lval = lpDecodeInt(p);
    return 0;
}

unsigned char *lpGet(unsigned char *p, int64_t *count, unsigned char *buf) {
    unsigned char *s;
    uint32_t slen;
    long long v;
    if (lpGetValue(p, &s, &slen, &v)) { *count = slen; return s; }
    if (!buf) { *count = v; return NULL; }
    *count = lpInt64ToString(buf, v);
    return buf;
}

int lpGetIntegerIfValid(unsigned char *p, long long *lval) {
    if (lpIsString(p)) return 0;
    *lval = lpDecodeInt(p);
    return 1;
}

int lpCompare(unsigned char *p, const unsigned char *s, uint32_t slen) {
    unsigned char *es;
    uint32_t elen;
    long long v;
    if (lpGetValue(p, &es, &elen, &v)) return elen == slen && (slen == 0 || memcmp(es, s, slen) == 0);
    unsigned char buf[LP_INTBUF_SIZE];
    int n = lpInt64ToString(buf, v);
    return (uint32_t)n == slen && memcmp(buf, s, slen) == 0;
}

/* ---------- mutation core ---------- */
/* Replaces oldlen bytes at offset with a hole of newlen bytes; returns the new lp. */
static unsigned char *lpSplice(unsigned char *lp, size_t offset, size_t oldlen, size_t newlen) {
    size_t total = lpGetTotal(lp);
    size_t tail = total - offset - oldlen;
    size_t newtotal = total - oldlen + newlen;
    if (newlen > oldlen) {
        lp = zrealloc(lp, newtotal);
        memmove(lp + offset + newlen, lp + offset + oldlen, tail);
    } else if (newlen < oldlen) {
        memmove(lp + offset + newlen, lp + offset + oldlen, tail);
        lp = zrealloc(lp, newtotal);
    }
    lpSetTotal(lp, (uint32_t)newtotal);
    return lp;
}

static unsigned char *lpInsertEnc(unsigned char *lp, const lpEnc *e, unsigned char *p, int where,
                                  unsigned char **newp) {
    size_t oldlen = 0;
    if (p == NULL) p = lp + lpGetTotal(lp) - 1; /* append */
    if (where == LP_AFTER && p[0] != LP_EOF) p += lpEntrySize(p);
    else if (where == LP_REPLACE) oldlen = lpEntrySize(p);
    size_t off = p - lp;
    /* The payload may live inside lp itself (e.g. replacing with a neighbour's bytes). */
    unsigned char *tmp = NULL;
    lpEnc ec = *e;
    if (e->data && e->data >= lp && e->data < lp + lpGetTotal(lp)) {
        tmp = zmalloc(e->datalen);
        memcpy(tmp, e->data, e->datalen);
        ec.data = tmp;
    }
    lp = lpSplice(lp, off, oldlen, lpEncTotal(&ec));
    lpWriteEnc(lp + off, &ec);
    if (tmp) zfree(tmp);
    if (where != LP_REPLACE) lpAddCount(lp, 1);
    if (newp) *newp = lp + off;
    return lp;
}

unsigned char *lpInsertString(unsigned char *lp, const unsigned char *s, uint32_t slen,
                              unsigned char *p, int where, unsigned char **newp) {
    lpEnc e;
    lpEncodeString(&e, s, slen);
    return lpInsertEnc(lp, &e, p, where, newp);
}

unsigned char *lpInsertInteger(unsigned char *lp, long long v, unsigned char *p, int where,
                               unsigned char **newp) {
    lpEnc e;
    lpEncodeInt(&e, v);
    return lpInsertEnc(lp, &e, p, where, newp);
}

unsigned char *lpReplace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, *p, LP_REPLACE, p);
}

unsigned char *lpReplaceInteger(unsigned char *lp, unsigned char **p, long long v) {
    return lpInsertInteger(lp, v, *p, LP_REPLACE, p);
}

unsigned char *lpAppend(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, NULL, LP_BEFORE, NULL);
}
unsigned char *lpAppendInteger(unsigned char *lp, long long v) {
    return lpInsertInteger(lp, v, NULL, LP_BEFORE, NULL);
}
unsigned char *lpPrepend(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    return lpInsertString(lp, s, slen, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}
unsigned char *lpPrependInteger(unsigned char *lp, long long v) {
    return lpInsertInteger(lp, v, lp + LP_HDR_SIZE, LP_BEFORE, NULL);
}

unsigned char *lpDelete(unsigned char *lp, unsigned char *p, unsigned char **newp) {
    size_t off = p - lp;
    lp = lpSplice(lp, off, lpEntrySize(p), 0);
    lpAddCount(lp, -1);
    if (newp) *newp = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lpDeleteRangeWithEntry(unsigned char *lp, unsigned char **p, unsigned long num) {
    unsigned char *start = *p, *q = start;
    unsigned long deleted = 0;
    while (deleted < num && q[0] != LP_EOF) {
        q += lpEntrySize(q);
        deleted++;
    }
    size_t off = start - lp;
    lp = lpSplice(lp, off, q - start, 0);
    lpAddCount(lp, -(long)deleted);
    *p = lp[off] == LP_EOF ? NULL : lp + off;
    return lp;
}

unsigned char *lpDeleteRange(unsigned char *lp, long index, unsigned long num) {
    if (num == 0) return lp;
    unsigned char *p = lpSeek(lp, index);
    if (!p) return lp;
    return lpDeleteRangeWithEntry(lp, &p, num);
}

unsigned char *lpBatchInsert(unsigned char *lp, unsigned char *p, int where, lpEntry *entries,
                             unsigned long n, unsigned char **newp) {
    if (n == 0) { if (newp) *newp = p; return lp; }
    if (p == NULL) p = lp + lpGetTotal(lp) - 1;
    if (where == LP_AFTER && p[0] != LP_EOF) p += lpEntrySize(p);
    size_t off = p - lp, add = 0;
    for (unsigned long i = 0; i < n; i++) {
        lpEnc e;
        lpEncodeEntry(&e, &entries[i]);
        add += lpEncTotal(&e);
    }
    lp = lpSplice(lp, off, 0, add);
    unsigned char *dst = lp + off;
    for (unsigned long i = 0; i < n; i++) {
        lpEnc e;
        lpEncodeEntry(&e, &entries[i]);
        lpWriteEnc(dst, &e);
        dst += lpEncTotal(&e);
    }
    lpAddCount(lp, (long)n);
    if (newp) *newp = lp + off;
    return lp;
}

unsigned char *lpBatchAppend(unsigned char *lp, lpEntry *entries, unsigned long n) {
    return lpBatchInsert(lp, NULL, LP_BEFORE, entries, n, NULL);
}

unsigned char *lpMerge(unsigned char *first, unsigned char *second) {
    size_t add = lpGetTotal(second) - LP_HDR_SIZE - 1;
    unsigned long cnt = lpLength(first) + lpLength(second);
    size_t off = lpGetTotal(first) - 1;
    first = lpSplice(first, off, 0, add);
    memcpy(first + off, second + LP_HDR_SIZE, add);
    lpSetCount(first, cnt >= LP_COUNT_UNKNOWN ? LP_COUNT_UNKNOWN : (uint32_t)cnt);
    lpFree(second);
    return first;
}

/* ---------- search ---------- */
unsigned char *lpFind(unsigned char *lp, unsigned char *p, const unsigned char *s, uint32_t slen,
                      unsigned int skip) {
    long long sv = 0;
    int s_is_int = slen <= 20 && lpStringToInt64(s, slen, &sv);
    unsigned int skipcnt = 0;
    while (p && p[0] != LP_EOF) {
        if (skipcnt == 0) {
            unsigned char *es;
            uint32_t elen;
            long long ev;
            if (lpGetValue(p, &es, &elen, &ev)) {
                if (elen == slen && (slen == 0 || memcmp(es, s, slen) == 0)) return p;
            } else if (s_is_int && ev == sv) {
                return p;
            }
            skipcnt = skip;
        } else {
            skipcnt--;
        }
        p += lpEntrySize(p);
    }
    (void)lp;
    return NULL;
}

/* ---------- sizing ---------- */
int lpSafeToAdd(unsigned char *lp, size_t add) {
    size_t len = lp ? lpGetTotal(lp) : 0;
    return len + add <= LP_SAFETY_SIZE;
}

size_t lpEstimateBytesForString(const unsigned char *s, size_t slen) {
    lpEnc e;
    lpEncodeString(&e, s, (uint32_t)slen);
    return lpEncTotal(&e);
}

size_t lpEstimateBytesForInteger(long long v) {
    lpEnc e;
    lpEncodeInt(&e, v);
    return lpEncTotal(&e);
}

/* ---------- validation ---------- */
/* Validates the entry at p, which lies before `eof` (the EOF byte). Returns
 * its full size or 0 when corrupt. */
static size_t lpValidateEntry(const unsigned char *p, const unsigned char *eof) {
    size_t avail = eof - p;
    unsigned char b = p[0];
    uint64_t l;
    if (!(b & 0x80)) l = 1;
    else if ((b & 0xC0) == 0x80) l = 1 + (b & 0x3F);
    else if ((b & 0xE0) == 0xC0) l = 2;
    else if ((b & 0xF0) == 0xE0) {
        if (avail < 2) return 0;
        l = 2 + (((uint64_t)(b & 0x0F) << 8) | p[1]);
    } else if (b == 0xF0) {
        if (avail < 5) return 0;
        l = 5 + ((uint64_t)p[1] | ((uint64_t)p[2] << 8) | ((uint64_t)p[3] << 16) | ((uint64_t)p[4] << 24));
    } else if (b == 0xF1) l = 3;
    else if (b == 0xF2) l = 4;
    else if (b == 0xF3) l = 5;
    else if (b == 0xF4) l = 9;
    else return 0; /* 0xF5..0xFF are not entries */
    uint64_t blen = lpBacklenSize(l);
    if (l + blen > avail) return 0;
    uint64_t back;
    unsigned n = lpReadBacklen(p + l + blen - 1, p + l, &back);
    if (n != blen || back != l) return 0;
    return (size_t)(l + blen);
}

int lpValidateIntegrity(unsigned char *lp, size_t size, int deep, lpValidateEntryCB cb, void *data) {
    if (!lp || size < LP_HDR_SIZE + 1) return 0;
    if (lpGetTotal(lp) != size) return 0;
    if (lp[size - 1] != LP_EOF) return 0;
    if (!deep) return 1;
    const unsigned char *eof = lp + size - 1;
    unsigned char *p = lp + LP_HDR_SIZE;
    uint16_t hdrcount = lpGetCount(lp);
    unsigned long count = 0;
    while (p < eof) {
        size_t esz = lpValidateEntry(p, eof);
        if (!esz) return 0;
        if (cb && !cb(p, hdrcount, data)) return 0;
        count++;
        p += esz;
    }
    if (p != eof) return 0;
    if (hdrcount != LP_COUNT_UNKNOWN && hdrcount != count) return 0;
    return 1;
}

unsigned char *lpRandomEntry(unsigned char *lp, unsigned long *index_out) {
    unsigned long len = lpLength(lp);
    if (len == 0) return NULL;
    unsigned long idx = (unsigned long)random() % len;
    if (index_out) *index_out = idx;
    return lpSeek(lp, (long)idx);
}
