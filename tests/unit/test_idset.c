/* Unit tests for ds/idset: random adds and removes checked against a
 * brute-force membership array, plus ordering and growth edge cases. */
#include "ds/idset.h"
#include "core/zmalloc.h"
#include "testhelp.h"
#include <stdlib.h>

static void test_empty_and_single(void) {
    idset *s = idsetNew();
    ASSERT_EQ_INT(idsetLen(s), 0);
    ASSERT(!idsetContains(s, 7));
    ASSERT_EQ_INT(idsetRemove(s, 7), 0);
    ASSERT_EQ_INT(idsetAdd(&s, 7), 1);
    ASSERT_EQ_INT(idsetAdd(&s, 7), 0);
    ASSERT_EQ_INT(idsetLen(s), 1);
    ASSERT(idsetContains(s, 7));
    /* One id fits the first allocation: header plus one slot. */
    ASSERT_EQ_INT(idsetAllocSize(s), sizeof(idset) + sizeof(uint64_t));
    ASSERT_EQ_INT(idsetRemove(s, 7), 1);
    ASSERT_EQ_INT(idsetLen(s), 0);
    idsetFree(s);
}

static void test_sorted_order(void) {
    idset *s = idsetNew();
    uint64_t in[] = {50, 3, UINT64_MAX, 0, 17, 4, 1ULL << 40, 16};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) ASSERT_EQ_INT(idsetAdd(&s, in[i]), 1);
    ASSERT_EQ_INT(idsetLen(s), 8);
    for (uint32_t i = 1; i < idsetLen(s); i++) ASSERT(idsetGet(s, i - 1) < idsetGet(s, i));
    ASSERT(idsetGet(s, 0) == 0);
    ASSERT(idsetGet(s, 7) == UINT64_MAX);
    ASSERT_EQ_INT(idsetRemove(s, 0), 1);
    ASSERT_EQ_INT(idsetRemove(s, UINT64_MAX), 1);
    ASSERT(idsetGet(s, 0) == 3);
    ASSERT(idsetGet(s, idsetLen(s) - 1) == (1ULL << 40));
    idsetFree(s);
}

#define SPACE 300
static void test_random_against_model(void) {
    srand(12345);
    idset *s = idsetNew();
    unsigned char present[SPACE] = {0};
    int count = 0;
    for (int round = 0; round < 20000; round++) {
        uint64_t id = (uint64_t)(rand() % SPACE);
        if (rand() % 3) {
            int added = idsetAdd(&s, id);
            ASSERT_EQ_INT(added, !present[id]);
            if (added) count++;
            present[id] = 1;
        } else {
            int removed = idsetRemove(s, id);
            ASSERT_EQ_INT(removed, present[id]);
            if (removed) count--;
            present[id] = 0;
        }
        ASSERT_EQ_INT(idsetLen(s), count);
        if (round % 997 == 0) {
            uint32_t j = 0;
            for (uint64_t v = 0; v < SPACE; v++) {
                ASSERT_EQ_INT(idsetContains(s, v), present[v]);
                if (present[v]) ASSERT(idsetGet(s, j++) == v);
            }
            ASSERT_EQ_INT(j, count);
        }
    }
    ASSERT(s->cap >= s->len);
    idsetFree(s);
}

static void test_memory_returned(void) {
    size_t before = zmalloc_used_memory();
    idset *s = idsetNew();
    for (uint64_t i = 0; i < 1000; i++) idsetAdd(&s, i * 7);
    ASSERT(zmalloc_used_memory() > before);
    idsetFree(s);
    ASSERT_EQ_INT(zmalloc_used_memory(), before);
}

int main(void) {
    RUN_TEST(test_empty_and_single);
    RUN_TEST(test_sorted_order);
    RUN_TEST(test_random_against_model);
    RUN_TEST(test_memory_returned);
    return TEST_REPORT();
}
