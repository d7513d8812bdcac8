/* SHA-1 against the FIPS 180 example vectors, plus split-feeding checks. */
#include "testhelp.h"
#include "ds/sha1.h"
#include <stdlib.h>

static void sha1Init_(void *ctx) { sha1Init(ctx); }
static void sha1Update_(void *ctx, const void *p, size_t len) { sha1Update(ctx, p, len); }
static void sha1Final_(void *ctx, unsigned char *out) { sha1Final(ctx, out); }
static void sha1Digest_(const void *p, size_t len, unsigned char *out) { sha1Digest(p, len, out); }
static void sha1Hex_(const unsigned char *d, char *out) { sha1Hex(d, out); }
static const thDigest SHA1 = {SHA1_DIGEST_LEN, sizeof(sha1Ctx), sha1Digest_, sha1Init_, sha1Update_, sha1Final_, sha1Hex_};

static int hexIs(const void *data, size_t len, const char *expect) { return thDigestHexIs(&SHA1, data, len, expect); }

static void test_abc(void) { ASSERT(hexIs("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d")); }

static void test_empty(void) { ASSERT(hexIs("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709")); }

static void test_two_blocks(void) {
    const char *m = TH_FIPS_MSG_448;
    ASSERT(hexIs(m, strlen(m), "84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
}

static void test_896_bits(void) {
    const char *m = TH_FIPS_MSG_896;
    ASSERT(hexIs(m, strlen(m), "a49b2446a02c645bf419f995b67091253a04a259"));
}

static void test_million_a(void) { ASSERT(thDigestMillionAHexIs(&SHA1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f")); }

/* Any split of the input must give the same digest as one-shot hashing. */
static void test_split_feeding(void) { ASSERT(thDigestSplitAgrees(&SHA1)); }

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
