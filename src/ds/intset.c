/* intset: see intset.h. Values are read/written through explicit little
 * endian helpers so the in-memory bytes equal the RDB bytes on any host. */
#include "ds/intset.h"
#include "core/zmalloc.h"
#include <stdlib.h>
#include <string.h>

static inline uint32_t le32get(const void *p) {
    const uint8_t *b = p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline void le32set(void *p, uint32_t v) {
    uint8_t *b = p;
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t isEnc(const intset *is) { return le32get(&is->encoding); }

uint32_t intsetLen(const intset *is) { return le32get(&is->length); }

static inline void setLen(intset *is, uint32_t n) { le32set(&is->length, n); }

static int64_t readValue(const int8_t *base, uint32_t pos, uint32_t enc) {
    const uint8_t *b = (const uint8_t *)base + (size_t)pos * enc;
    uint64_t u = 0;
    for (uint32_t i = 0; i < enc; i++) u |= (uint64_t)b[i] << (8 * i);
    /* sign-extend from enc bytes */
    if (enc < 8) {
        uint64_t sign = 1ULL << (enc * 8 - 1);
        if (u & sign) u |= ~((sign << 1) - 1);
    }
    return (int64_t)u;
}

static void writeValue(int8_t *base, uint32_t pos, uint32_t enc, int64_t v) {
    uint8_t *b = (uint8_t *)base + (size_t)pos * enc;
    uint64_t u = (uint64_t)v;
    for (uint32_t i = 0; i < enc; i++) b[i] = (uint8_t)(u >> (8 * i));
}

static inline int64_t getAt(const intset *is, uint32_t pos) {
    return readValue(is->contents, pos, isEnc(is));
}

uint8_t intsetValueEncoding(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return INTSET_ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return INTSET_ENC_INT32;
    return INTSET_ENC_INT16;
}

intset *intsetNew(void) {
    intset *is = zmalloc(sizeof(intset));
    le32set(&is->encoding, INTSET_ENC_INT16);
    setLen(is, 0);
    return is;
}

static intset *resize(intset *is, uint32_t len) {
    size_t bytes = (size_t)len * isEnc(is);
    return zrealloc(is, sizeof(intset) + bytes);
}

/* Binary search: 1 and *pos = index when found, else 0 and *pos = insertion point. */
static int search(const intset *is, int64_t value, uint32_t *pos) {
    uint32_t n = intsetLen(is);
    if (n == 0) {
        if (pos) *pos = 0;
        return 0;
    }
    if (value > getAt(is, n - 1)) {
        if (pos) *pos = n;
        return 0;
    }
    if (value < getAt(is, 0)) {
        if (pos) *pos = 0;
        return 0;
    }
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = getAt(is, mid);
        if (cur == value) {
            if (pos) *pos = mid;
            return 1;
        }
        if (cur < value) lo = mid + 1;
        else hi = mid;
    }
    if (pos) *pos = lo;
    return 0;
}

/* A value needing a wider encoding is either below or above every element. */
static intset *upgradeAndAdd(intset *is, int64_t value) {
    uint32_t oldenc = isEnc(is), newenc = intsetValueEncoding(value), n = intsetLen(is);
    int prepend = value < 0;
    le32set(&is->encoding, newenc);
    is = resize(is, n + 1);
    for (uint32_t i = n; i-- > 0;)
        writeValue(is->contents, i + (uint32_t)prepend, newenc, readValue(is->contents, i, oldenc));
    writeValue(is->contents, prepend ? 0 : n, newenc, value);
    setLen(is, n + 1);
    return is;
}

static void moveTail(intset *is, uint32_t from, uint32_t to) {
    uint32_t enc = isEnc(is);
    size_t count = intsetLen(is) - from;
    memmove((uint8_t *)is->contents + (size_t)to * enc, (uint8_t *)is->contents + (size_t)from * enc,
            count * enc);
}

intset *intsetAdd(intset *is, int64_t value, uint8_t *success) {
    if (success) *success = 1;
    if (intsetValueEncoding(value) > isEnc(is)) return upgradeAndAdd(is, value);
    uint32_t pos;
    if (search(is, value, &pos)) {
        if (success) *success = 0;
        return is;
    }
    uint32_t n = intsetLen(is);
    is = resize(is, n + 1);
    if (pos < n) moveTail(is, pos, pos + 1);
    writeValue(is->contents, pos, isEnc(is), value);
    setLen(is, n + 1);
    return is;
}

intset *intsetRemove(intset *is, int64_t value, int *success) {
    uint32_t pos;
    if (success) *success = 0;
    if (intsetValueEncoding(value) > isEnc(is) || !search(is, value, &pos)) return is;
    uint32_t n = intsetLen(is);
    if (success) *success = 1;
    if (pos < n - 1) moveTail(is, pos + 1, pos);
    is = resize(is, n - 1);
    setLen(is, n - 1);
    return is;
}

uint8_t intsetFind(intset *is, int64_t value) {
    return intsetValueEncoding(value) <= isEnc(is) && search(is, value, NULL);
}

int64_t intsetRandom(intset *is) {
    uint32_t n = intsetLen(is);
    return getAt(is, (uint32_t)(((uint64_t)random() << 16 ^ (uint64_t)random()) % n));
}

int64_t intsetMax(intset *is) { return getAt(is, intsetLen(is) - 1); }

int64_t intsetMin(intset *is) { return getAt(is, 0); }

uint8_t intsetGet(intset *is, uint32_t pos, int64_t *value) {
    if (pos >= intsetLen(is)) return 0;
    *value = getAt(is, pos);
    return 1;
}

size_t intsetBlobLen(intset *is) { return sizeof(intset) + (size_t)intsetLen(is) * isEnc(is); }

intset *intsetDup(intset *is) {
    size_t n = intsetBlobLen(is);
    intset *copy = zmalloc(n);
    memcpy(copy, is, n);
    return copy;
}

int intsetValidateIntegrity(const unsigned char *p, size_t size, int deep) {
    if (size < sizeof(intset)) return 0;
    uint32_t enc = le32get(p), count = le32get(p + 4);
    if (enc != INTSET_ENC_INT16 && enc != INTSET_ENC_INT32 && enc != INTSET_ENC_INT64) return 0;
    if (count == 0) return 0; /* an empty set is never stored */
    if ((uint64_t)count * enc + sizeof(intset) != (uint64_t)size) return 0;
    if (!deep) return 1;
    const int8_t *contents = (const int8_t *)(p + sizeof(intset));
    int64_t prev = readValue(contents, 0, enc);
    for (uint32_t i = 1; i < count; i++) {
        int64_t cur = readValue(contents, i, enc);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}
