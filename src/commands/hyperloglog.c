/* hyperloglog: PFADD/PFCOUNT/PFMERGE/PFSELFTEST/PFDEBUG over plain string
 * values laid out in the Valkey/Redis HLL byte format, so DUMP/RESTORE and RDB
 * files interoperate: 16-byte header ("HYLL", encoding, 3 unused, 8-byte
 * little-endian cached cardinality whose top bit marks it stale), then either
 * 16384 packed 6-bit registers (dense) or ZERO/XZERO/VAL run opcodes (sparse).
 * Every mutation must produce the same bytes the reference produces, so the
 * sparse editing rules (split, in-place update, VAL merging, promotion) follow
 * the format's canonical behaviour step by step. */
#include "server/server.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HLL_P 14
#define HLL_Q (64 - HLL_P)
#define HLL_REGISTERS (1 << HLL_P)
#define HLL_P_MASK (HLL_REGISTERS - 1)
#define HLL_BITS 6
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) / 8))
#define HLL_DENSE 0
#define HLL_SPARSE 1
#define HLL_MAX_ENCODING 1
#define HLL_ALPHA_INF 0.721347520444481703680 /* 1 / (2 ln 2) */

#define HLL_SPARSE_VAL_MAX_VALUE 32
#define HLL_SPARSE_VAL_MAX_LEN 4
#define HLL_SPARSE_ZERO_MAX_LEN 64
#define HLL_SPARSE_XZERO_MAX_LEN 16384

static const char *hllInvalidErr = "INVALIDOBJ Corrupted HLL object detected";
static const char *hllWrongTypeErr = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/* ---------- header fields ---------- */
#define HLL_ENC(h) (((uint8_t *)(h))[4])
#define HLL_CARD(h) (((uint8_t *)(h)) + 8)
#define HLL_REGS(h) (((uint8_t *)(h)) + HLL_HDR_SIZE)

static void hllInvalidateCache(uint8_t *h) { HLL_CARD(h)[7] |= 0x80; }
static int hllCacheValid(const uint8_t *h) { return (h[8 + 7] & 0x80) == 0; }

static uint64_t hllCacheGet(const uint8_t *h) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | h[8 + i];
    return v;
}

static void hllCacheSet(uint8_t *h, uint64_t v) {
    for (int i = 0; i < 8; i++) HLL_CARD(h)[i] = (uint8_t)(v >> (8 * i));
}

/* ---------- sparse opcodes ---------- */
#define SP_IS_ZERO(p) ((*(p) & 0xc0) == 0x00)
#define SP_IS_XZERO(p) ((*(p) & 0xc0) == 0x40)
#define SP_IS_VAL(p) ((*(p) & 0x80) != 0)
#define SP_ZERO_LEN(p) ((*(p) & 0x3f) + 1)
#define SP_XZERO_LEN(p) ((((*(p) & 0x3f) << 8) | (p)[1]) + 1)
#define SP_VAL_VALUE(p) (((*(p) >> 2) & 0x1f) + 1)
#define SP_VAL_LEN(p) ((*(p) & 0x3) + 1)

static void spSetVal(uint8_t *p, int val, int len) { *p = (uint8_t)(0x80 | ((val - 1) << 2) | (len - 1)); }
static void spSetZero(uint8_t *p, int len) { *p = (uint8_t)(len - 1); }
static void spSetXZero(uint8_t *p, int len) {
    p[0] = (uint8_t)(0x40 | ((len - 1) >> 8));
    p[1] = (uint8_t)((len - 1) & 0xff);
}

/* Writes the shortest zero run opcode for len registers; returns its size. */
static int spEmitZeros(uint8_t *p, int len) {
    if (len > HLL_SPARSE_ZERO_MAX_LEN) {
        spSetXZero(p, len);
        return 2;
    }
    spSetZero(p, len);
    return 1;
}

/* ---------- dense registers: 6 bits each, LSB first ---------- */
static unsigned hllDenseGet(const uint8_t *regs, long idx) {
    unsigned long bit = (unsigned long)idx * HLL_BITS;
    unsigned long b = bit / 8, fb = bit & 7;
    unsigned v = regs[b] >> fb;
    if (fb > 8 - HLL_BITS) v |= (unsigned)regs[b + 1] << (8 - fb);
    return v & HLL_REGISTER_MAX;
}

static void hllDenseSetReg(uint8_t *regs, long idx, unsigned val) {
    unsigned long bit = (unsigned long)idx * HLL_BITS;
    unsigned long b = bit / 8, fb = bit & 7;
    regs[b] &= (uint8_t)~(HLL_REGISTER_MAX << fb);
    regs[b] |= (uint8_t)(val << fb);
    if (fb > 8 - HLL_BITS) {
        unsigned spill = 8 - fb;
        regs[b + 1] &= (uint8_t)~(HLL_REGISTER_MAX >> spill);
        regs[b + 1] |= (uint8_t)(val >> spill);
    }
}

/* ---------- hashing ---------- */
/* MurmurHash64A (Austin Appleby's public-domain algorithm), little-endian reads. */
static uint64_t hllMurmur64A(const void *key, size_t len, uint64_t seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    uint64_t h = seed ^ (len * m);
    const uint8_t *data = key;
    const uint8_t *end = data + (len - (len & 7));
    while (data != end) {
        uint64_t k = 0;
        for (int i = 7; i >= 0; i--) k = (k << 8) | data[i];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
        data += 8;
    }
    switch (len & 7) {
    case 7: h ^= (uint64_t)data[6] << 48; /* fall through */
    case 6: h ^= (uint64_t)data[5] << 40; /* fall through */
    case 5: h ^= (uint64_t)data[4] << 32; /* fall through */
    case 4: h ^= (uint64_t)data[3] << 24; /* fall through */
    case 3: h ^= (uint64_t)data[2] << 16; /* fall through */
    case 2: h ^= (uint64_t)data[1] << 8;  /* fall through */
    case 1: h ^= (uint64_t)data[0]; h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

/* Register index and the run length of the remaining hash bits (1..Q+1). */
static int hllPatLen(const void *ele, size_t len, long *regp) {
    uint64_t hash = hllMurmur64A(ele, len, 0xadc83b19ULL);
    *regp = (long)(hash & HLL_P_MASK);
    hash >>= HLL_P;
    hash |= 1ULL << HLL_Q; /* bounds the run so the loop always ends */
    int count = 1;
    uint64_t bit = 1;
    while ((hash & bit) == 0) {
        count++;
        bit <<= 1;
    }
    return count;
}

/* ---------- object helpers ---------- */
static obj *hllCreateObject(void) {
    size_t len = HLL_HDR_SIZE + ((HLL_REGISTERS + HLL_SPARSE_XZERO_MAX_LEN - 1) / HLL_SPARSE_XZERO_MAX_LEN) * 2;
    obj *o = createRawStringObject(NULL, len);
    uint8_t *h = (uint8_t *)objPtr(o);
    memset(h, 0, len);
    memcpy(h, "HYLL", 4);
    HLL_ENC(h) = HLL_SPARSE;
    uint8_t *p = HLL_REGS(h);
    for (int left = HLL_REGISTERS; left > 0;) {
        int run = left > HLL_SPARSE_XZERO_MAX_LEN ? HLL_SPARSE_XZERO_MAX_LEN : left;
        spSetXZero(p, run);
        p += 2;
        left -= run;
    }
    return o;
}

/* Replies WRONGTYPE (either text) and returns -1 unless o is a usable HLL. */
static int hllCheckOrReply(client *c, obj *o) {
    if (checkType(c, o, OBJ_STRING)) return -1;
    if (!sdsEncodedObject(o)) goto invalid;
    size_t len = bstrLen(objPtr(o));
    const uint8_t *h = (const uint8_t *)objPtr(o);
    if (len < HLL_HDR_SIZE || memcmp(h, "HYLL", 4) != 0) goto invalid;
    if (HLL_ENC(h) > HLL_MAX_ENCODING) goto invalid;
    if (HLL_ENC(h) == HLL_DENSE && len != HLL_DENSE_SIZE) goto invalid;
    return 0;
invalid:
    addReplyError(c, hllWrongTypeErr);
    return -1;
}

/* Rewrites a sparse value as dense in place; -1 if the opcodes are corrupt. */
static int hllSparseToDense(obj *o) {
    uint8_t *h = (uint8_t *)objPtr(o);
    if (HLL_ENC(h) == HLL_DENSE) return 0;
    size_t len = bstrLen(objPtr(o));
    bstr dense = bstrNewLen(NULL, HLL_DENSE_SIZE);
    uint8_t *d = (uint8_t *)dense;
    memcpy(d, h, HLL_HDR_SIZE);
    HLL_ENC(d) = HLL_DENSE;
    const uint8_t *p = HLL_REGS(h), *end = h + len;
    long idx = 0;
    while (p < end) {
        long run;
        if (SP_IS_ZERO(p)) {
            run = SP_ZERO_LEN(p);
            p++;
        } else if (SP_IS_XZERO(p)) {
            run = SP_XZERO_LEN(p);
            p += 2;
        } else {
            run = SP_VAL_LEN(p);
            int v = SP_VAL_VALUE(p);
            if (idx + run > HLL_REGISTERS) break;
            for (long k = 0; k < run; k++) hllDenseSetReg(HLL_REGS(d), idx + k, (unsigned)v);
            p++;
        }
        idx += run;
    }
    if (idx != HLL_REGISTERS) {
        bstrFree(dense);
        return -1;
    }
    bstrFree(objPtr(o));
    objSetPtr(o, dense);
    return 0;
}

/* 1 if the register grew, 0 if not. */
static int hllDenseSet(uint8_t *regs, long idx, int count) {
    if ((unsigned)count > hllDenseGet(regs, idx)) {
        hllDenseSetReg(regs, idx, (unsigned)count);
        return 1;
    }
    return 0;
}

static int hllPromoteAndSet(obj *o, long idx, int count) {
    if (hllSparseToDense(o) != 0) return -1;
    return hllDenseSet(HLL_REGS(objPtr(o)), idx, count);
}

/* Joins adjacent equal-valued VAL opcodes near the edit, scanning at most five
 * opcodes from `from` (the canonical bounded look-around). */
static void hllSparseMergeVals(obj *o, size_t from) {
    uint8_t *base = (uint8_t *)objPtr(o);
    uint8_t *p = base + from, *end = base + bstrLen(objPtr(o));
    int scan = 5;
    while (p < end && scan--) {
        if (SP_IS_XZERO(p)) {
            p += 2;
            continue;
        }
        if (SP_IS_ZERO(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && SP_IS_VAL(p + 1) && SP_VAL_VALUE(p) == SP_VAL_VALUE(p + 1)) {
            int len = SP_VAL_LEN(p) + SP_VAL_LEN(p + 1);
            if (len <= HLL_SPARSE_VAL_MAX_LEN) {
                spSetVal(p + 1, SP_VAL_VALUE(p), len);
                memmove(p, p + 1, (size_t)(end - p - 1));
                end--;
                bstrSetLen(objPtr(o), bstrLen(objPtr(o)) - 1);
                continue;
            }
        }
        p++;
    }
}

/* Sets register idx to count if larger. 1 updated, 0 not, -1 corrupt. */
static int hllSparseSet(obj *o, long idx, int count) {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) return hllPromoteAndSet(o, idx, count);
    uint8_t *base = (uint8_t *)objPtr(o);
    size_t total = bstrLen(objPtr(o));
    uint8_t *p = HLL_REGS(base), *end = base + total, *prev = NULL;
    long first = 0, span = 0;
    while (p < end) {
        int oplen = 1;
        if (SP_IS_ZERO(p)) span = SP_ZERO_LEN(p);
        else if (SP_IS_VAL(p)) span = SP_VAL_LEN(p);
        else {
            span = SP_XZERO_LEN(p);
            oplen = 2;
        }
        if (idx <= first + span - 1) break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end) return -1;

    size_t from = prev ? (size_t)(prev - base) : HLL_HDR_SIZE;
    int is_zero = SP_IS_ZERO(p), is_xzero = SP_IS_XZERO(p), is_val = SP_IS_VAL(p);
    if (is_val) {
        if (SP_VAL_VALUE(p) >= count) return 0;
        if (span == 1) {
            spSetVal(p, count, 1);
            goto updated;
        }
    }
    if (is_zero && span == 1) {
        spSetVal(p, count, 1);
        goto updated;
    }

    /* Split the run covering idx into up to three opcodes (<= 5 bytes). */
    uint8_t seq[5], *s = seq;
    long last = first + span - 1;
    if (is_zero || is_xzero) {
        if (idx != first) s += spEmitZeros(s, (int)(idx - first));
        spSetVal(s++, count, 1);
        if (idx != last) s += spEmitZeros(s, (int)(last - idx));
    } else {
        int cur = SP_VAL_VALUE(p);
        if (idx != first) spSetVal(s++, cur, (int)(idx - first));
        spSetVal(s++, count, 1);
        if (idx != last) spSetVal(s++, cur, (int)(last - idx));
    }
    int seqlen = (int)(s - seq), oldlen = is_xzero ? 2 : 1;
    int delta = seqlen - oldlen;
    if (delta > 0 && total + (size_t)delta > server.hll_sparse_max_bytes) return hllPromoteAndSet(o, idx, count);
    size_t off = (size_t)(p - base);
    if (delta > 0) {
        objSetPtr(o, bstrMakeRoom(objPtr(o), (size_t)delta));
        base = (uint8_t *)objPtr(o);
    }
    p = base + off;
    memmove(p + seqlen, p + oldlen, total - off - (size_t)oldlen);
    memcpy(p, seq, (size_t)seqlen);
    bstrSetLen(objPtr(o), (size_t)((long)total + delta));

updated:
    hllSparseMergeVals(o, from);
    hllInvalidateCache((uint8_t *)objPtr(o));
    return 1;
}

static int hllAdd(obj *o, const char *ele, size_t len) {
    long idx;
    int count = hllPatLen(ele, len, &idx);
    if (HLL_ENC(objPtr(o)) == HLL_DENSE) return hllDenseSet(HLL_REGS(objPtr(o)), idx, count);
    return hllSparseSet(o, idx, count);
}

/* ---------- estimation ---------- */
static double hllTau(double x) {
    if (x == 0. || x == 1.) return 0.;
    double zprev, y = 1.0, z = 1 - x;
    do {
        x = sqrt(x);
        zprev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (zprev != z);
    return z / 3;
}

static double hllSigma(double x) {
    if (x == 1.) return INFINITY;
    double zprev, y = 1, z = x;
    do {
        x *= x;
        zprev = z;
        z += x * y;
        y += y;
    } while (zprev != z);
    return z;
}

/* Ertl's improved estimator from the register-value histogram. */
static uint64_t hllEstimate(const int *histo) {
    double m = HLL_REGISTERS;
    double z = m * hllTau((m - histo[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += histo[j];
        z *= 0.5;
    }
    z += m * hllSigma(histo[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

/* Histogram of a stored HLL; -1 if the sparse form is corrupt. */
static int hllHistogram(const uint8_t *h, size_t len, int *histo) {
    memset(histo, 0, sizeof(int) * 64);
    if (HLL_ENC(h) == HLL_DENSE) {
        for (long j = 0; j < HLL_REGISTERS; j++) histo[hllDenseGet(HLL_REGS(h), j)]++;
        return 0;
    }
    const uint8_t *p = HLL_REGS(h), *end = h + len;
    long idx = 0;
    while (p < end) {
        if (SP_IS_ZERO(p)) {
            idx += SP_ZERO_LEN(p);
            histo[0] += SP_ZERO_LEN(p);
            p++;
        } else if (SP_IS_XZERO(p)) {
            idx += SP_XZERO_LEN(p);
            histo[0] += SP_XZERO_LEN(p);
            p += 2;
        } else {
            idx += SP_VAL_LEN(p);
            histo[SP_VAL_VALUE(p)] += SP_VAL_LEN(p);
            p++;
        }
    }
    return idx == HLL_REGISTERS ? 0 : -1;
}

/* Folds o's registers into max[] (one byte per register); -1 if corrupt. */
static int hllMergeInto(uint8_t *max, obj *o) {
    const uint8_t *h = (const uint8_t *)objPtr(o);
    if (HLL_ENC(h) == HLL_DENSE) {
        for (long j = 0; j < HLL_REGISTERS; j++) {
            unsigned v = hllDenseGet(HLL_REGS(h), j);
            if (v > max[j]) max[j] = (uint8_t)v;
        }
        return 0;
    }
    const uint8_t *p = HLL_REGS(h), *end = h + bstrLen(objPtr(o));
    long idx = 0;
    while (p < end) {
        long run;
        if (SP_IS_ZERO(p)) {
            run = SP_ZERO_LEN(p);
            p++;
        } else if (SP_IS_XZERO(p)) {
            run = SP_XZERO_LEN(p);
            p += 2;
        } else {
            run = SP_VAL_LEN(p);
            if (idx + run > HLL_REGISTERS) break;
            uint8_t v = (uint8_t)SP_VAL_VALUE(p);
            for (long k = 0; k < run; k++)
                if (v > max[idx + k]) max[idx + k] = v;
            p++;
        }
        idx += run;
    }
    return idx == HLL_REGISTERS ? 0 : -1;
}

static uint64_t hllEstimateRaw(const uint8_t *max) {
    int histo[64] = {0};
    for (long j = 0; j < HLL_REGISTERS; j++) histo[max[j]]++;
    return hllEstimate(histo);
}

/* ---------- commands ---------- */
static void pfaddCommand(client *c) {
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    int updated = 0;
    if (o == NULL) {
        o = hllCreateObject();
        dbAdd(c->db, c->argv[1], o);
        updated++;
    } else {
        if (hllCheckOrReply(c, o) != 0) return;
        o = dbUnshareStringValue(c->db, c->argv[1], o);
    }
    for (int j = 2; j < c->argc; j++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *ele = objStrPtr(c->argv[j], buf, sizeof(buf), &len);
        int r = hllAdd(o, ele, len);
        if (r < 0) {
            addReplyError(c, hllInvalidErr);
            return;
        }
        updated += r;
    }
    if (updated) {
        hllInvalidateCache((uint8_t *)objPtr(o));
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_STRING, "pfadd", c->argv[1], c->db->id);
        server.dirty += updated;
    }
    addReply(c, updated ? shared.cone : shared.czero);
}

static void pfcountMulti(client *c) {
    uint8_t *max = zcalloc(HLL_REGISTERS);
    for (int j = 1; j < c->argc; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j]);
        if (o == NULL) continue;
        if (hllCheckOrReply(c, o) != 0) goto done;
        if (hllMergeInto(max, o) != 0) {
            addReplyError(c, hllInvalidErr);
            goto done;
        }
    }
    addReplyLongLong(c, (long long)hllEstimateRaw(max));
done:
    zfree(max);
}

/* Single key: serve the cached value, or compute and store it (a write the
 * replicas and RDB see, which is why PFCOUNT may replicate). */
static void pfcountCommand(client *c) {
    if (c->argc > 2) {
        pfcountMulti(c);
        return;
    }
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o == NULL) {
        addReply(c, shared.czero);
        return;
    }
    if (hllCheckOrReply(c, o) != 0) return;
    o = dbUnshareStringValue(c->db, c->argv[1], o);
    uint8_t *h = (uint8_t *)objPtr(o);
    uint64_t card;
    if (hllCacheValid(h)) {
        card = hllCacheGet(h);
    } else {
        int histo[64];
        if (hllHistogram(h, bstrLen(objPtr(o)), histo) != 0) {
            addReplyError(c, hllInvalidErr);
            return;
        }
        card = hllEstimate(histo);
        hllCacheSet(h, card);
        signalModifiedKey(c, c->db, c->argv[1]);
        server.dirty++;
    }
    addReplyLongLong(c, (long long)card);
}

static void pfmergeCommand(client *c) {
    uint8_t *max = zcalloc(HLL_REGISTERS);
    int use_dense = 0;
    for (int j = 1; j < c->argc; j++) {
        obj *o = lookupKeyRead(c->db, c->argv[j]);
        if (o == NULL) continue;
        if (hllCheckOrReply(c, o) != 0) goto done;
        if (HLL_ENC(objPtr(o)) == HLL_DENSE) use_dense = 1;
        if (hllMergeInto(max, o) != 0) {
            addReplyError(c, hllInvalidErr);
            goto done;
        }
    }
    obj *o = lookupKeyWrite(c->db, c->argv[1]);
    if (o == NULL) {
        o = hllCreateObject();
        dbAdd(c->db, c->argv[1], o);
    } else {
        o = dbUnshareStringValue(c->db, c->argv[1], o);
    }
    if (use_dense && hllSparseToDense(o) != 0) {
        addReplyError(c, hllInvalidErr);
        goto done;
    }
    for (long j = 0; j < HLL_REGISTERS; j++) {
        if (max[j] == 0) continue;
        if (HLL_ENC(objPtr(o)) == HLL_DENSE) hllDenseSet(HLL_REGS(objPtr(o)), j, max[j]);
        else hllSparseSet(o, j, max[j]);
    }
    hllInvalidateCache((uint8_t *)objPtr(o));
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_STRING, "pfadd", c->argv[1], c->db->id);
    server.dirty++;
    addReply(c, shared.ok);
done:
    zfree(max);
}

/* Self test: register packing round trips, sparse and dense agree register by
 * register, and the estimate stays within a few standard errors. */
static int hllSelfTestRegisters(void) {
    uint8_t *regs = zcalloc(HLL_DENSE_SIZE - HLL_HDR_SIZE + 1);
    uint8_t *model = zmalloc(HLL_REGISTERS);
    unsigned seed = 12345;
    int ok = 1;
    for (int round = 0; round < 50 && ok; round++) {
        for (long j = 0; j < HLL_REGISTERS; j++) {
            seed = seed * 1103515245u + 12345u;
            model[j] = (uint8_t)((seed >> 16) & HLL_REGISTER_MAX);
            hllDenseSetReg(regs, j, model[j]);
        }
        for (long j = 0; j < HLL_REGISTERS && ok; j++)
            if (hllDenseGet(regs, j) != model[j]) ok = 0;
    }
    zfree(regs);
    zfree(model);
    return ok;
}

static int hllSelfTestAccuracy(bstr *err) {
    obj *sparse = hllCreateObject();
    obj *dense = hllCreateObject();
    hllSparseToDense(dense);
    double relerr = 1.04 / sqrt(HLL_REGISTERS);
    int ok = 1;
    long long checkpoint = 1;
    for (long long j = 1; j <= 100000 && ok; j++) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%lld", j);
        hllAdd(sparse, buf, (size_t)n);
        hllAdd(dense, buf, (size_t)n);
        if (j != checkpoint) continue;
        checkpoint *= 10;
        int histo[64];
        hllHistogram((uint8_t *)objPtr(dense), bstrLen(objPtr(dense)), histo);
        uint64_t est = hllEstimate(histo);
        hllHistogram((uint8_t *)objPtr(sparse), bstrLen(objPtr(sparse)), histo);
        uint64_t est2 = hllEstimate(histo);
        double maxerr = j < 1000 ? relerr * 4 * (double)j + 1 : relerr * 5 * (double)j;
        if (est != est2) {
            *err = bstrCatPrintf(bstrEmpty(), "TESTFAILED sparse/dense mismatch at %lld: %llu vs %llu", j,
                                 (unsigned long long)est2, (unsigned long long)est);
            ok = 0;
        } else if (fabs((double)est - (double)j) > maxerr) {
            *err = bstrCatPrintf(bstrEmpty(), "TESTFAILED Too big error. card:%llu abserr:%f", (unsigned long long)j,
                                 fabs((double)est - (double)j));
            ok = 0;
        }
    }
    decrRefCount(sparse);
    decrRefCount(dense);
    return ok;
}

static void pfselftestCommand(client *c) {
    bstr err = NULL;
    if (!hllSelfTestRegisters()) {
        addReplyError(c, "ERR TESTFAILED Register error");
        return;
    }
    if (!hllSelfTestAccuracy(&err)) {
        bstr msg = bstrCatPrintf(bstrEmpty(), "ERR %s", err);
        addReplyError(c, msg);
        bstrFree(msg);
        bstrFree(err);
        return;
    }
    addReply(c, shared.ok);
}

static void pfdebugDecode(client *c, const uint8_t *h, size_t len) {
    if (HLL_ENC(h) != HLL_SPARSE) {
        addReplyError(c, "ERR HLL encoding is not sparse");
        return;
    }
    bstr out = bstrEmpty();
    const uint8_t *p = HLL_REGS(h), *end = h + len;
    while (p < end) {
        if (SP_IS_ZERO(p)) {
            out = bstrCatPrintf(out, "z:%d ", SP_ZERO_LEN(p));
            p++;
        } else if (SP_IS_XZERO(p)) {
            out = bstrCatPrintf(out, "Z:%d ", SP_XZERO_LEN(p));
            p += 2;
        } else {
            out = bstrCatPrintf(out, "v:%d,%d ", SP_VAL_VALUE(p), SP_VAL_LEN(p));
            p++;
        }
    }
    bstrTrim(out, " ");
    addReplyBulkBstr(c, out);
}

static void pfdebugCommand(client *c) {
    const char *sub = objPtr(c->argv[1]);
    obj *o = lookupKeyWrite(c->db, c->argv[2]);
    if (o == NULL) {
        addReplyError(c, "ERR The specified key does not exist");
        return;
    }
    if (hllCheckOrReply(c, o) != 0) return;
    o = dbUnshareStringValue(c->db, c->argv[2], o);
    if (!strcasecmp(sub, "getreg")) {
        if (HLL_ENC(objPtr(o)) == HLL_SPARSE) {
            if (hllSparseToDense(o) != 0) {
                addReplyError(c, hllInvalidErr);
                return;
            }
            server.dirty++; /* the encoding change must reach replicas */
        }
        addReplyArrayLen(c, HLL_REGISTERS);
        for (long j = 0; j < HLL_REGISTERS; j++) addReplyLongLong(c, hllDenseGet(HLL_REGS(objPtr(o)), j));
    } else if (!strcasecmp(sub, "decode")) {
        pfdebugDecode(c, (const uint8_t *)objPtr(o), bstrLen(objPtr(o)));
    } else if (!strcasecmp(sub, "encoding")) {
        addReplyStatus(c, HLL_ENC(objPtr(o)) == HLL_DENSE ? "dense" : "sparse");
    } else if (!strcasecmp(sub, "todense")) {
        int converted = 0;
        if (HLL_ENC(objPtr(o)) == HLL_SPARSE) {
            if (hllSparseToDense(o) != 0) {
                addReplyError(c, hllInvalidErr);
                return;
            }
            converted = 1;
            server.dirty++;
        }
        addReply(c, converted ? shared.cone : shared.czero);
    } else {
        addReplyErrorFormat(c, "ERR Unknown PFDEBUG subcommand '%s'", sub);
    }
}

const serverCommandDef hyperloglogCommandTable[] = {
    {"pfadd", pfaddCommand, -2, "write denyoom fast", 1, 1, 1, "hyperloglog", "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", "2.8.9", "O(1) to add every element.", NULL, NULL, "key [element [element ...]]"},
    {"pfcount", pfcountCommand, -2, "readonly may_replicate", 1, -1, 1, "hyperloglog", "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", "2.8.9", "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.", NULL, NULL, "key [key ...]"},
    {"pfmerge", pfmergeCommand, -2, "write denyoom", 1, -1, 1, "hyperloglog", "Merges one or more HyperLogLog values into a single key.", "2.8.9", "O(N) to merge N HyperLogLogs, but with high constant times.", NULL, NULL, "destkey [sourcekey [sourcekey ...]]"},
    {"pfselftest", pfselftestCommand, 1, "admin", 0, 0, 0, "hyperloglog", "An internal command for testing HyperLogLog values.", "2.8.9", "N/A", NULL, NULL, ""},
    {"pfdebug", pfdebugCommand, 3, "write denyoom admin", 2, 2, 1, "hyperloglog", "Internal commands for debugging HyperLogLog values.", "2.8.9", "N/A", NULL, NULL, "subcommand key"},
    {0}};
