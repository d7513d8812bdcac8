/* Unit tests for ds/hashtable: random operations against an array model,
 * safe-iterator deletion, SCAN coverage across grow/shrink, sampling, hashes. */
#include <sys/types.h>
#include "ds/hashtable.h"
#include "ds/bstr.h"
#include "core/zmalloc.h"
#include "testhelp.h"
#include <stdlib.h>
#include <stdint.h>

static htType bstrType = {htBstrHash, htBstrEqual, htBstrFree, NULL};
static htType caseType = {htBstrCaseHash, htBstrCaseEqual, htBstrFree, NULL};

static bstr keyFor(int i) { return bstrCatPrintf(bstrEmpty(), "key:%d", i); }

static int keyIndex(const bstr k) { return atoi(k + 4); }

static void test_siphash_reference_vectors(void) {
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++) msg[i] = (uint8_t)i;
    /* Published SipHash-2-4 vectors validate the round function and padding. */
    ASSERT(htSipHashCD(key, msg, 0, 2, 4, 0) == 0x726fdb47dd0e0e31ULL);
    ASSERT(htSipHashCD(key, msg, 1, 2, 4, 0) == 0x74f839c593dc67fdULL);
    ASSERT(htSipHashCD(key, msg, 15, 2, 4, 0) == 0xa129ca6149be45e5ULL);
    /* 1-2 is a different function, and the seed changes results. */
    ASSERT(htSipHashCD(key, msg, 15, 1, 2, 0) != 0xa129ca6149be45e5ULL);
    htSetHashSeed(key);
    uint64_t a = htGenHash("hello", 5);
    uint8_t key2[16] = {1};
    htSetHashSeed(key2);
    ASSERT(a != htGenHash("hello", 5));
    ASSERT(htGenHash("hello", 5) == htGenHash("hello", 5));
    /* The specialised fast path equals the generic SipHash-1-2 for every tail length. */
    for (size_t len = 0; len < 40; len++)
        ASSERT(htGenHash(msg, len) == htSipHashCD(key2, msg, len, 1, 2, 0));
    ASSERT(htGenCaseHash("AbC", 3) == htSipHashCD(key2, "abc", 3, 1, 2, 0));
}

static void test_case_hash(void) {
    ASSERT(htGenCaseHash("HeLLo World 12345", 17) == htGenCaseHash("hello world 12345", 17));
    ASSERT(htGenHash("HeLLo", 5) != htGenHash("hello", 5));
    hashtable *ht = htCreate(&caseType);
    ASSERT_EQ_INT(htAdd(ht, bstrNew("Alpha"), NULL), 0);
    bstr k = bstrNew("ALPHA");
    ASSERT_EQ_INT(htAdd(ht, k, NULL), -1);
    ASSERT(htFind(ht, k) != NULL);
    bstrFree(k);
    htRelease(ht);
}

static void test_random_ops_vs_model(void) {
    enum { N = 3000, OPS = 200000 };
    static int present[N];
    static long vals[N];
    memset(present, 0, sizeof(present));
    hashtable *ht = htCreate(&bstrType);
    size_t count = 0;
    srandom(1234);
    for (int op = 0; op < OPS; op++) {
        int i = random() % N, kind = random() % 10;
        bstr k = keyFor(i);
        if (kind < 4) {
            int r = htAdd(ht, k, (void *)(long)op);
            ASSERT_EQ_INT(r, present[i] ? -1 : 0);
            if (r == 0) { present[i] = 1; vals[i] = op; count++; }
            else bstrFree(k);
        } else if (kind < 6) {
            int r = htReplace(ht, k, (void *)(long)op);
            ASSERT_EQ_INT(r, present[i] ? 0 : 1);
            if (r == 0) bstrFree(k);
            else count++;
            present[i] = 1;
            vals[i] = op;
        } else if (kind < 8) {
            ASSERT_EQ_INT(htDelete(ht, k), present[i] ? 0 : -1);
            if (present[i]) count--;
            present[i] = 0;
            bstrFree(k);
        } else {
            htEntry *e = htFind(ht, k);
            ASSERT((e != NULL) == present[i]);
            if (e) ASSERT_EQ_INT((long)e->v.val, vals[i]);
            bstrFree(k);
        }
        ASSERT_EQ_INT(htSize(ht), count);
        if (op % 5000 == 0) htResizeIfNeeded(ht);
    }
    /* Full iteration matches the model exactly. */
    static int seen[N];
    memset(seen, 0, sizeof(seen));
    htIterator it;
    htInitIterator(&it, ht);
    htEntry *e;
    size_t n = 0;
    while ((e = htNext(&it))) {
        int i = keyIndex(e->key);
        ASSERT(present[i] && !seen[i]);
        seen[i] = 1;
        n++;
    }
    htResetIterator(&it);
    ASSERT_EQ_INT(n, count);
    htRelease(ht);
}

static void test_grow_and_resize_disabled(void) {
    hashtable *ht = htCreate(&bstrType);
    htSetResizeEnabled(0);
    for (int i = 0; i < 100; i++) htAdd(ht, keyFor(i), NULL);
    while (htIsRehashing(ht)) htRehashSteps(ht, 100);
    /* Only forced growth happens: load factor may reach but not exceed ~4+. */
    ASSERT(htBuckets(ht) < 100);
    ASSERT(htSize(ht) <= htBuckets(ht) * 5);
    htSetResizeEnabled(1);
    htAdd(ht, keyFor(1000), NULL);
    while (htIsRehashing(ht)) htRehashSteps(ht, 100);
    ASSERT(htBuckets(ht) >= 101);
    /* Shrink when sparse. */
    for (int i = 0; i < 100; i++) {
        bstr k = keyFor(i);
        htDelete(ht, k);
        bstrFree(k);
    }
    for (int pass = 0; pass < 3; pass++) { /* cron may need several passes */
        htResizeIfNeeded(ht);
        while (htIsRehashing(ht)) htRehashSteps(ht, 100);
    }
    ASSERT_EQ_INT(htSize(ht), 1);
    ASSERT(htBuckets(ht) <= 8);
    ASSERT(htExpand(ht, 0) == -1 || htBuckets(ht) >= 1);
    htRelease(ht);
}

static void test_rehash_microseconds(void) {
    hashtable *ht = htCreate(&bstrType);
    for (int i = 0; i < 5000; i++) htAdd(ht, keyFor(i), NULL);
    ASSERT_EQ_INT(htExpand(ht, 1 << 16), -1); /* refused: already rehashing */
    while (htIsRehashing(ht)) htRehashSteps(ht, 100);
    ASSERT_EQ_INT(htExpand(ht, 1 << 16), 0);
    ASSERT(htIsRehashing(ht));
    while (htIsRehashing(ht)) htRehashMicroseconds(ht, 1000);
    ASSERT_EQ_INT(htBuckets(ht), 1 << 16);
    ASSERT_EQ_INT(htSize(ht), 5000);
    ASSERT_EQ_INT(htTryExpand(ht, 10), -1); /* smaller than used */
    htRelease(ht);
}

static void test_safe_iterator_delete(void) {
    hashtable *ht = htCreate(&bstrType);
    for (int i = 0; i < 2000; i++) htAdd(ht, keyFor(i), NULL);
    htExpand(ht, 8192); /* iterate while a rehash is in progress */
    ASSERT(htIsRehashing(ht));
    htIterator it;
    htInitSafeIterator(&it, ht);
    htEntry *e;
    int visited = 0;
    static int seen[2000];
    memset(seen, 0, sizeof(seen));
    while ((e = htNext(&it))) {
        int i = keyIndex(e->key);
        ASSERT(!seen[i]);
        seen[i] = 1;
        visited++;
        if (i % 2 == 0) ASSERT_EQ_INT(htDelete(ht, e->key), 0);
        else {
            bstr k = keyFor(i);
            ASSERT(htFind(ht, k) == e);
            bstrFree(k);
        }
    }
    ASSERT(ht->pauserehash == 1);
    htResetIterator(&it);
    ASSERT(ht->pauserehash == 0);
    ASSERT_EQ_INT(visited, 2000);
    ASSERT_EQ_INT(htSize(ht), 1000);
    htRelease(ht);
}

typedef struct scanState {
    int *seen;
    int n;
} scanState;

static void scanCb(void *pd, const htEntry *e) {
    scanState *s = pd;
    s->seen[keyIndex(e->key)]++;
    s->n++;
}

/* Keys [0,stable) stay for the whole scan; others come and go; the table
 * grows then shrinks while the cursor advances. */
static void test_scan_across_resize(void) {
    enum { STABLE = 500, EXTRA = 20000 };
    static int seen[STABLE + EXTRA];
    for (int round = 0; round < 2; round++) {
        memset(seen, 0, sizeof(seen));
        hashtable *ht = htCreate(&bstrType);
        for (int i = 0; i < STABLE; i++) htAdd(ht, keyFor(i), NULL);
        scanState st = {seen, 0};
        unsigned long cursor = 0;
        int step = 0, next = STABLE;
        do {
            cursor = htScan(ht, cursor, scanCb, &st);
            step++;
            if (round == 0 && step < 60) {
                for (int j = 0; j < 300; j++) htAdd(ht, keyFor(next++), NULL); /* grow */
            } else if (next > STABLE) {
                for (int j = 0; j < 700 && next > STABLE; j++) {   /* shrink */
                    bstr k = keyFor(--next);
                    htDelete(ht, k);
                    bstrFree(k);
                }
                htResizeIfNeeded(ht);
            }
            if (round == 1 && step == 3)
                for (int j = 0; j < 15000; j++) htAdd(ht, keyFor(next++), NULL);
            if (step % 3 == 0) htRehashSteps(ht, 1);
        } while (cursor != 0);
        for (int i = 0; i < STABLE; i++) ASSERT(seen[i] >= 1);
        htRelease(ht);
    }
}

static void test_scan_plain_exact(void) {
    static int seen[1000];
    memset(seen, 0, sizeof(seen));
    hashtable *ht = htCreate(&bstrType);
    for (int i = 0; i < 1000; i++) htAdd(ht, keyFor(i), NULL);
    while (htIsRehashing(ht)) htRehashSteps(ht, 100);
    scanState st = {seen, 0};
    unsigned long c = 0;
    do c = htScan(ht, c, scanCb, &st);
    while (c);
    for (int i = 0; i < 1000; i++) ASSERT_EQ_INT(seen[i], 1);
    htRelease(ht);
    ht = htCreate(&bstrType);
    ASSERT_EQ_INT(htScan(ht, 0, scanCb, &st), 0);
    htRelease(ht);
}

static void test_random_sampling(void) {
    hashtable *ht = htCreate(&bstrType);
    ASSERT(htGetRandomEntry(ht) == NULL);
    ASSERT(htGetFairRandomEntry(ht) == NULL);
    enum { N = 200 };
    for (int i = 0; i < N; i++) htAdd(ht, keyFor(i), NULL);
    htExpand(ht, 4096); /* sample during rehash too */
    static int hits[N];
    memset(hits, 0, sizeof(hits));
    for (int r = 0; r < 40000; r++) {
        htEntry *e = (r & 1) ? htGetRandomEntry(ht) : htGetFairRandomEntry(ht);
        ASSERT(e != NULL);
        hits[keyIndex(e->key)]++;
    }
    int covered = 0;
    for (int i = 0; i < N; i++) covered += hits[i] > 0;
    ASSERT(covered == N);
    htEntry *some[50];
    unsigned int got = htGetSomeEntries(ht, some, 50);
    ASSERT(got > 0 && got <= 50);
    for (unsigned int i = 0; i < got; i++) ASSERT(keyIndex(some[i]->key) < N);
    htEntry *all[N + 10];
    ASSERT(htGetSomeEntries(ht, all, N + 10) <= N);
    htRelease(ht);
}

static void test_unlink_and_memusage(void) {
    hashtable *ht = htCreate(&bstrType);
    for (int i = 0; i < 10; i++) htAdd(ht, keyFor(i), NULL);
    bstr k = keyFor(3);
    htEntry *e = htUnlink(ht, k);
    ASSERT(e && htBstrEqual(e->key, k));
    ASSERT(htFind(ht, k) == NULL);
    htFreeUnlinkedEntry(ht, e);
    uint64_t h = htHashKey(ht, k);
    bstr k4 = keyFor(4);
    ASSERT(htFindWithHash(ht, k4, htHashKey(ht, k4)) != NULL);
    ASSERT(htFindWithHash(ht, k, h) == NULL);
    bstrFree(k);
    bstrFree(k4);
    ASSERT(htMemUsage(ht) >= 9 * sizeof(htEntry));
    htEmpty(ht, NULL);
    ASSERT_EQ_INT(htSize(ht), 0);
    ASSERT_EQ_INT(htAdd(ht, keyFor(1), NULL), 0);
    htRelease(ht);
}

int main(void) {
    RUN_TEST(test_siphash_reference_vectors);
    RUN_TEST(test_case_hash);
    RUN_TEST(test_random_ops_vs_model);
    RUN_TEST(test_grow_and_resize_disabled);
    RUN_TEST(test_rehash_microseconds);
    RUN_TEST(test_safe_iterator_delete);
    RUN_TEST(test_scan_plain_exact);
    RUN_TEST(test_scan_across_resize);
    RUN_TEST(test_random_sampling);
    RUN_TEST(test_unlink_and_memusage);
    return TEST_REPORT();
}
