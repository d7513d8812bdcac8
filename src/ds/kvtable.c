/* kvtable: see kvtable.h. tables[0] is the one being drained while
 * rehashing; new elements then go to tables[1] so tables[0] only shrinks.
 * Deleting only clears a presence bit; an emptied child at the end of a chain
 * is freed unless a safe iterator may be standing on it. */
#include "ds/kvtable.h"
#include "ds/scancursor.h"
#include "core/zmalloc.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KVT_SLOTS 7
#define KVT_CHILD_BIT 0x80
#define KVT_ALL_SLOTS 0x7f
#define KVT_MAX_FILL 8            /* average elements per bucket before growing */
#define KVT_FORCE_FILL 32         /* grow past this even when resizing is disabled */
#define KVT_EMPTY_VISITS 10

struct kvtBucket {
    uint8_t presence;             /* bit i: slot i used; KVT_CHILD_BIT: slots[6] is a child */
    uint8_t tags[KVT_SLOTS];      /* top byte of each element's hash */
    void *slots[KVT_SLOTS];
};

_Static_assert(sizeof(struct kvtBucket) == 64, "a bucket is one cache line");

static int kvt_resize_enabled = 1;

void kvtSetResizeEnabled(int enabled) { kvt_resize_enabled = enabled; }

static inline size_t numBuckets(const kvtable *t, int i) {
    return t->exp[i] < 0 ? 0 : (size_t)1 << t->exp[i];
}
static inline size_t maskOf(const kvtable *t, int i) { return numBuckets(t, i) - 1; }
static inline int rehashing(const kvtable *t) { return t->rehashidx != -1; }
static inline uint8_t tagOf(uint64_t h) { return (uint8_t)(h >> 56); }
static inline int isChained(const kvtBucket *b) { return (b->presence & KVT_CHILD_BIT) != 0; }
static inline kvtBucket *childOf(const kvtBucket *b) { return isChained(b) ? b->slots[KVT_SLOTS - 1] : NULL; }
static inline int slotCount(const kvtBucket *b) { return isChained(b) ? KVT_SLOTS - 1 : KVT_SLOTS; }
static inline uint64_t hashElem(kvtable *t, const void *elem) {
    return t->type->hashKey(t->type->elemKey(elem));
}

kvtable *kvtCreate(kvtType *type) {
    kvtable *t = zcalloc(sizeof(*t));
    t->type = type;
    t->exp[0] = t->exp[1] = -1;
    t->rehashidx = -1;
    return t;
}

size_t kvtSize(const kvtable *t) { return t->used[0] + t->used[1]; }
size_t kvtBuckets(const kvtable *t) { return numBuckets(t, 0) + numBuckets(t, 1); }
size_t kvtMemUsage(const kvtable *t) {
    return sizeof(*t) + (kvtBuckets(t) + t->children) * sizeof(kvtBucket);
}
int kvtIsRehashing(const kvtable *t) { return rehashing(t); }

/* Smallest power-of-two bucket count whose average fill stays under the limit. */
static int8_t expFor(size_t n) {
    int8_t e = 0;
    while (((size_t)1 << e) * KVT_MAX_FILL <= n && e < 62) e++;
    return e;
}

/* -------------------------------------------------------------- placement */

/* Put elem into the first free slot of the chain at b, growing the chain
 * with a child bucket (the last slot's element moves into it) when full. */
static void placeInChain(kvtable *t, kvtBucket *b, void *elem, uint8_t tag) {
    for (;;) {
        int n = slotCount(b);
        unsigned freeMask = ~b->presence & ((1u << n) - 1);
        if (freeMask) {
            int i = __builtin_ctz(freeMask);
            b->slots[i] = elem;
            b->tags[i] = tag;
            b->presence |= (uint8_t)(1u << i);
            return;
        }
        if (!isChained(b)) break;
        b = childOf(b);
    }
    kvtBucket *child = zcalloc(sizeof(*child));
    t->children++;
    int last = KVT_SLOTS - 1;
    child->slots[0] = b->slots[last];
    child->tags[0] = b->tags[last];
    child->slots[1] = elem;
    child->tags[1] = tag;
    child->presence = 0x3;
    b->slots[last] = child;
    b->presence = (uint8_t)((b->presence & ~(1u << last)) | KVT_CHILD_BIT);
}

/* ----------------------------------------------------------------- resize */

static void freeChainChildren(kvtable *t, kvtBucket *b) {
    kvtBucket *c = childOf(b);
    while (c) {
        kvtBucket *next = childOf(c);
        zfree(c);
        t->children--;
        c = next;
    }
}

static int resizeTo(kvtable *t, int8_t e, int try_only) {
    if (rehashing(t)) return -1;
    if (t->exp[0] == e) return -1;
    size_t n = (size_t)1 << e;
    kvtBucket *nt;
    if (try_only) {
        nt = ztrymalloc(n * sizeof(kvtBucket));
        if (!nt) return -1;
        memset(nt, 0, n * sizeof(kvtBucket));
    } else {
        nt = zcalloc(n * sizeof(kvtBucket));
    }
    if (t->exp[0] < 0) {
        t->tables[0] = nt;
        t->exp[0] = e;
        return 0;
    }
    t->tables[1] = nt;
    t->exp[1] = e;
    t->used[1] = 0;
    t->rehashidx = 0;
    return 0;
}

int kvtExpand(kvtable *t, size_t n) {
    if (n < kvtSize(t)) return -1;
    int8_t e = expFor(n);
    if (t->exp[0] >= e) return -1;
    return resizeTo(t, e, 0);
}

int kvtTryExpand(kvtable *t, size_t n) {
    if (n < kvtSize(t)) return -1;
    int8_t e = expFor(n);
    if (t->exp[0] >= e) return -1;
    return resizeTo(t, e, 1);
}

static void growIfNeeded(kvtable *t) {
    if (rehashing(t)) return;
    if (t->exp[0] < 0) {
        resizeTo(t, 0, 0);
        return;
    }
    size_t cap = numBuckets(t, 0);
    if (t->used[0] >= cap * KVT_MAX_FILL &&
        (kvt_resize_enabled || t->used[0] >= cap * KVT_FORCE_FILL))
        resizeTo(t, expFor(t->used[0] + 1), 0);
}

void kvtResizeIfNeeded(kvtable *t) {
    if (rehashing(t) || t->exp[0] <= 0) return;
    size_t cap = numBuckets(t, 0);
    /* Sparse: under one element per bucket (one per 4 when resizing is off). */
    if (t->used[0] < cap && (kvt_resize_enabled || t->used[0] * 4 < cap))
        resizeTo(t, expFor(t->used[0]), 0);
}

static void finishRehash(kvtable *t) {
    zfree(t->tables[0]);
    t->tables[0] = t->tables[1];
    t->exp[0] = t->exp[1];
    t->used[0] = t->used[1];
    t->tables[1] = NULL;
    t->exp[1] = -1;
    t->used[1] = 0;
    t->rehashidx = -1;
}

static void moveChain(kvtable *t, kvtBucket *b) {
    size_t mask1 = maskOf(t, 1);
    for (kvtBucket *cur = b; cur; cur = childOf(cur)) {
        int n = slotCount(cur);
        for (int i = 0; i < n; i++) {
            if (!(cur->presence & (1u << i))) continue;
            void *elem = cur->slots[i];
            uint64_t h = hashElem(t, elem);
            placeInChain(t, &t->tables[1][h & mask1], elem, tagOf(h));
            t->used[0]--;
            t->used[1]++;
        }
    }
    freeChainChildren(t, b);
    memset(b, 0, sizeof(*b));
}

int kvtRehashSteps(kvtable *t, int n) {
    if (!rehashing(t)) return 0;
    int empty_visits = n * KVT_EMPTY_VISITS;
    size_t size0 = numBuckets(t, 0);
    /* Deletes made while rehashing was paused may leave an emptied child
     * bucket linked in the old table (no element, presence = child bit only):
     * with any child bucket around, walk the old table to its end so moveChain
     * frees them, instead of finishing as soon as its elements are gone. */
    while (n-- && (t->used[0] != 0 || t->children != 0)) {
        while ((size_t)t->rehashidx < size0 && t->tables[0][t->rehashidx].presence == 0) {
            t->rehashidx++;
            if (--empty_visits == 0) return 1;
        }
        if ((size_t)t->rehashidx >= size0) break;
        moveChain(t, &t->tables[0][t->rehashidx]);
        t->rehashidx++;
    }
    if ((t->used[0] == 0 && t->children == 0) || (size_t)t->rehashidx >= size0) {
        finishRehash(t);
        return 0;
    }
    return 1;
}

static long long monoUs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int kvtRehashMicroseconds(kvtable *t, long long us) {
    if (t->pauserehash > 0) return 0;
    long long start = monoUs();
    int rehashes = 0;
    while (kvtRehashSteps(t, 100)) {
        rehashes += 100;
        if (monoUs() - start > us) break;
    }
    return rehashes;
}

static inline void rehashStepIfAllowed(kvtable *t) {
    if (rehashing(t) && t->pauserehash == 0) kvtRehashSteps(t, 1);
}

/* ----------------------------------------------------------------- lookup */

typedef struct kvtPos {
    kvtBucket *bucket, *parent;   /* parent: the bucket chaining to bucket, or NULL */
    int slot, table;
} kvtPos;

static int locate(kvtable *t, const void *key, uint64_t h, kvtPos *pos) {
    uint8_t tag = tagOf(h);
    for (int ti = 0; ti <= 1; ti++) {
        if (t->exp[ti] < 0) break;
        size_t idx = h & maskOf(t, ti);
        if (ti == 0 && rehashing(t) && (long)idx < t->rehashidx) continue;
        kvtBucket *parent = NULL;
        for (kvtBucket *b = &t->tables[ti][idx]; b; parent = b, b = childOf(b)) {
            int n = slotCount(b);
            for (int i = 0; i < n; i++) {
                if (!(b->presence & (1u << i)) || b->tags[i] != tag) continue;
                const void *k = t->type->elemKey(b->slots[i]);
                if (k == key || t->type->keyEqual(k, key)) {
                    pos->bucket = b;
                    pos->parent = parent;
                    pos->slot = i;
                    pos->table = ti;
                    return 1;
                }
            }
        }
        if (!rehashing(t)) break;
    }
    return 0;
}

void *kvtFind(kvtable *t, const void *key) {
    if (kvtSize(t) == 0) return NULL;
    rehashStepIfAllowed(t);
    kvtPos pos;
    if (!locate(t, key, t->type->hashKey(key), &pos)) return NULL;
    return pos.bucket->slots[pos.slot];
}

void **kvtFindRef(kvtable *t, const void *key) {
    if (kvtSize(t) == 0) return NULL;
    kvtPos pos;
    if (!locate(t, key, t->type->hashKey(key), &pos)) return NULL;
    return &pos.bucket->slots[pos.slot];
}

void kvtPrefetch(kvtable *t, const void *key) {
    int ti = rehashing(t) ? 1 : 0;
    if (t->exp[ti] < 0) return;
    __builtin_prefetch(&t->tables[ti][t->type->hashKey(key) & maskOf(t, ti)]);
}

int kvtAdd(kvtable *t, void *elem) {
    const void *key = t->type->elemKey(elem);
    uint64_t h = t->type->hashKey(key);
    rehashStepIfAllowed(t);
    kvtPos pos;
    if (kvtSize(t) && locate(t, key, h, &pos)) return -1;
    growIfNeeded(t);
    int ti = rehashing(t) ? 1 : 0;
    placeInChain(t, &t->tables[ti][h & maskOf(t, ti)], elem, tagOf(h));
    t->used[ti]++;
    return 0;
}

/* Free an emptied child at the tail of its chain: lookups stay short. */
static void compactAfterDelete(kvtable *t, kvtPos *pos) {
    if (t->pauserehash > 0 || !pos->parent) return;
    kvtBucket *b = pos->bucket;
    if (b->presence != 0) return;
    kvtBucket *p = pos->parent;
    p->slots[KVT_SLOTS - 1] = NULL;
    p->presence &= (uint8_t)~KVT_CHILD_BIT;
    zfree(b);
    t->children--;
}

void *kvtPop(kvtable *t, const void *key) {
    if (kvtSize(t) == 0) return NULL;
    rehashStepIfAllowed(t);
    kvtPos pos;
    if (!locate(t, key, t->type->hashKey(key), &pos)) return NULL;
    void *elem = pos.bucket->slots[pos.slot];
    pos.bucket->presence &= (uint8_t)~(1u << pos.slot);
    pos.bucket->slots[pos.slot] = NULL;
    t->used[pos.table]--;
    compactAfterDelete(t, &pos);
    return elem;
}

int kvtDelete(kvtable *t, const void *key) {
    void *elem = kvtPop(t, key);
    if (!elem) return -1;
    if (t->type->elemDestructor) t->type->elemDestructor(elem);
    return 0;
}

static size_t chainCount(const kvtBucket *b) {
    size_t n = 0;
    for (; b; b = childOf(b)) n += (size_t)__builtin_popcount(b->presence & KVT_ALL_SLOTS & ((1u << slotCount(b)) - 1));
    return n;
}

static void *chainNth(kvtBucket *b, size_t k) {
    for (; b; b = childOf(b)) {
        int n = slotCount(b);
        for (int i = 0; i < n; i++) {
            if (!(b->presence & (1u << i))) continue;
            if (k-- == 0) return b->slots[i];
        }
    }
    return NULL;
}

/* Rejection sampling: a uniformly chosen bucket, then a uniformly chosen
 * position among `cap` virtual ones, retried when that position is empty.
 * Every element then has the same chance per try whatever its chain length
 * (picking a bucket, then one of its elements, favours sparse buckets).
 * cap sits well above the longest likely chain, assuming every element were
 * in the smaller table; a rarer longer chain is sampled over its own length. */
void *kvtFairRandom(kvtable *t) {
    if (kvtSize(t) == 0) return NULL;
    rehashStepIfAllowed(t);
    size_t n0 = numBuckets(t, 0), n1 = numBuckets(t, 1);
    size_t smaller = (n1 && n1 < n0) ? n1 : n0;
    size_t cap = 2 * ((kvtSize(t) + smaller - 1) / smaller) + 8;
    for (;;) {
        size_t r = ((size_t)random() << 31 ^ (size_t)random()) % (n0 + n1);
        kvtBucket *b;
        if (r < n0) {
            if (rehashing(t) && (long)r < t->rehashidx) continue;
            b = &t->tables[0][r];
        } else {
            b = &t->tables[1][r - n0];
        }
        size_t c = chainCount(b);
        if (c == 0) continue;
        size_t k = (size_t)random() % (c > cap ? c : cap);
        if (k < c) return chainNth(b, k);
    }
}

/* ------------------------------------------------------------------ empty */

static void clearTable(kvtable *t, int ti, void (*callback)(void *), void *arg) {
    size_t n = numBuckets(t, ti);
    for (size_t i = 0; i < n; i++) {
        if (callback && (i & 65535) == 0) callback(arg);
        kvtBucket *b = &t->tables[ti][i];
        if (b->presence == 0) continue;
        if (t->type->elemDestructor) {
            for (kvtBucket *cur = b; cur; cur = childOf(cur)) {
                int cnt = slotCount(cur);
                for (int s = 0; s < cnt; s++)
                    if (cur->presence & (1u << s)) t->type->elemDestructor(cur->slots[s]);
            }
        }
        freeChainChildren(t, b);
    }
    zfree(t->tables[ti]);
    t->tables[ti] = NULL;
    t->exp[ti] = -1;
    t->used[ti] = 0;
}

void kvtEmpty(kvtable *t, void (*callback)(void *), void *arg) {
    clearTable(t, 0, callback, arg);
    clearTable(t, 1, callback, arg);
    t->rehashidx = -1;
    t->pauserehash = 0;
    t->children = 0;
}

void kvtRelease(kvtable *t) {
    kvtEmpty(t, NULL, NULL);
    zfree(t);
}

/* --------------------------------------------------------------- iterator */

void kvtInitIterator(kvtIterator *it, kvtable *t) {
    memset(it, 0, sizeof(*it));
    it->t = t;
    it->index = -1;
}

void kvtInitSafeIterator(kvtIterator *it, kvtable *t) {
    kvtInitIterator(it, t);
    it->safe = 1;
}

void *kvtNext(kvtIterator *it) {
    kvtable *t = it->t;
    if (!it->started) {
        it->started = 1;
        if (it->safe) t->pauserehash++;
    }
    for (;;) {
        if (it->bucket) {
            int n = slotCount(it->bucket);
            while (++it->slot < n)
                if (it->bucket->presence & (1u << it->slot)) return it->bucket->slots[it->slot];
            kvtBucket *c = childOf(it->bucket);
            if (c) {
                it->bucket = c;
                it->slot = -1;
                continue;
            }
        }
        it->index++;
        if ((size_t)it->index >= numBuckets(t, it->table)) {
            if (it->table == 0 && rehashing(t)) {
                it->table = 1;
                it->index = 0;
            } else {
                it->bucket = NULL;
                return NULL;
            }
        }
        if (numBuckets(t, it->table) == 0) return NULL;
        it->bucket = &t->tables[it->table][it->index];
        it->slot = -1;
    }
}

void kvtResetIterator(kvtIterator *it) {
    if (it->started && it->safe) it->t->pauserehash--;
    it->started = 0;
}

/* ------------------------------------------------------------------- scan */

static void scanChain(kvtBucket *b, kvtScanFunction *fn, void *privdata) {
    for (; b; b = childOf(b)) {
        int n = slotCount(b);
        for (int i = 0; i < n; i++)
            if (b->presence & (1u << i)) fn(privdata, b->slots[i]);
    }
}

unsigned long kvtScan(kvtable *t, unsigned long v, kvtScanFunction *fn, void *privdata) {
    if (kvtSize(t) == 0) return 0;
    t->pauserehash++;
    if (!rehashing(t)) {
        unsigned long m0 = maskOf(t, 0);
        scanChain(&t->tables[0][v & m0], fn, privdata);
        v = scanCursorNext(v, m0);
    } else {
        int small = numBuckets(t, 0) <= numBuckets(t, 1) ? 0 : 1, large = 1 - small;
        unsigned long m0 = maskOf(t, small), m1 = maskOf(t, large);
        scanChain(&t->tables[small][v & m0], fn, privdata);
        do {
            scanChain(&t->tables[large][v & m1], fn, privdata);
            v = scanCursorNext(v, m1);
        } while (v & (m0 ^ m1));
    }
    t->pauserehash--;
    return v;
}
