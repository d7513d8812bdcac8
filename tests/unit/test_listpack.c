/* Unit tests for ds/listpack: exact encodings, random operations against an
 * array model, and validation of corrupted buffers. */
#include "testhelp.h"
#include "ds/listpack.h"
#include "core/zmalloc.h"
#include <stdlib.h>
#include <stdint.h>
#include <limits.h>

typedef struct { char *s; size_t len; } mstr;

static mstr mk(const char *s, size_t len) {
    mstr m;
    m.s = malloc(len + 1);
    memcpy(m.s, s, len);
    m.s[len] = 0;
    m.len = len;
    return m;
}

static int entryEquals(unsigned char *p, mstr m) {
    unsigned char buf[LP_INTBUF_SIZE];
    int64_t n;
    unsigned char *v = lpGet(p, &n, buf);
    return (size_t)n == m.len && memcmp(v, m.s, m.len) == 0;
}

static int checkModel(unsigned char *lp, mstr *model, long n) {
    if ((long)lpLength(lp) != n) return 0;
    if (!lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL)) return 0;
    unsigned char *p = lpFirst(lp);
    for (long i = 0; i < n; i++) {
        if (!p || !entryEquals(p, model[i])) return 0;
        p = lpNext(lp, p);
    }
    if (p) return 0;
    p = lpLast(lp);
    for (long i = n - 1; i >= 0; i--) {
        if (!p || !entryEquals(p, model[i])) return 0;
        p = lpPrev(lp, p);
    }
    if (p) return 0;
    if (n) {
        long i = rand() % n;
        if (!entryEquals(lpSeek(lp, i), model[i])) return 0;
        if (!entryEquals(lpSeek(lp, i - n), model[i])) return 0;
    }
    return lpSeek(lp, n) == NULL && lpSeek(lp, -n - 1) == NULL;
}

static mstr randomValue(void) {
    char buf[5000];
    size_t len;
    switch (rand() % 6) {
    case 0: len = snprintf(buf, sizeof(buf), "%d", rand() % 300 - 150); break;
    case 1: len = snprintf(buf, sizeof(buf), "%lld", (long long)rand() * rand() * (rand() % 2 ? -1 : 1)); break;
    case 2: len = rand() % 70; memset(buf, 'a' + rand() % 26, len); break;
    case 3: len = rand() % 5000; memset(buf, 'x', len); if (len) buf[0] = 'y'; break;
    case 4: len = snprintf(buf, sizeof(buf), "0%d", rand() % 100); break; /* not canonical */
    default: len = snprintf(buf, sizeof(buf), "%s", rand() % 2 ? "-0" : "9223372036854775808"); break;
    }
    return mk(buf, len);
}

static void test_spec_examples(void) {
    unsigned char *lp = lpNew(0);
    lp = lpAppend(lp, (unsigned char *)"f1", 2);
    lp = lpAppend(lp, (unsigned char *)"-3", 2);
    const unsigned char expect[] = {14, 0, 0, 0, 2, 0, 0x82, 0x66, 0x31, 0x03, 0xDF, 0xFD, 0x02, 0xFF};
    ASSERT_EQ_INT(lpBytes(lp), 14);
    ASSERT(memcmp(lp, expect, 14) == 0);
    long long v;
    ASSERT(lpGetIntegerIfValid(lpLast(lp), &v) && v == -3);
    lpFree(lp);
}

static void test_integer_widths(void) {
    struct { long long v; size_t entsize; } cases[] = {
        {0, 2}, {127, 2}, {128, 3}, {-1, 3}, {-4096, 3}, {4095, 3}, {4096, 4}, {-4097, 4},
        {32767, 4}, {-32768, 4}, {32768, 5}, {8388607, 5}, {-8388608, 5}, {8388608, 6},
        {INT32_MAX, 6}, {INT32_MIN, 6}, {(long long)INT32_MAX + 1, 10}, {LLONG_MAX, 10}, {LLONG_MIN, 10}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *lp = lpNew(0);
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%lld", cases[i].v);
        lp = lpAppend(lp, (unsigned char *)buf, n);
        lp = lpAppendInteger(lp, cases[i].v);
        ASSERT_EQ_INT(lpBytes(lp), LP_HDR_SIZE + 1 + 2 * cases[i].entsize);
        long long got;
        ASSERT(lpGetIntegerIfValid(lpFirst(lp), &got) && got == cases[i].v);
        ASSERT(lpGetIntegerIfValid(lpLast(lp), &got) && got == cases[i].v);
        ASSERT(lpCompare(lpFirst(lp), (unsigned char *)buf, n));
        ASSERT(lpFind(lp, lpFirst(lp), (unsigned char *)buf, n, 0) == lpFirst(lp));
        ASSERT(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
        lpFree(lp);
    }
}

static void test_string_boundaries(void) {
    size_t lens[] = {0, 1, 63, 64, 127, 4095, 4096, 20000, 70000};
    size_t hdr[] = {1, 1, 1, 2, 2, 2, 5, 5, 5};
    static char big[70000];
    memset(big, 'q', sizeof(big));
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        unsigned char *lp = lpNew(0);
        lp = lpAppend(lp, (unsigned char *)big, lens[i]);
        size_t l = hdr[i] + lens[i];
        size_t bl = l < 128 ? 1 : l < 16384 ? 2 : l < 2097152 ? 3 : 4;
        ASSERT_EQ_INT(lpBytes(lp), LP_HDR_SIZE + 1 + l + bl);
        ASSERT_EQ_INT(lpEntrySize(lpFirst(lp)), l + bl);
        ASSERT(lpCompare(lpFirst(lp), (unsigned char *)big, lens[i]));
        lp = lpPrepend(lp, (unsigned char *)"x", 1);
        ASSERT(lpPrev(lp, lpLast(lp)) == lpFirst(lp));
        ASSERT(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
        lpFree(lp);
    }
}

static void test_noncanonical_stay_strings(void) {
    const char *s[] = {"01", "-0", "+1", " 1", "9223372036854775808", "-9223372036854775809", "1a", ""};
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        unsigned char *lp = lpAppend(lpNew(0), (unsigned char *)s[i], strlen(s[i]));
        long long v;
        ASSERT(!lpGetIntegerIfValid(lpFirst(lp), &v));
        ASSERT(lpCompare(lpFirst(lp), (unsigned char *)s[i], strlen(s[i])));
        lpFree(lp);
    }
}

static void test_random_ops_vs_model(void) {
    srand(1234);
    for (int round = 0; round < 30; round++) {
        unsigned char *lp = lpNew(0);
        mstr *model = NULL;
        long n = 0;
        for (int op = 0; op < 200; op++) {
            int kind = rand() % 8;
            if (kind <= 1 || n == 0) {
                mstr v = randomValue();
                model = realloc(model, sizeof(mstr) * (n + 1));
                if (kind == 0) { lp = lpAppend(lp, (unsigned char *)v.s, v.len); model[n] = v; }
                else { lp = lpPrepend(lp, (unsigned char *)v.s, v.len); memmove(model + 1, model, sizeof(mstr) * n); model[0] = v; }
                n++;
            } else if (kind == 2) {
                long i = rand() % n;
                int where = rand() % 2 ? LP_BEFORE : LP_AFTER;
                mstr v = randomValue();
                unsigned char *np;
                lp = lpInsertString(lp, (unsigned char *)v.s, v.len, lpSeek(lp, i), where, &np);
                ASSERT(entryEquals(np, v));
                long at = where == LP_BEFORE ? i : i + 1;
                model = realloc(model, sizeof(mstr) * (n + 1));
                memmove(model + at + 1, model + at, sizeof(mstr) * (n - at));
                model[at] = v;
                n++;
            } else if (kind == 3) {
                long i = rand() % n;
                mstr v = randomValue();
                unsigned char *p = lpSeek(lp, i);
                lp = lpReplace(lp, &p, (unsigned char *)v.s, v.len);
                ASSERT(entryEquals(p, v));
                free(model[i].s);
                model[i] = v;
            } else if (kind == 4) {
                long i = rand() % n;
                unsigned char *np;
                lp = lpDelete(lp, lpSeek(lp, i), &np);
                free(model[i].s);
                memmove(model + i, model + i + 1, sizeof(mstr) * (n - i - 1));
                n--;
                if (i < n) ASSERT(entryEquals(np, model[i]));
                else ASSERT(np == NULL);
            } else if (kind == 5) {
                long i = rand() % n, cnt = rand() % 5;
                if (i + cnt > n) cnt = n - i;
                lp = lpDeleteRange(lp, i, cnt);
                for (long k = i; k < i + cnt; k++) free(model[k].s);
                memmove(model + i, model + i + cnt, sizeof(mstr) * (n - i - cnt));
                n -= cnt;
            } else if (kind == 6) {
                lpEntry ents[4];
                mstr vals[4];
                int k = 1 + rand() % 4;
                for (int j = 0; j < k; j++) {
                    vals[j] = randomValue();
                    ents[j].sval = (unsigned char *)vals[j].s;
                    ents[j].slen = vals[j].len;
                }
                lp = lpBatchAppend(lp, ents, k);
                model = realloc(model, sizeof(mstr) * (n + k));
                for (int j = 0; j < k; j++) model[n + j] = vals[j];
                n += k;
            } else {
                long i = rand() % n;
                unsigned char *f = lpFind(lp, lpFirst(lp), (unsigned char *)model[i].s, model[i].len, 0);
                ASSERT(f != NULL && entryEquals(f, model[i]));
            }
            ASSERT(checkModel(lp, model, n));
        }
        for (long i = 0; i < n; i++) free(model[i].s);
        free(model);
        lpFree(lp);
    }
}

static void test_find_skip(void) {
    unsigned char *lp = lpNew(0);
    const char *kv[] = {"a", "b", "b", "c", "12", "a"};
    for (int i = 0; i < 6; i++) lp = lpAppend(lp, (unsigned char *)kv[i], strlen(kv[i]));
    unsigned char *f = lpFind(lp, lpFirst(lp), (unsigned char *)"b", 1, 1);
    ASSERT(f == lpSeek(lp, 2));
    f = lpFind(lp, lpFirst(lp), (unsigned char *)"c", 1, 1);
    ASSERT(f == NULL);
    f = lpFind(lp, lpFirst(lp), (unsigned char *)"12", 2, 1);
    ASSERT(f == lpSeek(lp, 4));
    lpFree(lp);
}

static void test_unknown_count(void) {
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < 66000; i++) lp = lpAppendInteger(lp, i);
    ASSERT_EQ_INT(lp[4] | (lp[5] << 8), 65535);
    ASSERT_EQ_INT(lpLength(lp), 66000);
    ASSERT(lpValidateIntegrity(lp, lpBytes(lp), 1, NULL, NULL));
    lp = lpDeleteRange(lp, 0, 65000);
    ASSERT_EQ_INT(lpLength(lp), 1000);
    ASSERT_EQ_INT(lp[4] | (lp[5] << 8), 1000);
    long long v;
    ASSERT(lpGetIntegerIfValid(lpFirst(lp), &v) && v == 65000);
    lpFree(lp);
}

static int countCb(unsigned char *p, unsigned int head_count, void *data) {
    (void)p; (void)head_count;
    (*(int *)data)++;
    return 1;
}

static void test_corrupt_rejected(void) {
    srand(99);
    unsigned char *lp = lpNew(0);
    for (int i = 0; i < 40; i++) {
        mstr v = randomValue();
        lp = lpAppend(lp, (unsigned char *)v.s, v.len > 300 ? 300 : v.len);
        free(v.s);
    }
    size_t sz = lpBytes(lp);
    int cnt = 0;
    ASSERT(lpValidateIntegrity(lp, sz, 1, countCb, &cnt));
    ASSERT_EQ_INT(cnt, 40);
    ASSERT(!lpValidateIntegrity(lp, sz - 1, 1, NULL, NULL));
    ASSERT(!lpValidateIntegrity(lp, 3, 0, NULL, NULL));
    int rejected = 0;
    for (int t = 0; t < 20000; t++) {
        /* Exact-size copies so ASan flags any read past the blob. */
        size_t csz = sz;
        if (t % 3 == 0) csz = LP_HDR_SIZE + 1 + rand() % (sz - LP_HDR_SIZE);
        unsigned char *c = malloc(csz);
        memcpy(c, lp, csz);
        int flips = 1 + rand() % 3;
        for (int f = 0; f < flips; f++) c[rand() % csz] = rand() & 0xff;
        if (t % 3 == 0) { c[0] = csz & 0xff; c[1] = (csz >> 8) & 0xff; c[2] = 0; c[3] = 0; c[csz - 1] = 0xFF; }
        if (lpValidateIntegrity(c, csz, 1, NULL, NULL)) {
            /* Whatever passes must be walkable both ways. */
            unsigned long n = 0;
            for (unsigned char *p = lpFirst(c); p; p = lpNext(c, p)) n++;
            unsigned long m = 0;
            for (unsigned char *p = lpLast(c); p; p = lpPrev(c, p)) m++;
            ASSERT_EQ_INT(n, m);
        } else {
            rejected++;
        }
        free(c);
    }
    ASSERT(rejected > 1000);
    lpFree(lp);
}

static void test_merge_and_batch_insert(void) {
    unsigned char *a = lpNew(0), *b = lpNew(0);
    a = lpAppend(a, (unsigned char *)"x", 1);
    b = lpAppendInteger(b, 5);
    b = lpAppend(b, (unsigned char *)"y", 1);
    a = lpMerge(a, b);
    ASSERT_EQ_INT(lpLength(a), 3);
    lpEntry e[2] = {{(unsigned char *)"m", 1, 0}, {NULL, 0, 77}};
    unsigned char *np;
    a = lpBatchInsert(a, lpFirst(a), LP_AFTER, e, 2, &np);
    ASSERT(lpCompare(np, (unsigned char *)"m", 1));
    ASSERT(lpCompare(lpSeek(a, 2), (unsigned char *)"77", 2));
    ASSERT(lpCompare(lpSeek(a, 3), (unsigned char *)"5", 1));
    ASSERT(lpValidateIntegrity(a, lpBytes(a), 1, NULL, NULL));
    lpFree(a);
}

int main(void) {
    RUN_TEST(test_spec_examples);
    RUN_TEST(test_integer_widths);
    RUN_TEST(test_string_boundaries);
    RUN_TEST(test_noncanonical_stay_strings);
    RUN_TEST(test_random_ops_vs_model);
    RUN_TEST(test_find_skip);
    RUN_TEST(test_unknown_count);
    RUN_TEST(test_corrupt_rejected);
    RUN_TEST(test_merge_and_batch_insert);
    return TEST_REPORT();
}
