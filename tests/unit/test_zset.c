/* Unit tests for the sorted-set type: the skiplist (order, spans/ranks,
 * members embedded in the nodes) and the zset API on both encodings, checked
 * against a sorted array model. */
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
        zslInsert(zsl, m[i].score, m[i].name, strlen(m[i].name));
    }
    qsort(m, N, sizeof(modelEntry), modelCmp);
    ASSERT_EQ_INT(zsl->length, N);
    zskiplistNode *n = zsl->header->level[0].forward;
    for (int i = 0; i < N; i++, n = n->level[0].forward) {
        ASSERT(n != NULL);
        ASSERT(strcmp(zslNodeEle(n), m[i].name) == 0);
        ASSERT(n->score == m[i].score);
    }
    ASSERT(n == NULL);
    for (int i = 0; i < N; i += 37) {
        ASSERT_EQ_INT(zslGetRank(zsl, m[i].score, m[i].name, strlen(m[i].name)), i + 1);
        zskiplistNode *x = zslGetElementByRank(zsl, (unsigned long)i + 1);
        ASSERT(x && strcmp(zslNodeEle(x), m[i].name) == 0);
    }
    ASSERT_EQ_INT(zslGetRank(zsl, 1000, "nope", 4), 0);
    ASSERT(zslGetElementByRank(zsl, N + 1) == NULL);
    /* Backward links mirror the forward order. */
    n = zsl->tail;
    for (int i = N - 1; i >= 0; i--, n = n->backward) ASSERT(strcmp(zslNodeEle(n), m[i].name) == 0);
    zslFree(zsl);
}

/* Every structural invariant: level-0 order and backward links, tail,
 * length, each level a subsequence of level 0 whose spans are the real
 * distances, and heights within bounds. Returns 0 on a violation. */
static int skiplistValid(zskiplist *zsl) {
    unsigned long count = 0;
    zskiplistNode *prev = NULL;
    for (zskiplistNode *n = zsl->header->level[0].forward; n; n = n->level[0].forward) {
        if (n->backward != prev) return 0;
        int h = zslNodeHeight(n);
        if (h < 1 || h > ZSKIPLIST_MAXLEVEL) return 0;
        bstr e = zslNodeEle(n);
        if (e[bstrLen(e)] != '\0') return 0;
        if (prev) {
            bstr pe = zslNodeEle(prev);
            if (prev->score > n->score) return 0;
            if (prev->score == n->score && zslMemberCmp(pe, bstrLen(pe), e, bstrLen(e)) >= 0) return 0;
        }
        prev = n;
        count++;
    }
    if (zsl->tail != prev || zsl->length != count) return 0;
    for (int i = 1; i < zsl->level; i++) {
        zskiplistNode *x = zsl->header, *walk = zsl->header;
        while (x->level[i].forward) {
            zskiplistNode *f = x->level[i].forward;
            if (zslNodeHeight(f) <= i) return 0;
            unsigned long d = 0;
            while (walk != f && walk) {
                walk = walk->level[0].forward;
                d++;
            }
            if (walk != f || d != x->level[i].span) return 0;
            x = f;
        }
    }
    for (int i = zsl->level; i < ZSKIPLIST_MAXLEVEL; i++)
        if (zsl->header->level[i].forward) return 0;
    return 1;
}

/* Members of every bstr header width, binary bytes and the empty member are
 * copied into their node intact and keep their order, ranks and lookups. */
static void test_skiplist_embedded_members(void) {
    static const size_t lens[] = {0, 1, 2, 30, 31, 32, 100, 255, 256, 4000, 65535, 65536, 70000, 200000};
    enum { L = sizeof(lens) / sizeof(lens[0]) };
    char *bufs[L];
    zskiplist *zsl = zslCreate();
    for (int i = 0; i < L; i++) {
        bufs[i] = malloc(lens[i] + 1);
        for (size_t j = 0; j < lens[i]; j++) bufs[i][j] = (char)((j * 131 + (size_t)i) & 0xff); /* NULs too */
        zskiplistNode *n = zslInsert(zsl, (double)(i % 3), bufs[i], lens[i]);
        bstr e = zslNodeEle(n);
        ASSERT_EQ_INT(bstrLen(e), lens[i]);
        ASSERT(lens[i] == 0 || memcmp(e, bufs[i], lens[i]) == 0);
        ASSERT(e[lens[i]] == '\0');
        ASSERT(skiplistValid(zsl));
    }
    for (int i = 0; i < L; i++) {
        unsigned long r = zslGetRank(zsl, (double)(i % 3), bufs[i], lens[i]);
        ASSERT(r >= 1);
        zskiplistNode *n = zslGetElementByRank(zsl, r);
        ASSERT(n && bstrLen(zslNodeEle(n)) == lens[i] && memcmp(zslNodeEle(n), bufs[i], lens[i]) == 0);
        /* Same bytes, other score: absent. */
        ASSERT_EQ_INT(zslGetRank(zsl, 10, bufs[i], lens[i]), 0);
    }
    /* Score updates keep the node (its address is held by the member table). */
    for (int i = 0; i < L; i++) {
        unsigned long r = zslGetRank(zsl, (double)(i % 3), bufs[i], lens[i]);
        zskiplistNode *n = zslGetElementByRank(zsl, r);
        zslUpdateScore(zsl, n, (double)(L - i));
        ASSERT(zslGetElementByRank(zsl, zslGetRank(zsl, (double)(L - i), bufs[i], lens[i])) == n);
        ASSERT(skiplistValid(zsl));
    }
    for (int i = 0; i < L; i++) {
        ASSERT(zslDetach(zsl, (double)(L - i) + 0.5, bufs[i], lens[i]) == NULL);
        if (lens[i]) ASSERT(zslDetach(zsl, (double)(L - i), bufs[i], lens[i] - 1) == NULL);
        zskiplistNode *n = zslDetach(zsl, (double)(L - i), bufs[i], lens[i]);
        ASSERT(n != NULL);
        zslFreeNode(n);
        ASSERT(skiplistValid(zsl));
        free(bufs[i]);
    }
    ASSERT_EQ_INT(zsl->length, 0);
    ASSERT(zsl->tail == NULL && zsl->level == 1);
    zslFree(zsl);
}

/* Random inserts, deletes and score moves (in place and relinking) against a
 * model, with the invariants checked as the list changes. */
static void test_skiplist_random_ops(void) {
    enum { N = 400 };
    static double score[N];
    static int present[N];
    static zskiplistNode *node[N];
    memset(present, 0, sizeof(present));
    zskiplist *zsl = zslCreate();
    srandom(1234);
    for (int op = 0; op < 30000; op++) {
        int i = random() % N;
        char name[16];
        int len = snprintf(name, sizeof(name), "k%d", i);
        double s = (double)(random() % 40) / 4;
        int kind = random() % 3;
        if (!present[i]) {
            node[i] = zslInsert(zsl, s, name, (size_t)len);
            present[i] = 1;
            score[i] = s;
        } else if (kind == 0) {
            zskiplistNode *n = zslDetach(zsl, score[i], name, (size_t)len);
            ASSERT(n == node[i]);
            zslFreeNode(n);
            present[i] = 0;
        } else {
            zslUpdateScore(zsl, node[i], s);
            ASSERT(node[i]->score == s);
            score[i] = s;
        }
        if (op % 997 == 0) ASSERT(skiplistValid(zsl));
    }
    ASSERT(skiplistValid(zsl));
    static modelEntry m[N];
    int n = 0;
    for (int i = 0; i < N; i++) {
        if (!present[i]) continue;
        snprintf(m[n].name, sizeof(m[n].name), "k%d", i);
        m[n].score = score[i];
        n++;
    }
    qsort(m, (size_t)n, sizeof(modelEntry), modelCmp);
    ASSERT_EQ_INT(zsl->length, n);
    for (int r = 0; r < n; r++) {
        zskiplistNode *x = zslGetElementByRank(zsl, (unsigned long)r + 1);
        ASSERT(x && strcmp(zslNodeEle(x), m[r].name) == 0 && x->score == m[r].score);
        ASSERT_EQ_INT(zslGetRank(zsl, m[r].score, m[r].name, strlen(m[r].name)), r + 1);
    }
    zslFree(zsl);
}

/* The zset's member table holds the skiplist nodes themselves: lookups,
 * score moves and deletes of binary, empty and long members on the
 * skiplist encoding, across table growth and shrinking. */
/* Member i: empty for 0, else i's bytes (NULs included) padded to 4, 5 or
 * 280 bytes (the last past the member table's stack-view limit). */
static size_t memberOf(int i, char *buf) {
    if (i == 0) return 0;
    size_t len = i % 11 == 0 ? 280 : i % 7 == 0 ? 4 : 5;
    memset(buf, 0, len);
    memcpy(buf, &i, sizeof(i));
    if (len > 4) buf[4] = (char)0xff;
    return len;
}

static void test_zset_member_table(void) {
    server.zset_max_listpack_entries = 0;
    server.zset_max_listpack_value = 64;
    obj *z = zsetTypeCreate(0, 0);
    ASSERT(z->encoding == OBJ_ENCODING_SKIPLIST);
    zset *zs = objPtr(z);
    enum { N = 5000 };
    char name[300];
    int out;
    double ns, sc;
    for (int i = 0; i < N; i++) {
        size_t len = memberOf(i, name);
        ASSERT(zsetAdd(z, (double)(i % 10), name, len, ZADD_IN_NONE, &out, &ns) == 1 && (out & ZADD_OUT_ADDED));
    }
    ASSERT_EQ_INT(kvtSize(zs->members), zsetLength(z));
    ASSERT_EQ_INT(zs->zsl->length, zsetLength(z));
    ASSERT(zsetScore(z, "", 0, &sc) && sc == 0);
    ASSERT(skiplistValid(zs->zsl));
    /* Move every member to a new score, then delete half. */
    for (int i = 1; i < N; i++) {
        size_t use = memberOf(i, name);
        ASSERT(zsetScore(z, name, use, &sc) && sc == (double)(i % 10));
        ASSERT(zsetAdd(z, -1.0 * i, name, use, ZADD_IN_NONE, &out, &ns) == 1 && (out & ZADD_OUT_UPDATED));
        ASSERT_EQ_INT(zsetRank(z, name, use, 0, &sc), 0); /* lowest score so far */
        ASSERT(sc == -1.0 * i);
    }
    ASSERT(skiplistValid(zs->zsl));
    size_t before = kvtBuckets(zs->members);
    for (int i = 1; i < N; i++) {
        if (i % 8 == 0) continue;
        size_t use = memberOf(i, name);
        ASSERT_EQ_INT(zsetDel(z, name, use), 1);
        ASSERT_EQ_INT(zsetDel(z, name, use), 0);
    }
    ASSERT(kvtBuckets(zs->members) < before); /* the table shrank */
    ASSERT_EQ_INT(kvtSize(zs->members), zsetLength(z));
    ASSERT(skiplistValid(zs->zsl));
    ASSERT(zsetSkiplistMemUsage(z, 10) > zsetLength(z) * sizeof(zskiplistNode));
    obj *d = zsetDup(z);
    zset *ds = objPtr(d);
    ASSERT_EQ_INT(kvtSize(ds->members), zsetLength(z));
    ASSERT(skiplistValid(ds->zsl));
    for (zskiplistNode *a = zs->zsl->header->level[0].forward, *b = ds->zsl->header->level[0].forward; a || b;
         a = a->level[0].forward, b = b->level[0].forward) {
        ASSERT(a && b && a != b && a->score == b->score);
        ASSERT(bstrLen(zslNodeEle(a)) == bstrLen(zslNodeEle(b)));
        ASSERT(memcmp(zslNodeEle(a), zslNodeEle(b), bstrLen(zslNodeEle(a))) == 0);
        ASSERT(kvtFind(ds->members, zslNodeEle(a)) == b);
    }
    decrRefCount(d);
    decrRefCount(z);
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
    RUN_TEST(test_skiplist_embedded_members);
    RUN_TEST(test_skiplist_random_ops);
    RUN_TEST(test_zset_member_table);
    RUN_TEST(test_zset_model_listpack);
    RUN_TEST(test_zset_model_skiplist);
    RUN_TEST(test_zadd_flags);
    return TEST_REPORT();
}
