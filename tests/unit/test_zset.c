/* Unit tests for the sorted-set type: the skiplist (order, spans/ranks) and
 * the zset API on both encodings, checked against a sorted array model. */
#include "commands/t_zset.h"
#include "testhelp.h"
#include <stdlib.h>
#include <math.h>

typedef struct modelEntry {
    char name[16];
    double score;
} modelEntry;

static int modelCmp(const void *a, const void *b) {
    const modelEntry *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void test_skiplist_ranks(void) {
    enum { N = 2000 };
    static modelEntry m[N];
    zskiplist *zsl = zslCreate();
    srandom(7);
    for (int i = 0; i < N; i++) {
        snprintf(m[i].name, sizeof(m[i].name), "e%d", i);
        m[i].score = (double)(random() % 100); /* many ties: order by member */
        zslInsert(zsl, m[i].score, bstrNew(m[i].name));
    }
    qsort(m, N, sizeof(modelEntry), modelCmp);
    ASSERT_EQ_INT(zsl->length, N);
    zskiplistNode *n = zsl->header->level[0].forward;
    for (int i = 0; i < N; i++, n = n->level[0].forward) {
        ASSERT(n != NULL);
        ASSERT(strcmp(n->ele, m[i].name) == 0);
        ASSERT(n->score == m[i].score);
    }
    ASSERT(n == NULL);
    for (int i = 0; i < N; i += 37) {
        ASSERT_EQ_INT(zslGetRank(zsl, m[i].score, m[i].name, strlen(m[i].name)), i + 1);
        zskiplistNode *x = zslGetElementByRank(zsl, (unsigned long)i + 1);
        ASSERT(x && strcmp(x->ele, m[i].name) == 0);
    }
    ASSERT_EQ_INT(zslGetRank(zsl, 1000, "nope", 4), 0);
    ASSERT(zslGetElementByRank(zsl, N + 1) == NULL);
    /* Backward links mirror the forward order. */
    n = zsl->tail;
    for (int i = N - 1; i >= 0; i--, n = n->backward) ASSERT(strcmp(n->ele, m[i].name) == 0);
    zslFree(zsl);
}

/* Random adds/updates/deletes on a zset vs a model array; checks rank and
 * score of every member after each phase. */
static void runZsetModel(int listpackLimit) {
    enum { N = 300 };
    static double score[N];
    static int present[N];
    memset(present, 0, sizeof(present));
    server.zset_max_listpack_entries = (size_t)listpackLimit;
    server.zset_max_listpack_value = 64;
    obj *z = zsetTypeCreate(0, 0);
    srandom(11);
    for (int op = 0; op < 20000; op++) {
        int i = random() % N;
        char name[16];
        int len = snprintf(name, sizeof(name), "%s%d", (i % 3) ? "m" : "", i);
        int kind = random() % 4;
        int out;
        double ns;
        if (kind < 2) {
            double s = (double)(random() % 50) / 2;
            ASSERT(zsetAdd(z, s, name, (size_t)len, ZADD_IN_NONE, &out, &ns) == 1);
            ASSERT_EQ_INT(!!(out & ZADD_OUT_ADDED), !present[i]);
            present[i] = 1;
            score[i] = s;
        } else if (kind == 2) {
            ASSERT(zsetAdd(z, 1.5, name, (size_t)len, ZADD_IN_INCR | ZADD_IN_XX, &out, &ns) == 1);
            if (present[i]) {
                score[i] += 1.5;
                ASSERT(ns == score[i]);
            } else {
                ASSERT(out & ZADD_OUT_NOP);
            }
        } else {
            ASSERT_EQ_INT(zsetDel(z, name, (size_t)len), present[i]);
            present[i] = 0;
        }
    }
    static modelEntry m[N];
    int n = 0;
    for (int i = 0; i < N; i++) {
        if (!present[i]) continue;
        snprintf(m[n].name, sizeof(m[n].name), "%s%d", (i % 3) ? "m" : "", i);
        m[n].score = score[i];
        n++;
    }
    qsort(m, (size_t)n, sizeof(modelEntry), modelCmp);
    ASSERT_EQ_INT(zsetLength(z), n);
    for (int r = 0; r < n; r++) {
        double s;
        ASSERT(zsetScore(z, m[r].name, strlen(m[r].name), &s) && s == m[r].score);
        ASSERT_EQ_INT(zsetRank(z, m[r].name, strlen(m[r].name), 0, NULL), r);
        ASSERT_EQ_INT(zsetRank(z, m[r].name, strlen(m[r].name), 1, NULL), n - 1 - r);
    }
    /* Iteration order equals the model; conversions keep it. */
    for (int pass = 0; pass < 2; pass++) {
        zsetIterator it;
        zsetInitIterator(&it, z);
        const char *s;
        size_t len;
        long long ll;
        double sc;
        int r = 0;
        char buf[32];
        while (zsetNext(&it, &s, &len, &ll, &sc)) {
            if (!s) {
                len = (size_t)snprintf(buf, sizeof(buf), "%lld", ll);
                s = buf;
            }
            ASSERT(len == strlen(m[r].name) && memcmp(s, m[r].name, len) == 0);
            ASSERT(sc == m[r].score);
            r++;
        }
        ASSERT_EQ_INT(r, n);
        if (pass == 0) {
            obj *d = zsetDup(z);
            decrRefCount(z);
            z = d;
            if (z->encoding == OBJ_ENCODING_LISTPACK) zsetConvert(z, OBJ_ENCODING_SKIPLIST);
            else {
                server.zset_max_listpack_entries = 100000;
                zsetConvertToListpackIfNeeded(z, 16, 16 * (size_t)n);
                ASSERT(z->encoding == OBJ_ENCODING_LISTPACK);
            }
        }
    }
    decrRefCount(z);
}

static void test_zset_model_listpack(void) { runZsetModel(100000); }
static void test_zset_model_skiplist(void) { runZsetModel(0); }

static void test_zadd_flags(void) {
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    obj *z = zsetTypeCreate(1, 1);
    int out;
    double ns;
    ASSERT(zsetAdd(z, 5, "a", 1, ZADD_IN_NONE, &out, &ns) && (out & ZADD_OUT_ADDED));
    ASSERT(zsetAdd(z, 3, "a", 1, ZADD_IN_GT, &out, &ns) && (out & ZADD_OUT_NOP));
    ASSERT(zsetAdd(z, 7, "a", 1, ZADD_IN_GT, &out, &ns) && (out & ZADD_OUT_UPDATED));
    ASSERT(zsetAdd(z, 9, "a", 1, ZADD_IN_LT, &out, &ns) && (out & ZADD_OUT_NOP));
    ASSERT(zsetAdd(z, 1, "a", 1, ZADD_IN_NX, &out, &ns) && (out & ZADD_OUT_NOP));
    ASSERT(zsetAdd(z, 1, "b", 1, ZADD_IN_XX, &out, &ns) && (out & ZADD_OUT_NOP));
    ASSERT(zsetAdd(z, INFINITY, "c", 1, ZADD_IN_NONE, &out, &ns));
    ASSERT(zsetAdd(z, -INFINITY, "c", 1, ZADD_IN_INCR, &out, &ns) == 0 && (out & ZADD_OUT_NAN));
    ASSERT(zsetAdd(z, NAN, "d", 1, ZADD_IN_NONE, &out, &ns) == 0);
    ASSERT_EQ_INT(zsetLength(z), 2);
    /* A long member forces the skiplist. */
    char big[100];
    memset(big, 'x', sizeof(big));
    ASSERT(zsetAdd(z, 2, big, sizeof(big), ZADD_IN_NONE, &out, &ns) && (out & ZADD_OUT_ADDED));
    ASSERT(z->encoding == OBJ_ENCODING_SKIPLIST);
    ASSERT_EQ_INT(zsetRank(z, big, sizeof(big), 0, NULL), 0);
    decrRefCount(z);
}

int main(void) {
    RUN_TEST(test_skiplist_ranks);
    RUN_TEST(test_zset_model_listpack);
    RUN_TEST(test_zset_model_skiplist);
    RUN_TEST(test_zadd_flags);
    return TEST_REPORT();
}
