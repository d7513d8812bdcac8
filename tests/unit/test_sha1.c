/* SHA-1 against the FIPS 180 example vectors, plus split-feeding checks. */
#include "testhelp.h"
#include "ds/sha1.h"
#include <stdlib.h>

static int hexIs(const void *data, size_t len, const char *expect) {
    unsigned char d[20];
    char hex[41];
    sha1Digest(data, len, d);
    sha1Hex(d, hex);
    return strcmp(hex, expect) == 0;
}

static void test_abc(void) { ASSERT(hexIs("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d")); }

static void test_empty(void) { ASSERT(hexIs("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709")); }

static void test_two_blocks(void) {
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ASSERT(hexIs(m, strlen(m), "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
}

static void test_896_bits(void) {
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    ASSERT(hexIs(m, strlen(m), "a49b2446a02c645bf419f995b67091253a04a259"));
}

static void test_million_a(void) {
    sha1Ctx ctx;
    unsigned char d[20];
    char hex[41], chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha1Init(&ctx);
    for (int i = 0; i < 1000; i++) sha1Update(&ctx, chunk, sizeof(chunk));
    sha1Final(&ctx, d);
    sha1Hex(d, hex);
    ASSERT(strcmp(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);
}

/* Any split of the input must give the same digest as one-shot hashing. */
static void test_split_feeding(void) {
    unsigned char buf[300], one[20], parts[20];
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(buf); len += 13) {
        sha1Digest(buf, len, one);
        for (size_t cut = 0; cut <= len; cut += 5) {
            sha1Ctx ctx;
            sha1Init(&ctx);
            sha1Update(&ctx, buf, cut);
            sha1Update(&ctx, buf + cut, len - cut);
            sha1Final(&ctx, parts);
            ASSERT(memcmp(one, parts, 20) == 0);
        }
    }
}

/* Padding boundary: 55, 56, 63, 64 byte messages. */
static void test_boundaries(void) {
    char m[64];
    memset(m, 'a', sizeof(m));
    ASSERT(hexIs(m, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"));
    ASSERT(hexIs(m, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"));
    ASSERT(hexIs(m, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"));
}

int main(void) {
    RUN_TEST(test_abc);
    RUN_TEST(test_empty);
    RUN_TEST(test_two_blocks);
    RUN_TEST(test_896_bits);
    RUN_TEST(test_million_a);
    RUN_TEST(test_split_feeding);
    RUN_TEST(test_boundaries);
    return TEST_REPORT();
}
