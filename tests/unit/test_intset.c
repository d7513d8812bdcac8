/* Unit tests for ds/intset: upgrades, model comparison, exact byte layout and
 * rejection of corrupt blobs. */
#include "ds/intset.h"
#include "core/zmalloc.h"
#include "testhelp.h"
#include <stdlib.h>
#include <stdint.h>

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_layout_and_upgrade(void) {
    intset *is = intsetNew();
    uint8_t ok;
    is = intsetAdd(is, 5, &ok);
    ASSERT(ok);
    is = intsetAdd(is, -3, &ok);
    is = intsetAdd(is, 5, &ok);
    ASSERT(!ok);
    const unsigned char exp16[] = {2, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 5, 0};
    ASSERT_EQ_INT(intsetBlobLen(is), sizeof(exp16));
    ASSERT(memcmp(is, exp16, sizeof(exp16)) == 0);
    is = intsetAdd(is, 70000, &ok); /* upgrade to 32 bit, appended */
    const unsigned char exp32[] = {4, 0, 0, 0, 3, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff,
                                   5, 0, 0, 0, 0x70, 0x11, 0x01, 0};
    ASSERT_EQ_INT(intsetBlobLen(is), sizeof(exp32));
    ASSERT(memcmp(is, exp32, sizeof(exp32)) == 0);
    is = intsetAdd(is, INT64_MIN, &ok); /* upgrade to 64 bit, prepended */
    int64_t v;
    ASSERT(intsetGet(is, 0, &v) && v == INT64_MIN);
    ASSERT(intsetGet(is, 3, &v) && v == 70000);
    ASSERT(!intsetGet(is, 4, &v));
    ASSERT_EQ_INT(intsetMin(is), INT64_MIN);
    ASSERT_EQ_INT(intsetMax(is), 70000);
    ASSERT(intsetFind(is, -3) && !intsetFind(is, 4) && !intsetFind(is, INT64_MAX));
    int success;
    is = intsetRemove(is, -3, &success);
    ASSERT(success);
    is = intsetRemove(is, -3, &success);
    ASSERT(!success);
    ASSERT_EQ_INT(intsetLen(is), 3);
    ASSERT(intsetValidateIntegrity((unsigned char *)is, intsetBlobLen(is), 1));
    intset *d = intsetDup(is);
    ASSERT(memcmp(d, is, intsetBlobLen(is)) == 0);
    zfree(d);
    zfree(is);
}

static void test_random_vs_model(void) {
    enum { N = 4000 };
    static int64_t model[N];
    int n = 0;
    intset *is = intsetNew();
    srandom(42);
    for (int op = 0; op < 20000; op++) {
        int64_t v;
        switch (random() % 3) {
        case 0: v = random() % 200 - 100; break;
        case 1: v = (int64_t)(random() % 200000) - 100000; break;
        default: v = (int64_t)(((uint64_t)random() << 33) ^ (uint64_t)random()); break;
        }
        int present = 0, at = -1;
        for (int i = 0; i < n; i++) if (model[i] == v) { present = 1; at = i; }
        if (random() % 3 && n < N) {
            uint8_t ok;
            is = intsetAdd(is, v, &ok);
            ASSERT_EQ_INT(ok, !present);
            if (!present) model[n++] = v;
        } else {
            int ok;
            is = intsetRemove(is, v, &ok);
            ASSERT_EQ_INT(ok, present);
            if (present) model[at] = model[--n];
        }
        ASSERT_EQ_INT(intsetLen(is), n);
    }
    qsort(model, n, sizeof(int64_t), cmp64);
    for (int i = 0; i < n; i++) {
        int64_t v;
        ASSERT(intsetGet(is, i, &v));
        ASSERT(v == model[i]);
        ASSERT(intsetFind(is, model[i]));
    }
    int64_t r = intsetRandom(is);
    ASSERT(intsetFind(is, r));
    ASSERT(intsetValidateIntegrity((unsigned char *)is, intsetBlobLen(is), 1));
    zfree(is);
}

static void test_validate_corrupt(void) {
    unsigned char good[] = {2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0};
    ASSERT(intsetValidateIntegrity(good, sizeof(good), 1));
    ASSERT(!intsetValidateIntegrity(good, 7, 0));                  /* truncated header */
    ASSERT(!intsetValidateIntegrity(good, sizeof(good) - 1, 0));   /* size mismatch */
    unsigned char bad[sizeof(good)];
    memcpy(bad, good, sizeof(good));
    bad[0] = 3;                                                     /* bad encoding */
    ASSERT(!intsetValidateIntegrity(bad, sizeof(bad), 0));
    memcpy(bad, good, sizeof(good));
    bad[4] = 0;                                                     /* empty */
    ASSERT(!intsetValidateIntegrity(bad, 8, 0));
    memcpy(bad, good, sizeof(good));
    bad[12] = 2;                                                    /* duplicate */
    ASSERT(intsetValidateIntegrity(bad, sizeof(bad), 0));
    ASSERT(!intsetValidateIntegrity(bad, sizeof(bad), 1));
    memcpy(bad, good, sizeof(good));
    bad[8] = 9;                                                     /* unsorted */
    ASSERT(!intsetValidateIntegrity(bad, sizeof(bad), 1));
    memcpy(bad, good, sizeof(good));
    bad[7] = 0x40;                                                  /* huge count */
    ASSERT(!intsetValidateIntegrity(bad, sizeof(bad), 1));
    unsigned char huge[] = {8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    ASSERT(!intsetValidateIntegrity(huge, sizeof(huge), 1));
}

int main(void) {
    RUN_TEST(test_layout_and_upgrade);
    RUN_TEST(test_random_vs_model);
    RUN_TEST(test_validate_corrupt);
    return TEST_REPORT();
}
