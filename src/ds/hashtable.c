/* hashtable: see hashtable.h. Two bucket arrays exist only while rehashing;
 * table[0] is always the one being drained (old), table[1] the destination.
 * New entries go to table[1] while rehashing so table[0] only shrinks. */
#include <sys/types.h>
#include "ds/hashtable.h"
#include "ds/scancursor.h"
#include "ds/bstr.h"
#include "core/zmalloc.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <time.h>

#define HT_INITIAL_SIZE 4
#define HT_FORCE_GROW_RATIO 4   /* grow even when resizing is disabled past this load */
#define HT_MIN_FILL 8           /* shrink when fewer than 1 entry per 8 buckets */
#define HT_FORCE_SHRINK_FILL 32 /* shrink even when disabled below 1 per 32 buckets */
#define HT_EMPTY_VISITS_PER_STEP 10

static int ht_resize_enabled = 1;

void htSetResizeEnabled(int enabled) { ht_resize_enabled = enabled; }

/* ---------------------------------------------------------------- hashing */

static uint8_t ht_seed[16];

void htSetHashSeed(const uint8_t seed[16]) { memcpy(ht_seed, seed, 16); }

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline uint64_t sipLoad64(const uint8_t *p) {
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
           ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) | ((uint64_t)p[5] << 40) |
           ((uint64_t)p[6] << 48) | ((uint64_t)p[7] << 56);
}

typedef struct sipState {
    uint64_t v0, v1, v2, v3;
} sipState;

static inline void sipRound(sipState *s) {
    s->v0 += s->v1;
    s->v1 = SIP_ROTL(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = SIP_ROTL(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = SIP_ROTL(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = SIP_ROTL(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = SIP_ROTL(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = SIP_ROTL(s->v2, 32);
}

static inline void sipAbsorb(sipState *s, uint64_t m, int crounds) {
    s->v3 ^= m;
    for (int i = 0; i < crounds; i++) sipRound(s);
    s->v0 ^= m;
}

static inline uint8_t asciiLower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Generic SipHash-c-d; 'fold' lowercases ASCII so case variants collide on purpose.
 * Exposed (non-static) with a prefix so the unit test can check reference vectors. */
uint64_t htSipHashCD(const uint8_t key[16], const void *data, size_t len, int crounds,
                     int drounds, int fold) {
    const uint8_t *in = data;
    uint64_t k0 = sipLoad64(key), k1 = sipLoad64(key + 8);
    sipState s = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t whole = len & ~(size_t)7;
    uint8_t buf[8];
    for (size_t off = 0; off < whole; off += 8) {
        const uint8_t *p = in + off;
        if (fold) {
            for (int i = 0; i < 8; i++) buf[i] = asciiLower(in[off + i]);
            p = buf;
        }
        sipAbsorb(&s, sipLoad64(p), crounds);
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++) {
        uint8_t c = in[whole + i];
        if (fold) c = asciiLower(c);
        last |= (uint64_t)c << (8 * i);
    }
    sipAbsorb(&s, last, crounds);
    s.v2 ^= 0xff;
    for (int i = 0; i < drounds; i++) sipRound(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* The hot path: SipHash-1-2 with rounds fixed at compile time, word loads
 * instead of byte assembly on little-endian hosts, no case folding. */
static inline uint64_t sipWord(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    return sipLoad64(p);
#endif
}

uint64_t htGenHash(const void *key, size_t len) {
    const uint8_t *in = key;
    uint64_t k0 = sipWord(ht_seed), k1 = sipWord(ht_seed + 8);
    sipState s = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    const uint8_t *end = in + (len & ~(size_t)7);
    for (; in != end; in += 8) {
        uint64_t m = sipWord(in);
        s.v3 ^= m;
        sipRound(&s);
        s.v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    switch (len & 7) {
    case 7: b |= (uint64_t)in[6] << 48; /* fall through */
    case 6: b |= (uint64_t)in[5] << 40; /* fall through */
    case 5: b |= (uint64_t)in[4] << 32; /* fall through */
    case 4: b |= (uint64_t)in[3] << 24; /* fall through */
    case 3: b |= (uint64_t)in[2] << 16; /* fall through */
    case 2: b |= (uint64_t)in[1] << 8;  /* fall through */
    case 1: b |= (uint64_t)in[0]; break;
    case 0: break;
    }
    s.v3 ^= b;
    sipRound(&s);
    s.v0 ^= b;
    s.v2 ^= 0xff;
    sipRound(&s);
    sipRound(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t htGenCaseHash(const void *key, size_t len) {
    return htSipHashCD(ht_seed, key, len, 1, 2, 1);
}

uint64_t htBstrHash(const void *key) { return htGenHash(key, bstrLen((const bstr)key)); }

uint64_t htBstrCaseHash(const void *key) { return htGenCaseHash(key, bstrLen((const bstr)key)); }

int htBstrEqual(const void *a, const void *b) {
    size_t la = bstrLen((const bstr)a), lb = bstrLen((const bstr)b);
    return la == lb && memcmp(a, b, la) == 0;
}

int htBstrCaseEqual(const void *a, const void *b) {
    size_t la = bstrLen((const bstr)a), lb = bstrLen((const bstr)b);
    return la == lb && strncasecmp(a, b, la) == 0;
}

void htBstrFree(void *p) { bstrFree(p); }

/* ---------------------------------------------------------- basic helpers */

static inline uint64_t hashOf(hashtable *ht, const void *key) { return ht->type->hash(key); }

uint64_t htHashKey(hashtable *ht, const void *key) { return hashOf(ht, key); }

static inline int keysEqual(hashtable *ht, const void *a, const void *b) {
    if (a == b) return 1;
    return ht->type->keyEqual ? ht->type->keyEqual(a, b) : 0;
}

static inline void destroyKey(hashtable *ht, void *key) {
    if (ht->type->keyDestructor) ht->type->keyDestructor(key);
}

static inline void destroyVal(hashtable *ht, void *val) {
    if (ht->type->valDestructor) ht->type->valDestructor(val);
}

static inline int rehashing(const hashtable *ht) { return ht->rehashidx != -1; }

int htIsRehashing(const hashtable *ht) { return rehashing(ht); }

static void resetTable(hashtable *ht, int t) {
    ht->table[t] = NULL;
    ht->size[t] = 0;
    ht->used[t] = 0;
}

hashtable *htCreate(htType *type) {
    hashtable *ht = zmalloc(sizeof(*ht));
    ht->type = type;
    resetTable(ht, 0);
    resetTable(ht, 1);
    ht->rehashidx = -1;
    ht->pauserehash = 0;
    ht->metadata = NULL;
    return ht;
}

size_t htSize(const hashtable *ht) { return ht->used[0] + ht->used[1]; }

size_t htBuckets(const hashtable *ht) { return ht->size[0] + ht->size[1]; }

size_t htMemUsage(const hashtable *ht) {
    return htBuckets(ht) * sizeof(htEntry *) + htSize(ht) * sizeof(htEntry);
}

/* Frees every entry of one table; calls callback every 64k buckets so a
 * huge release can keep serving (e.g. replication pings). */
static void clearTable(hashtable *ht, int t, void (*callback)(hashtable *)) {
    for (unsigned long i = 0; i < ht->size[t] && ht->used[t] > 0; i++) {
        if (callback && (i & 65535) == 0) callback(ht);
        htEntry *e = ht->table[t][i];
        while (e) {
            htEntry *next = e->next;
            destroyKey(ht, e->key);
            destroyVal(ht, e->v.val);
            zfree(e);
            ht->used[t]--;
            e = next;
        }
    }
    zfree(ht->table[t]);
    resetTable(ht, t);
}

void htEmpty(hashtable *ht, void (*callback)(hashtable *)) {
    clearTable(ht, 0, callback);
    clearTable(ht, 1, callback);
    ht->rehashidx = -1;
    ht->pauserehash = 0;
}

void htRelease(hashtable *ht) {
    if (!ht) return;
    htEmpty(ht, NULL);
    zfree(ht);
}

/* ---------------------------------------------------------------- resizing */

static unsigned long nextPower(unsigned long size) {
    unsigned long s = HT_INITIAL_SIZE;
    if (size >= (unsigned long)LONG_MAX) return (unsigned long)LONG_MAX + 1UL;
    while (s < size) s <<= 1;
    return s;
}

static int resizeTo(hashtable *ht, unsigned long size, int tryAlloc) {
    if (rehashing(ht) || ht->used[0] > size) return -1;
    unsigned long real = nextPower(size);
    if (real == ht->size[0]) return -1;
    if (real < size || real * sizeof(htEntry *) < real) return -1; /* overflow */
    htEntry **buckets;
    if (tryAlloc) {
        buckets = ztrymalloc(real * sizeof(htEntry *));
        if (!buckets) return -1;
        memset(buckets, 0, real * sizeof(htEntry *));
    } else {
        buckets = zcalloc(real * sizeof(htEntry *));
    }
    if (ht->table[0] == NULL) {
        ht->table[0] = buckets;
        ht->size[0] = real;
        ht->used[0] = 0;
        return 0;
    }
    ht->table[1] = buckets;
    ht->size[1] = real;
    ht->used[1] = 0;
    ht->rehashidx = 0;
    return 0;
}

int htExpand(hashtable *ht, unsigned long size) { return resizeTo(ht, size, 0); }

int htTryExpand(hashtable *ht, unsigned long size) { return resizeTo(ht, size, 1); }

static void growIfNeeded(hashtable *ht) {
    if (rehashing(ht)) return;
    if (ht->size[0] == 0) {
        resizeTo(ht, HT_INITIAL_SIZE, 0);
        return;
    }
    if (ht->used[0] < ht->size[0]) return;
    if (ht_resize_enabled || ht->used[0] / ht->size[0] >= HT_FORCE_GROW_RATIO)
        resizeTo(ht, ht->used[0] + 1, 0);
}

static void shrinkIfNeeded(hashtable *ht) {
    if (rehashing(ht) || ht->pauserehash > 0 || ht->size[0] <= HT_INITIAL_SIZE) return;
    unsigned long fill = ht_resize_enabled ? HT_MIN_FILL : HT_FORCE_SHRINK_FILL;
    if (ht->used[0] * fill < ht->size[0]) resizeTo(ht, ht->used[0], 0);
}

void htResizeIfNeeded(hashtable *ht) {
    shrinkIfNeeded(ht);
    if (!rehashing(ht) && ht->size[0] && ht->used[0] >= ht->size[0]) growIfNeeded(ht);
}

static void finishRehash(hashtable *ht) {
    zfree(ht->table[0]);
    ht->table[0] = ht->table[1];
    ht->size[0] = ht->size[1];
    ht->used[0] = ht->used[1];
    resetTable(ht, 1);
    ht->rehashidx = -1;
}

static void moveBucket(hashtable *ht, unsigned long idx) {
    htEntry *e = ht->table[0][idx];
    unsigned long mask = ht->size[1] - 1;
    while (e) {
        htEntry *next = e->next;
        unsigned long dst = hashOf(ht, e->key) & mask;
        e->next = ht->table[1][dst];
        ht->table[1][dst] = e;
        ht->used[0]--;
        ht->used[1]++;
        e = next;
    }
    ht->table[0][idx] = NULL;
}

int htRehashSteps(hashtable *ht, int n) {
    if (!rehashing(ht)) return 0;
    int emptyBudget = n * HT_EMPTY_VISITS_PER_STEP;
    while (n-- > 0 && ht->used[0] != 0) {
        while (ht->table[0][ht->rehashidx] == NULL) {
            ht->rehashidx++;
            if (--emptyBudget == 0) return 1;
        }
        moveBucket(ht, (unsigned long)ht->rehashidx);
        ht->rehashidx++;
    }
    if (ht->used[0] == 0) {
        finishRehash(ht);
        return 0;
    }
    return 1;
}

static long long nowMicros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Returns the number of rehash steps performed (in units of 100 buckets). */
int htRehashMicroseconds(hashtable *ht, long long us) {
    if (ht->pauserehash > 0) return 0;
    long long start = nowMicros();
    int steps = 0;
    while (htRehashSteps(ht, 100)) {
        steps += 100;
        if (nowMicros() - start > us) break;
    }
    return steps;
}

static inline void rehashStepIfAllowed(hashtable *ht) {
    if (ht->pauserehash == 0 && rehashing(ht)) htRehashSteps(ht, 1);
}

/* ------------------------------------------------------- add/find/delete */

static htEntry *findIn(hashtable *ht, const void *key, uint64_t h) {
    for (int t = 0; t <= 1; t++) {
        if (ht->size[t] == 0) continue;
        for (htEntry *e = ht->table[t][h & (ht->size[t] - 1)]; e; e = e->next)
            if (keysEqual(ht, e->key, key)) return e;
        if (!rehashing(ht)) break;
    }
    return NULL;
}

htEntry *htFindWithHash(hashtable *ht, const void *key, uint64_t hash) {
    if (htSize(ht) == 0) return NULL;
    return findIn(ht, key, hash);
}

htEntry *htFind(hashtable *ht, const void *key) {
    if (htSize(ht) == 0) return NULL;
    rehashStepIfAllowed(ht);
    return findIn(ht, key, hashOf(ht, key));
}

void *htFetchValue(hashtable *ht, const void *key) {
    htEntry *e = htFind(ht, key);
    return e ? e->v.val : NULL;
}

htEntry *htAddRaw(hashtable *ht, void *key, htEntry **existing) {
    rehashStepIfAllowed(ht);
    growIfNeeded(ht);
    uint64_t h = hashOf(ht, key);
    htEntry *found = findIn(ht, key, h);
    if (found) {
        if (existing) *existing = found;
        return NULL;
    }
    int t = rehashing(ht) ? 1 : 0;
    htEntry *e = zmalloc(sizeof(*e));
    unsigned long idx = h & (ht->size[t] - 1);
    e->key = key;
    e->v.u64 = 0;
    e->next = ht->table[t][idx];
    ht->table[t][idx] = e;
    ht->used[t]++;
    return e;
}

int htAdd(hashtable *ht, void *key, void *val) {
    htEntry *e = htAddRaw(ht, key, NULL);
    if (!e) return -1;
    e->v.val = val;
    return 0;
}

/* When the key exists the caller keeps ownership of 'key' (only the value
 * changes hands), mirroring htAdd's failure case. */
int htReplace(hashtable *ht, void *key, void *val) {
    htEntry *existing = NULL;
    htEntry *e = htAddRaw(ht, key, &existing);
    if (e) {
        e->v.val = val;
        return 1;
    }
    void *old = existing->v.val;
    existing->v.val = val;
    destroyVal(ht, old);
    return 0;
}

static htEntry *unlinkEntry(hashtable *ht, const void *key) {
    if (htSize(ht) == 0) return NULL;
    rehashStepIfAllowed(ht);
    uint64_t h = hashOf(ht, key);
    for (int t = 0; t <= 1; t++) {
        if (ht->size[t] == 0) continue;
        htEntry **slot = &ht->table[t][h & (ht->size[t] - 1)];
        while (*slot) {
            htEntry *e = *slot;
            if (keysEqual(ht, e->key, key)) {
                *slot = e->next;
                e->next = NULL;
                ht->used[t]--;
                return e;
            }
            slot = &e->next;
        }
        if (!rehashing(ht)) break;
    }
    return NULL;
}

htEntry *htUnlink(hashtable *ht, const void *key) { return unlinkEntry(ht, key); }

void htFreeUnlinkedEntry(hashtable *ht, htEntry *e) {
    if (!e) return;
    destroyKey(ht, e->key);
    destroyVal(ht, e->v.val);
    zfree(e);
}

int htDelete(hashtable *ht, const void *key) {
    htEntry *e = unlinkEntry(ht, key);
    if (!e) return -1;
    htFreeUnlinkedEntry(ht, e);
    shrinkIfNeeded(ht);
    return 0;
}

/* --------------------------------------------------------------- iterators */

static uint64_t mix64(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

static uint64_t fingerprintOf(const hashtable *ht) {
    uint64_t h = 0;
    h = mix64(h, (uint64_t)(uintptr_t)ht->table[0]);
    h = mix64(h, ht->size[0]);
    h = mix64(h, ht->used[0]);
    h = mix64(h, (uint64_t)(uintptr_t)ht->table[1]);
    h = mix64(h, ht->size[1]);
    h = mix64(h, ht->used[1]);
    return h;
}

static void initIter(htIterator *it, hashtable *ht, int safe) {
    it->ht = ht;
    it->index = -1;
    it->table = 0;
    it->safe = safe;
    it->entry = NULL;
    it->nextEntry = NULL;
    it->fingerprint = 0;
}

void htInitIterator(htIterator *it, hashtable *ht) { initIter(it, ht, 0); }

void htInitSafeIterator(htIterator *it, hashtable *ht) { initIter(it, ht, 1); }

static inline int iterStarted(const htIterator *it) { return !(it->index == -1 && it->table == 0); }

htEntry *htNext(htIterator *it) {
    hashtable *ht = it->ht;
    for (;;) {
        if (it->entry == NULL) {
            if (!iterStarted(it)) {
                if (it->safe) ht->pauserehash++;
                else it->fingerprint = fingerprintOf(ht);
            }
            it->index++;
            if ((unsigned long)it->index >= ht->size[it->table]) {
                if (rehashing(ht) && it->table == 0) {
                    it->table = 1;
                    it->index = 0;
                    if (ht->size[1] == 0) return NULL;
                } else {
                    it->index = (long)ht->size[it->table]; /* stay at end on repeated calls */
                    return NULL;
                }
            }
            it->entry = ht->table[it->table][it->index];
        } else {
            it->entry = it->nextEntry;
        }
        if (it->entry) {
            it->nextEntry = it->entry->next;
            return it->entry;
        }
    }
}

void htResetIterator(htIterator *it) {
    if (!iterStarted(it)) return;
    if (it->safe) {
        it->ht->pauserehash--;
    } else {
        assert(it->fingerprint == fingerprintOf(it->ht) && "hashtable changed under unsafe iterator");
    }
    initIter(it, it->ht, it->safe);
}

/* ----------------------------------------------------------------- random */

static unsigned long randomUL(void) {
    return ((unsigned long)random() << 31) ^ (unsigned long)random();
}

htEntry *htGetRandomEntry(hashtable *ht) {
    if (htSize(ht) == 0) return NULL;
    rehashStepIfAllowed(ht);
    htEntry *head;
    if (rehashing(ht)) {
        /* Buckets of table[0] below rehashidx are empty: skip them. */
        unsigned long lo = (unsigned long)ht->rehashidx;
        unsigned long span = ht->size[0] + ht->size[1] - lo;
        do {
            unsigned long h = lo + randomUL() % span;
            head = h >= ht->size[0] ? ht->table[1][h - ht->size[0]] : ht->table[0][h];
        } while (!head);
    } else {
        unsigned long mask = ht->size[0] - 1;
        do head = ht->table[0][randomUL() & mask];
        while (!head);
    }
    unsigned long len = 0;
    for (htEntry *e = head; e; e = e->next) len++;
    unsigned long pick = randomUL() % len;
    while (pick--) head = head->next;
    return head;
}

unsigned int htGetSomeEntries(hashtable *ht, htEntry **out, unsigned int count) {
    size_t total = htSize(ht);
    if (count > total) count = (unsigned int)total;
    if (count == 0) return 0;
    for (unsigned int i = 0; i < count && ht->pauserehash == 0 && rehashing(ht); i++)
        htRehashSteps(ht, 1);
    int tables = rehashing(ht) ? 2 : 1;
    unsigned long maxmask = ht->size[0] - 1;
    if (tables == 2 && ht->size[1] - 1 > maxmask) maxmask = ht->size[1] - 1;
    unsigned long idx = randomUL() & maxmask;
    unsigned long maxsteps = (unsigned long)count * 10, emptyRun = 0;
    unsigned int got = 0;
    while (got < count && maxsteps--) {
        for (int t = 0; t < tables && got < count; t++) {
            if (tables == 2 && t == 0 && idx < (unsigned long)ht->rehashidx) {
                /* Already-migrated part of the old table is empty. When the new
                 * table is smaller, jump ahead instead of wasting steps. */
                if (idx >= ht->size[1]) idx = (unsigned long)ht->rehashidx;
                continue;
            }
            if (idx >= ht->size[t]) continue;
            htEntry *e = ht->table[t][idx];
            if (!e) {
                emptyRun++;
                if (emptyRun >= 5 && emptyRun > count) {
                    idx = randomUL() & maxmask;
                    emptyRun = 0;
                }
                continue;
            }
            emptyRun = 0;
            for (; e && got < count; e = e->next) out[got++] = e;
        }
        idx = (idx + 1) & maxmask;
    }
    return got;
}

#define HT_FAIR_SAMPLE 16

htEntry *htGetFairRandomEntry(hashtable *ht) {
    htEntry *sample[HT_FAIR_SAMPLE];
    unsigned int n = htGetSomeEntries(ht, sample, HT_FAIR_SAMPLE);
    if (n == 0) return htGetRandomEntry(ht);
    return sample[randomUL() % n];
}

/* ------------------------------------------------------------------- scan */

static void scanBucket(htEntry *e, htScanFunction *fn, void *privdata) {
    while (e) {
        htEntry *next = e->next;
        fn(privdata, e);
        e = next;
    }
}

unsigned long htScan(hashtable *ht, unsigned long cursor, htScanFunction *fn, void *privdata) {
    if (htSize(ht) == 0) return 0;
    unsigned long v = cursor;
    ht->pauserehash++;
    if (!rehashing(ht)) {
        unsigned long m0 = ht->size[0] - 1;
        scanBucket(ht->table[0][v & m0], fn, privdata);
        v = scanCursorNext(v, m0);
    } else {
        int small = ht->size[0] <= ht->size[1] ? 0 : 1, large = 1 - small;
        unsigned long m0 = ht->size[small] - 1, m1 = ht->size[large] - 1;
        scanBucket(ht->table[small][v & m0], fn, privdata);
        /* Every bucket of the larger table that folds onto the small one. */
        do {
            scanBucket(ht->table[large][v & m1], fn, privdata);
            v = scanCursorNext(v, m1);
        } while (v & (m0 ^ m1));
    }
    ht->pauserehash--;
    return v;
}
