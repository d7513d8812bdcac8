/* Unit tests for ds/rax: random operations checked against a brute-force
 * model (an unsorted array scanned linearly), plus seek/iteration checks. */
#include "ds/rax.h"
#include "core/zmalloc.h"
#include "testhelp.h"
#include <stdlib.h>
#include <string.h>

#define MODEL_MAX 600

typedef struct { unsigned char k[8]; size_t len; long v; int live; } modelEnt;
static modelEnt model[MODEL_MAX];
static int model_n;

static int keyCmp(const unsigned char *a, size_t al, const unsigned char *b, size_t bl) {
    size_t m = al < bl ? al : bl;
    int c = memcmp(a, b, m);
    if (c) return c;
    return al < bl ? -1 : al > bl;
}

static int modelFind(const unsigned char *k, size_t len) {
    for (int i = 0; i < model_n; i++)
        if (model[i].live && model[i].len == len && !memcmp(model[i].k, k, len)) return i;
    return -1;
}

/* Index of the live model entry that `op` seeks to, or -1. */
static int modelSeek(const char *op, const unsigned char *k, size_t len) {
    int best = -1;
    for (int i = 0; i < model_n; i++) {
        if (!model[i].live) continue;
        int c = keyCmp(model[i].k, model[i].len, k, len);
        int ok = (!strcmp(op, ">=") && c >= 0) || (!strcmp(op, ">") && c > 0) ||
                 (!strcmp(op, "<=") && c <= 0) || (!strcmp(op, "<") && c < 0);
        if (!ok) continue;
        if (best < 0) { best = i; continue; }
        int cb = keyCmp(model[i].k, model[i].len, model[best].k, model[best].len);
        if (op[0] == '>' ? cb < 0 : cb > 0) best = i;
    }
    return best;
}

static void randKey(unsigned char *k, size_t *len) {
    *len = (size_t)(rand() % 4);   /* short keys over a small alphabet: many collisions */
    for (size_t i = 0; i < *len; i++) k[i] = (unsigned char)('a' + rand() % 4);
}

static void test_random_vs_model(void) {
    rax *r = raxNew();
    model_n = 0;
    long live = 0;
    for (int step = 0; step < 20000; step++) {
        unsigned char k[8];
        size_t len;
        randKey(k, &len);
        int op = rand() % 4, mi = modelFind(k, len);
        if (op <= 1) {
            void *old = NULL;
            long v = step;
            int added = raxInsert(r, k, len, (void *)v, &old);
            ASSERT_EQ_INT(added, mi < 0);
            if (mi >= 0) { ASSERT_EQ_INT((long)old, model[mi].v); model[mi].v = v; }
            else if (model_n < MODEL_MAX) {
                memcpy(model[model_n].k, k, len);
                model[model_n].len = len; model[model_n].v = v; model[model_n].live = 1;
                model_n++; live++;
            } else { raxRemove(r, k, len, NULL); }
        } else if (op == 2) {
            void *old = NULL;
            int removed = raxRemove(r, k, len, &old);
            ASSERT_EQ_INT(removed, mi >= 0);
            if (mi >= 0) { ASSERT_EQ_INT((long)old, model[mi].v); model[mi].live = 0; live--; }
        } else {
            void *val = NULL;
            int found = raxFind(r, k, len, &val);
            ASSERT_EQ_INT(found, mi >= 0);
            if (found) ASSERT_EQ_INT((long)val, model[mi].v);
            static const char *ops[] = {">=", ">", "<=", "<"};
            const char *sop = ops[rand() % 4];
            raxIterator it;
            raxStart(&it, r);
            raxSeek(&it, sop, k, len);
            int want = modelSeek(sop, k, len);
            int got = (rand() & 1) ? raxNext(&it) : raxPrev(&it);
            ASSERT_EQ_INT(got, want >= 0);
            if (got) {
                ASSERT_EQ_INT(it.key_len, model[want].len);
                ASSERT(!memcmp(it.key, model[want].k, it.key_len));
                ASSERT_EQ_INT((long)it.data, model[want].v);
            }
            raxStop(&it);
        }
        ASSERT_EQ_INT(raxSize(r), live);
    }
    /* Full forward and backward walks are sorted and complete. */
    raxIterator it;
    raxStart(&it, r);
    raxSeek(&it, "^", NULL, 0);
    long n = 0;
    unsigned char prev[8];
    size_t prevlen = 0;
    while (raxNext(&it)) {
        if (n) ASSERT(keyCmp(prev, prevlen, it.key, it.key_len) < 0);
        memcpy(prev, it.key, it.key_len); prevlen = it.key_len; n++;
    }
    ASSERT_EQ_INT(n, live);
    raxSeek(&it, "$", NULL, 0);
    n = 0;
    while (raxPrev(&it)) {
        if (n) ASSERT(keyCmp(prev, prevlen, it.key, it.key_len) > 0);
        memcpy(prev, it.key, it.key_len); prevlen = it.key_len; n++;
    }
    ASSERT_EQ_INT(n, live);
    raxStop(&it);
    raxFree(r);
}

/* 16-byte big-endian IDs: appends at the tail and pops at the head. */
static void test_stream_like_keys(void) {
    rax *r = raxNew();
    unsigned char k[16];
    for (int i = 0; i < 5000; i++) {
        memset(k, 0, 16);
        k[6] = (unsigned char)(i >> 8); k[7] = (unsigned char)i;
        ASSERT_EQ_INT(raxInsert(r, k, 16, NULL, NULL), 1);
    }
    for (int i = 0; i < 2500; i++) {
        raxIterator it;
        raxStart(&it, r);
        raxSeek(&it, "^", NULL, 0);
        ASSERT(raxNext(&it));
        ASSERT_EQ_INT((it.key[6] << 8) | it.key[7], i);
        ASSERT(raxRemove(r, it.key, it.key_len, NULL));
        raxStop(&it);
    }
    ASSERT_EQ_INT(raxSize(r), 2500);
    memset(k, 0, 16);
    raxIterator it;
    raxStart(&it, r);
    raxSeek(&it, "<", k, 16);
    ASSERT(!raxPrev(&it));
    raxSeek(&it, "$", NULL, 0);
    ASSERT(raxPrev(&it));
    ASSERT_EQ_INT((it.key[6] << 8) | it.key[7], 4999);
    raxStop(&it);
    raxFree(r);
}

static int freed;
static void countFree(void *p) { (void)p; freed++; }

static void test_free_callback(void) {
    rax *r = raxNew();
    raxInsert(r, (const unsigned char *)"a", 1, (void *)1, NULL);
    raxInsert(r, (const unsigned char *)"b", 1, (void *)2, NULL);
    ASSERT_EQ_INT(raxTryInsert(r, (const unsigned char *)"a", 1, (void *)3, NULL), 0);
    void *v;
    ASSERT(raxFind(r, (const unsigned char *)"a", 1, &v) && v == (void *)1);
    freed = 0;
    raxFreeWithCallback(r, countFree);
    ASSERT_EQ_INT(freed, 2);
}

int main(void) {
    srand(1234);
    RUN_TEST(test_random_vs_model);
    RUN_TEST(test_stream_like_keys);
    RUN_TEST(test_free_callback);
    return TEST_REPORT();
}
