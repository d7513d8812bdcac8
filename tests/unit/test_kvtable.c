/* Unit tests for ds/kvtable: random operations against an array model,
 * chained buckets, safe-iterator deletion, SCAN coverage across grow/shrink. */
#include <sys/types.h>
#include "ds/kvtable.h"
#include "ds/hashtable.h"
#include "ds/bstr.h"
#include "core/zmalloc.h"
#include "testhelp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Elements are bstr keys themselves. */
static const void *selfKey(const void *e) { return e; }
static void freeElem(void *e) { bstrFree(e); }
static kvtType type = {selfKey, htBstrHash, htBstrEqual, freeElem};

/* A constant hash forces every element into one long chain. */
static uint64_t badHash(const void *k) { (void)k; return 0x1234; }
static kvtType badType = {selfKey, badHash, htBstrEqual, freeElem};

static bstr keyFor(int i) { return bstrCatPrintf(bstrEmpty(), "key:%d", i); }

static void test_random_ops_against_model(void) {
    enum { N = 5000 };
    static char present[N];
    memset(present, 0, sizeof(present));
    kvtable *t = kvtCreate(&type);
    size_t count = 0;
    srandom(42);
    for (int step = 0; step < 200000; step++) {
        int k = (int)(random() % N), op = (int)(random() % 3);
        bstr key = keyFor(k);
        if (op == 0) {
            int r = kvtAdd(t, key);
            ASSERT(r == (present[k] ? -1 : 0));
            if (r == 0) { present[k] = 1; count++; } else bstrFree(key);
        } else if (op == 1) {
            int r = kvtDelete(t, key);
            ASSERT(r == (present[k] ? 0 : -1));
            if (r == 0) { present[k] = 0; count--; }
            bstrFree(key);
        } else {
            void *e = kvtFind(t, key);
            ASSERT((e != NULL) == present[k]);
            if (e) ASSERT(htBstrEqual(e, key));
            bstrFree(key);
        }
        ASSERT(kvtSize(t) == count);
        if (step % 1000 == 0) kvtResizeIfNeeded(t);
    }
    kvtRelease(t);
}

static void test_long_chain(void) {
    kvtable *t = kvtCreate(&badType);
    for (int i = 0; i < 100; i++) ASSERT(kvtAdd(t, keyFor(i)) == 0);
    for (int i = 0; i < 100; i++) {
        bstr k = keyFor(i);
        ASSERT(kvtFind(t, k) != NULL);
        bstrFree(k);
    }
    for (int i = 0; i < 100; i += 2) {
        bstr k = keyFor(i);
        ASSERT(kvtDelete(t, k) == 0);
        bstrFree(k);
    }
    ASSERT(kvtSize(t) == 50);
    for (int i = 1; i < 100; i += 2) {
        bstr k = keyFor(i);
        ASSERT(kvtFind(t, k) != NULL);
        bstrFree(k);
    }
    kvtRelease(t);
}

static void test_safe_iterator_delete(void) {
    kvtable *t = kvtCreate(&type);
    for (int i = 0; i < 3000; i++) kvtAdd(t, keyFor(i));
    kvtIterator it;
    kvtInitSafeIterator(&it, t);
    void *e;
    int seen = 0;
    while ((e = kvtNext(&it)) != NULL) {
        seen++;
        bstr k = bstrDup(e);
        ASSERT(kvtDelete(t, k) == 0);
        bstrFree(k);
    }
    kvtResetIterator(&it);
    ASSERT(seen == 3000);
    ASSERT(kvtSize(t) == 0);
    kvtRelease(t);
}

static char scanSeen[20000];
static void markSeen(void *pd, void *e) { (void)pd; scanSeen[atoi((char *)e + 4)] = 1; }

/* Keys present for the whole scan are returned even while the table grows
 * and shrinks between calls. */
static void test_scan_across_resize(void) {
    for (int mode = 0; mode < 2; mode++) {
        kvtable *t = kvtCreate(&type);
        memset(scanSeen, 0, sizeof(scanSeen));
        for (int i = 0; i < 1000; i++) kvtAdd(t, keyFor(i));
        unsigned long cursor = 0;
        int round = 0, next = 1000;
        do {
            cursor = kvtScan(t, cursor, markSeen, NULL);
            round++;
            if (mode == 0 && next < 20000) {         /* grow while scanning */
                for (int j = 0; j < 50 && next < 20000; j++) kvtAdd(t, keyFor(next++));
            } else if (mode == 1 && round == 3) {    /* shrink while scanning */
                for (int j = 0; j < 1000; j++) kvtAdd(t, keyFor(1000 + j));
                for (int j = 0; j < 1000; j++) {
                    bstr k = keyFor(1000 + j);
                    kvtDelete(t, k);
                    bstrFree(k);
                }
            }
            kvtRehashSteps(t, 3);
            if (round % 7 == 0) kvtResizeIfNeeded(t);
        } while (cursor != 0);
        for (int i = 0; i < 1000; i++) ASSERT(scanSeen[i]);
        kvtRelease(t);
    }
}

static void test_random_and_expand(void) {
    kvtable *t = kvtCreate(&type);
    ASSERT(kvtFairRandom(t) == NULL);
    ASSERT(kvtExpand(t, 100000) == 0);
    for (int i = 0; i < 100; i++) kvtAdd(t, keyFor(i));
    for (int i = 0; i < 100; i++) ASSERT(kvtFairRandom(t) != NULL);
    size_t before = kvtBuckets(t);
    kvtResizeIfNeeded(t);
    while (kvtRehashSteps(t, 100)) {}
    ASSERT(kvtBuckets(t) < before);
    ASSERT(kvtSize(t) == 100);
    kvtEmpty(t, NULL, NULL);
    ASSERT(kvtSize(t) == 0);
    kvtRelease(t);
}

/* Each element must come out about equally often, including elements alone
 * in their bucket next to ones sharing a long chain, and mid-rehash. */
static void checkFairness(kvtable *t, int n, const char *what) {
    enum { DRAWS = 300 };
    static int hits[2000];
    memset(hits, 0, sizeof(hits));
    for (int d = 0; d < n * DRAWS; d++) {
        bstr e = kvtFairRandom(t);
        ASSERT(e != NULL);
        hits[atoi(e + 4)]++;
    }
    int lo = hits[0], hi = hits[0];
    for (int i = 1; i < n; i++) {
        if (hits[i] < lo) lo = hits[i];
        if (hits[i] > hi) hi = hits[i];
    }
    /* Binomial(n*DRAWS, 1/n): mean 300, sd ~17; +-35% is > 6 sd. */
    if (getenv("KVT_VERBOSE") || lo < DRAWS * 65 / 100 || hi > DRAWS * 135 / 100)
        printf("  %s: min %d max %d (expected ~%d)\n", what, lo, hi, DRAWS);
    ASSERT(lo >= DRAWS * 65 / 100);
    ASSERT(hi <= DRAWS * 135 / 100);
}

static void test_fair_random_is_uniform(void) {
    srandom(7);
    enum { N = 2000 };
    kvtable *t = kvtCreate(&type);
    for (int i = 0; i < N; i++) ASSERT(kvtAdd(t, keyFor(i)) == 0);
    while (kvtRehashSteps(t, 100)) {}
    checkFairness(t, N, "dense");
    /* Sparse: delete most, no shrink, so bucket loads vary a lot. */
    for (int i = 200; i < N; i++) {
        bstr k = keyFor(i);
        ASSERT(kvtDelete(t, k) == 0);
        bstrFree(k);
    }
    checkFairness(t, 200, "sparse");
    /* Mid-rehash: both tables hold elements. */
    kvtResizeIfNeeded(t);
    kvtRehashSteps(t, 3);
    ASSERT(kvtIsRehashing(t));
    t->pauserehash++; /* keep both tables while sampling */
    checkFairness(t, 200, "rehashing");
    t->pauserehash--;
    kvtRelease(t);
    /* One long chain: every element still reachable and equally likely. */
    t = kvtCreate(&badType);
    for (int i = 0; i < 50; i++) ASSERT(kvtAdd(t, keyFor(i)) == 0);
    checkFairness(t, 50, "one chain");
    kvtRelease(t);
}

/* kvtFindRef lets the owner swap in a new element with an equal key (hash
 * fields rebuilt on overwrite): lookups and iteration then see the new one. */
static void test_find_ref_swap(void) {
    kvtable *t = kvtCreate(&type);
    for (int i = 0; i < 300; i++) ASSERT(kvtAdd(t, keyFor(i)) == 0);
    kvtResizeIfNeeded(t);
    for (int i = 0; i < 300; i++) {
        bstr k = keyFor(i);
        void **ref = kvtFindRef(t, k);
        ASSERT(ref != NULL);
        ASSERT(htBstrEqual(*ref, k));
        bstrFree(*ref);
        *ref = k;
        ASSERT(kvtFind(t, k) == k);
    }
    bstr missing = keyFor(1000);
    ASSERT(kvtFindRef(t, missing) == NULL);
    bstrFree(missing);
    ASSERT(kvtSize(t) == 300);
    kvtRelease(t);
}

/* Deletes while rehashing is paused (a safe iterator) leave emptied child
 * buckets linked; a later rehash must free them even though the old table
 * has no element left (it used to finish at once and leak them). */
static void test_children_emptied_while_paused_are_freed(void) {
    size_t before = zmalloc_used_memory();
    kvtable *t = kvtCreate(&badType);
    for (int i = 0; i < 200; i++) ASSERT_EQ_INT(kvtAdd(t, keyFor(i)), 0);
    while (kvtRehashSteps(t, 100)) {
    }
    ASSERT(t->children > 0);
    kvtIterator it;
    kvtInitSafeIterator(&it, t);
    ASSERT(kvtNext(&it) != NULL);
    for (int i = 0; i < 200; i++) {
        bstr k = keyFor(i);
        ASSERT_EQ_INT(kvtDelete(t, k), 0);
        bstrFree(k);
    }
    kvtResetIterator(&it);
    ASSERT_EQ_INT(kvtSize(t), 0);
    ASSERT(t->children > 0);        /* nothing could be compacted while paused */
    kvtResizeIfNeeded(t);           /* shrink: a rehash over an element-less table */
    while (kvtRehashSteps(t, 1)) {
    }
    ASSERT_EQ_INT(t->children, 0);
    kvtRelease(t);
    ASSERT_EQ_INT(zmalloc_used_memory(), before);
}

/* A prefetch hint is safe on a table with no buckets yet and while rehashing
 * (it must pick the table new elements go to), and changes nothing. */
static void test_prefetch_is_harmless(void) {
    kvtable *t = kvtCreate(&type);
    bstr probe = keyFor(1);
    kvtPrefetch(t, probe);
    for (int i = 0; i < 500; i++) {
        bstr k = keyFor(i);
        kvtPrefetch(t, k);
        ASSERT(kvtAdd(t, k) == 0);
        if (kvtIsRehashing(t)) kvtPrefetch(t, probe);
    }
    kvtPrefetch(t, probe);
    ASSERT_EQ_INT(kvtSize(t), 500);
    ASSERT(kvtFind(t, probe) != NULL);
    bstrFree(probe);
    kvtRelease(t);
}

int main(void) {
    uint8_t seed[16] = {7};
    htSetHashSeed(seed);
    RUN_TEST(test_random_ops_against_model);
    RUN_TEST(test_long_chain);
    RUN_TEST(test_safe_iterator_delete);
    RUN_TEST(test_children_emptied_while_paused_are_freed);
    RUN_TEST(test_scan_across_resize);
    RUN_TEST(test_random_and_expand);
    RUN_TEST(test_fair_random_is_uniform);
    RUN_TEST(test_find_ref_swap);
    RUN_TEST(test_prefetch_is_harmless);
    return TEST_REPORT();
}
