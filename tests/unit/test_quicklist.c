/* Unit tests for ds/quicklist: random operations against an array model under
 * several fill/compress settings, PLAIN nodes, compression round trips. */
#include "testhelp.h"
#include "ds/quicklist.h"
#include "ds/listpack.h"
#include "core/zmalloc.h"
#include <stdlib.h>
#include <stdio.h>

typedef struct { char *s; size_t len; } mstr;

static mstr mk(const char *s, size_t len) {
    mstr m = {malloc(len + 1), len};
    memcpy(m.s, s, len);
    m.s[len] = 0;
    return m;
}

static mstr randomValue(void) {
    static char buf[9000];
    size_t len;
    switch (rand() % 5) {
    case 0: len = snprintf(buf, sizeof(buf), "%d", rand() % 100000 - 50000); break;
    case 1: len = rand() % 40; memset(buf, 'a' + rand() % 3, len); break;
    case 2: len = 100 + rand() % 200; memset(buf, 'z', len); break;
    case 3: len = rand() % 9000; for (size_t i = 0; i < len; i++) buf[i] = 'a' + (i % 7); break;
    default: len = snprintf(buf, sizeof(buf), "v%d", rand()); break;
    }
    return mk(buf, len);
}

static int entryIs(quicklistEntry *e, mstr m) { return quicklistCompare(e, (unsigned char *)m.s, m.len); }

static int checkInvariants(quicklist *ql) {
    unsigned long cnt = 0, len = 0;
    quicklistNode *prev = NULL;
    for (quicklistNode *n = ql->head; n; n = n->next) {
        if (n->prev != prev || n->count == 0) return 0;
        if (n->container == QUICKLIST_NODE_CONTAINER_PACKED) {
            size_t sz;
            int fr;
            unsigned char *d = quicklistNodeData(n, &sz, &fr);
            int ok = lpValidateIntegrity(d, sz, 1, NULL, NULL) && lpLength(d) == n->count;
            if (fr) zfree(d);
            if (!ok) return 0;
        }
        cnt += n->count;
        len++;
        prev = n;
    }
    if (prev != ql->tail || cnt != ql->count || len != ql->len) return 0;
    /* Nodes near either end stay raw. */
    quicklistNode *f = ql->head, *r = ql->tail;
    for (unsigned i = 0; i < ql->compress && f; i++, f = f->next, r = r->prev)
        if (quicklistNodeIsCompressed(f) || quicklistNodeIsCompressed(r)) return 0;
    return 1;
}

static int checkModel(quicklist *ql, mstr *model, long n) {
    if (!checkInvariants(ql) || (long)quicklistCount(ql) != n) return 0;
    quicklistEntry e;
    quicklistIter *it = quicklistGetIterator(ql, AL_START_HEAD);
    long i = 0;
    while (quicklistNext(it, &e)) {
        if (i >= n || !entryIs(&e, model[i])) { quicklistReleaseIterator(it); return 0; }
        i++;
    }
    quicklistReleaseIterator(it);
    if (i != n) return 0;
    it = quicklistGetIterator(ql, AL_START_TAIL);
    i = n - 1;
    while (quicklistNext(it, &e)) {
        if (i < 0 || !entryIs(&e, model[i])) { quicklistReleaseIterator(it); return 0; }
        i--;
    }
    quicklistReleaseIterator(it);
    if (i != -1) return 0;
    if (n) {
        long k = rand() % n;
        it = quicklistGetIteratorEntryAtIdx(ql, k, &e);
        if (!it || !entryIs(&e, model[k])) return 0;
        quicklistReleaseIterator(it);
        it = quicklistGetIteratorEntryAtIdx(ql, k - n, &e);
        if (!it || !entryIs(&e, model[k])) return 0;
        quicklistReleaseIterator(it);
    }
    return quicklistGetIteratorEntryAtIdx(ql, n, &e) == NULL && checkInvariants(ql);
}

static void modelInsert(mstr **model, long *n, long at, mstr v) {
    *model = realloc(*model, sizeof(mstr) * (*n + 1));
    memmove(*model + at + 1, *model + at, sizeof(mstr) * (*n - at));
    (*model)[at] = v;
    (*n)++;
}

static void modelDelete(mstr *model, long *n, long at, long cnt) {
    for (long k = at; k < at + cnt; k++) free(model[k].s);
    memmove(model + at, model + at + cnt, sizeof(mstr) * (*n - at - cnt));
    *n -= cnt;
}

static int runRandom(int fill, int compress, size_t threshold, int rounds, int ops) {
    quicklistSetPackedThreshold(threshold);
    for (int round = 0; round < rounds; round++) {
        quicklist *ql = quicklistNew(fill, compress);
        mstr *model = NULL;
        long n = 0;
        for (int op = 0; op < ops; op++) {
            /* Pushes dominate so lists grow across many nodes. */
            int kind = rand() % 16;
            if (kind >= 10) kind = kind <= 13 ? kind - 10 : 4;
            if (kind == 7 && rand() % 8) kind = 8;
            if (kind <= 2 || n == 0) {
                mstr v = randomValue();
                if (kind % 2) { quicklistPushHead(ql, v.s, v.len); modelInsert(&model, &n, 0, v); }
                else { quicklistPushTail(ql, v.s, v.len); modelInsert(&model, &n, n, v); }
            } else if (kind == 3) {
                int where = rand() % 2 ? QUICKLIST_HEAD : QUICKLIST_TAIL;
                unsigned char *d; size_t sz; long long sv;
                if (!quicklistPop(ql, where, &d, &sz, &sv)) return 0;
                long at = where == QUICKLIST_HEAD ? 0 : n - 1;
                char buf[32];
                if (!d) { sz = snprintf(buf, sizeof(buf), "%lld", sv); }
                if (sz != model[at].len || memcmp(d ? (char *)d : buf, model[at].s, sz)) return 0;
                zfree(d);
                modelDelete(model, &n, at, 1);
            } else if (kind == 4) {
                long at = rand() % n;
                int after = rand() % 2;
                mstr v = randomValue();
                quicklistEntry e;
                quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, at, &e);
                if (after) quicklistInsertAfter(it, &e, v.s, v.len);
                else quicklistInsertBefore(it, &e, v.s, v.len);
                quicklistReleaseIterator(it);
                modelInsert(&model, &n, after ? at + 1 : at, v);
            } else if (kind == 5) {
                long at = rand() % n;
                mstr v = randomValue();
                if (!quicklistReplaceAtIndex(ql, at, v.s, v.len)) return 0;
                free(model[at].s);
                model[at] = v;
            } else if (kind == 6) {
                long at = rand() % n, cnt = 1 + rand() % 8;
                if (at + cnt > n) cnt = n - at;
                quicklistDelRange(ql, at - (rand() % 2 ? n : 0), cnt);
                modelDelete(model, &n, at, cnt);
            } else if (kind == 7) {
                /* Delete every element whose first byte matches, in either direction. */
                int dir = rand() % 2 ? AL_START_HEAD : AL_START_TAIL;
                char c = n ? (model[rand() % n].len ? model[rand() % n].s[0] : 'a') : 'a';
                quicklistIter *it = quicklistGetIterator(ql, dir);
                quicklistEntry e;
                while (quicklistNext(it, &e)) {
                    char first;
                    if (e.value) first = e.sz ? (char)e.value[0] : 0;
                    else { char b[32]; snprintf(b, sizeof(b), "%lld", e.longval); first = b[0]; }
                    if (first == c) quicklistDelEntry(it, &e);
                }
                quicklistReleaseIterator(it);
                for (long k = n - 1; k >= 0; k--)
                    if ((model[k].len ? model[k].s[0] : 0) == c) modelDelete(model, &n, k, 1);
            } else {
                /* Iterate from a random index in a random direction. */
                if (n) {
                    long at = rand() % n;
                    int dir = rand() % 2 ? AL_START_HEAD : AL_START_TAIL;
                    quicklistIter *it = quicklistGetIteratorAtIdx(ql, dir, at);
                    quicklistEntry e;
                    long k = at;
                    while (quicklistNext(it, &e)) {
                        if (!entryIs(&e, model[k])) return 0;
                        k += dir == AL_START_HEAD ? 1 : -1;
                    }
                    quicklistReleaseIterator(it);
                    if (k != (dir == AL_START_HEAD ? n : -1)) return 0;
                }
            }
            if (!checkModel(ql, model, n)) {
                printf("  model mismatch: fill=%d compress=%d op=%d kind=%d\n", fill, compress, op, kind);
                return 0;
            }
        }
        quicklist *dup = quicklistDup(ql);
        int ok = checkModel(dup, model, n);
        quicklistRelease(dup);
        if (!ok) return 0;
        for (long k = 0; k < n; k++) free(model[k].s);
        free(model);
        quicklistRelease(ql);
    }
    quicklistSetPackedThreshold(0);
    return 1;
}

static void test_random_default(void) { srand(1); ASSERT(runRandom(-2, 0, 0, 4, 600)); }
static void test_random_compressed(void) { srand(2); ASSERT(runRandom(-1, 1, 0, 4, 600)); }
static void test_random_count_fill(void) { srand(3); ASSERT(runRandom(5, 2, 0, 4, 600)); }
static void test_random_fill1_plain(void) { srand(4); ASSERT(runRandom(1, 1, 200, 4, 600)); }
static void test_random_small_plain(void) { srand(5); ASSERT(runRandom(-2, 3, 1000, 4, 600)); }

static void test_compression_roundtrip(void) {
    quicklist *ql = quicklistNew(-2, 1);
    char buf[64];
    for (int i = 0; i < 20000; i++) {
        int len = snprintf(buf, sizeof(buf), "element-number-%d-padding-padding", i);
        quicklistPushTail(ql, buf, len);
    }
    ASSERT(ql->len > 3);
    ASSERT(!quicklistNodeIsCompressed(ql->head) && !quicklistNodeIsCompressed(ql->tail));
    int compressed = 0;
    for (quicklistNode *n = ql->head->next; n != ql->tail; n = n->next) {
        ASSERT(quicklistNodeIsCompressed(n));
        void *lzf;
        ASSERT(quicklistGetLzf(n, &lzf) < n->sz);
        compressed++;
    }
    ASSERT(compressed == (int)ql->len - 2);
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(ql, 10000, &e);
    ASSERT(it && quicklistCompare(&e, (unsigned char *)"element-number-10000-padding-padding", 36));
    quicklistReleaseIterator(it);
    ASSERT(quicklistNodeIsCompressed(ql->head->next));
    /* Rebuild from raw node bytes as an RDB loader would. */
    quicklist *copy = quicklistNew(-2, 1);
    for (quicklistNode *n = ql->head; n; n = n->next) {
        size_t sz; int fr;
        unsigned char *d = quicklistNodeData(n, &sz, &fr);
        unsigned char *lp = zmalloc(sz);
        memcpy(lp, d, sz);
        if (fr) zfree(d);
        quicklistAppendListpack(copy, lp);
    }
    ASSERT(quicklistCount(copy) == 20000);
    it = quicklistGetIterator(copy, AL_START_TAIL);
    int i = 19999;
    while (quicklistNext(it, &e)) {
        int len = snprintf(buf, sizeof(buf), "element-number-%d-padding-padding", i--);
        ASSERT(quicklistCompare(&e, (unsigned char *)buf, len));
    }
    quicklistReleaseIterator(it);
    ASSERT(i == -1);
    quicklistRelease(copy);
    quicklistRelease(ql);
}

static void test_limits(void) {
    size_t sz; unsigned int cnt;
    quicklistNodeLimit(-2, &sz, &cnt);
    ASSERT(sz == 8192);
    quicklistNodeLimit(-5, &sz, &cnt);
    ASSERT(sz == 65536);
    quicklistNodeLimit(128, &sz, &cnt);
    ASSERT(cnt == 128);
    ASSERT(quicklistNodeExceedsLimit(-1, 4097, 1));
    ASSERT(!quicklistNodeExceedsLimit(-1, 4096, 1000));
    ASSERT(quicklistNodeExceedsLimit(3, 100, 4));
    ASSERT(quicklistNodeExceedsLimit(300, 9000, 4));
    /* Count fill: 3 per node. */
    quicklist *ql = quicklistNew(3, 0);
    for (int i = 0; i < 10; i++) quicklistPushTail(ql, "ab", 2);
    ASSERT(ql->len == 4 && ql->head->count == 3);
    quicklistRelease(ql);
    /* Plain nodes for big elements under a lowered threshold. */
    quicklistSetPackedThreshold(100);
    ql = quicklistNew(-2, 0);
    char big[150];
    memset(big, 'b', sizeof(big));
    quicklistPushTail(ql, "x", 1);
    quicklistPushTail(ql, big, sizeof(big));
    quicklistPushTail(ql, "y", 1);
    ASSERT(ql->len == 3 && ql->head->next->container == QUICKLIST_NODE_CONTAINER_PLAIN);
    unsigned char *d; size_t dsz; long long sv;
    ASSERT(quicklistPop(ql, QUICKLIST_TAIL, &d, &dsz, &sv) && dsz == 1);
    zfree(d);
    ASSERT(quicklistPop(ql, QUICKLIST_TAIL, &d, &dsz, &sv) && dsz == sizeof(big) && d[0] == 'b');
    zfree(d);
    quicklistRelease(ql);
    quicklistSetPackedThreshold(0);
}

int main(void) {
    RUN_TEST(test_limits);
    RUN_TEST(test_compression_roundtrip);
    RUN_TEST(test_random_default);
    RUN_TEST(test_random_compressed);
    RUN_TEST(test_random_count_fill);
    RUN_TEST(test_random_fill1_plain);
    RUN_TEST(test_random_small_plain);
    return TEST_REPORT();
}
