/* Unit tests for ds/bstr: header widths and their limits, growth, the
 * read-only T5 form used inside packed keyspace entries, splitting of
 * malformed argument lines, and the obj header layout packing relies on. */
#include "server/server.h"
#include "testhelp.h"
#include <stdlib.h>

static void test_widths_and_growth(void) {
    bstr s = bstrNewLen("abc", 3);
    ASSERT_EQ_INT(bstrLen(s), 3);
    ASSERT_EQ_INT(s[-1] & BSTR_TMASK, BSTR_T8);
    ASSERT(s[3] == '\0');
    for (int i = 0; i < 300; i++) s = bstrCatLen(s, "x", 1);
    ASSERT_EQ_INT(bstrLen(s), 303);
    ASSERT_EQ_INT(s[-1] & BSTR_TMASK, BSTR_T16); /* grew past 255: wider header */
    ASSERT(bstrAlloc(s) >= bstrLen(s));
    ASSERT(s[303] == '\0');
    ASSERT(memcmp(s, "abcxxx", 6) == 0);
    bstrRange(s, 1, 2);
    ASSERT_EQ_INT(bstrLen(s), 2);
    ASSERT(strcmp(s, "bc") == 0);
    bstrFree(s);
    bstr big = bstrNewLen(NULL, 70000);
    ASSERT_EQ_INT(big[-1] & BSTR_TMASK, BSTR_T32);
    ASSERT_EQ_INT(bstrLen(big), 70000);
    ASSERT(big[0] == 0 && big[69999] == 0);
    bstrFree(big);
}

static void test_t5_packed_form(void) {
    char buf[40];
    memset(buf, 0x55, sizeof(buf));
    bstr s = bstrWriteT5(buf, "hello", 5);
    ASSERT(s == buf + 1);
    ASSERT_EQ_INT(s[-1] & BSTR_TMASK, BSTR_T5);
    ASSERT_EQ_INT(bstrLen(s), 5);
    ASSERT_EQ_INT(bstrAlloc(s), 5);
    ASSERT_EQ_INT(bstrAvail(s), 0);
    ASSERT(memcmp(s, "hello", 5) == 0);
    ASSERT((unsigned char)s[5] == 0x55); /* no NUL written: the next field follows */
    /* the longest and the empty T5 string */
    char longest[BSTR_T5_MAXLEN];
    memset(longest, 'z', sizeof(longest));
    s = bstrWriteT5(buf, longest, BSTR_T5_MAXLEN);
    ASSERT_EQ_INT(bstrLen(s), BSTR_T5_MAXLEN);
    s = bstrWriteT5(buf, "", 0);
    ASSERT_EQ_INT(bstrLen(s), 0);
    ASSERT(buf[0] != 0); /* an empty packed key still has a nonzero header byte */
    /* shrinking in place keeps the type */
    s = bstrWriteT5(buf, "hello", 5);
    bstrSetLen(s, 2);
    ASSERT_EQ_INT(bstrLen(s), 2);
    ASSERT_EQ_INT(s[-1] & BSTR_TMASK, BSTR_T5);
    /* a copy is an ordinary, NUL-terminated bstr */
    bstr d = bstrDup(s);
    ASSERT_EQ_INT(d[-1] & BSTR_TMASK, BSTR_T8);
    ASSERT(strcmp(d, "he") == 0);
    bstrFree(d);
}

static void test_split_args_malformed(void) {
    int argc = -1;
    bstr *v = bstrSplitArgs("set \"a b\" 'c d' \"\\x41\\n\"", &argc);
    ASSERT(v != NULL);
    ASSERT_EQ_INT(argc, 4);
    ASSERT(strcmp(v[1], "a b") == 0);
    ASSERT(strcmp(v[2], "c d") == 0);
    ASSERT_EQ_INT(bstrLen(v[3]), 2);
    ASSERT(v[3][0] == 'A' && v[3][1] == '\n');
    bstrFreeSplit(v, argc);
    ASSERT(bstrSplitArgs("get \"unterminated", &argc) == NULL);
    ASSERT(bstrSplitArgs("get \"closed\"glued", &argc) == NULL); /* quote must end the token */
    ASSERT(bstrSplitArgs("'single", &argc) == NULL);
    v = bstrSplitArgs("   ", &argc);
    ASSERT(v != NULL);
    ASSERT_EQ_INT(argc, 0);
    bstrFreeSplit(v, argc);
}

/* db.c packs a key behind an 8-byte header whose last byte is obj.packed and
 * doubles as the key's T5 header: check the compiler put the field there. */
static void test_obj_packed_byte_position(void) {
    obj o;
    memset(&o, 0, sizeof(o));
    ASSERT_EQ_INT(sizeof(obj), 16);
    o.packed = 0xA5;
    ASSERT_EQ_INT(((unsigned char *)&o)[OBJ_PACKED_HDR - 1], 0xA5);
    o.refcount = OBJ_SHARED_REFCOUNT;
    ASSERT_EQ_INT(((unsigned char *)&o)[OBJ_PACKED_HDR - 1], 0xA5); /* refcount never spills into it */
    ASSERT_EQ_INT(o.refcount, OBJ_SHARED_REFCOUNT);
    /* a hand-built packed string: key "k1", value "v" */
    unsigned char mem[32];
    memset(mem, 0, sizeof(mem));
    obj *p = (obj *)mem;
    p->type = OBJ_STRING;
    p->encoding = OBJ_ENCODING_EMBSTR;
    bstr key = bstrWriteT5((char *)mem + OBJ_PACKED_HDR - 1, "k1", 2);
    ASSERT(p->packed != 0);
    ASSERT(key == (char *)mem + OBJ_PACKED_HDR);
    bstr val = bstrWriteT5((char *)mem + OBJ_PACKED_HDR + 2, "v", 1);
    val[1] = '\0';
    ASSERT(objPtr(p) == val);
    ASSERT_EQ_INT(bstrLen(objPtr(p)), 1);
    ASSERT_EQ_INT(bstrLen(key), 2);
}

/* Pairs: both parts readable as bstrs, header width set by the longer one,
 * one allocation freed through the first part. */
static void test_pairs(void) {
    size_t lens[] = {0, 1, 31, 255, 256, 70000};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
            char *a = malloc(lens[i] + 1), *b = malloc(lens[j] + 1);
            for (size_t k = 0; k < lens[i]; k++) a[k] = (char)(k * 7);   /* includes NULs */
            for (size_t k = 0; k < lens[j]; k++) b[k] = (char)(k * 13 + 1);
            bstr f = bstrNewPair(a, lens[i], b, lens[j]);
            bstr v = bstrPairSecond(f);
            ASSERT_EQ_INT(bstrLen(f), lens[i]);
            ASSERT_EQ_INT(bstrLen(v), lens[j]);
            ASSERT(memcmp(f, a, lens[i]) == 0);
            ASSERT(memcmp(v, b, lens[j]) == 0);
            ASSERT(f[lens[i]] == '\0' && v[lens[j]] == '\0');
            ASSERT((f[-1] & BSTR_TMASK) == (v[-1] & BSTR_TMASK));
            ASSERT(bstrAllocSize(f) >= lens[i] + lens[j] + 2 * (3 + 1));
            bstrFree(f);
            free(a);
            free(b);
        }
    }
}

int main(void) {
    RUN_TEST(test_widths_and_growth);
    RUN_TEST(test_t5_packed_form);
    RUN_TEST(test_split_args_malformed);
    RUN_TEST(test_obj_packed_byte_position);
    RUN_TEST(test_pairs);
    return TEST_REPORT();
}
