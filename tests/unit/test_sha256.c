/* SHA-256 against the FIPS 180 example vectors, plus split-feeding checks. */
#include "testhelp.h"
#include "ds/sha256.h"
#include <stdlib.h>

static void sha256Init_(void *ctx) { sha256Init(ctx); }
static void sha256Update_(void *ctx, const void *p, size_t len) { sha256Update(ctx, p, len); }
static void sha256Final_(void *ctx, unsigned char *out) { sha256Final(ctx, out); }
static void sha256Digest_(const void *p, size_t len, unsigned char *out) { sha256Digest(p, len, out); }
static void sha256Hex_(const unsigned char *d, char *out) { sha256Hex(d, out); }
static const thDigest SHA256 = {SHA256_DIGEST_LEN, sizeof(sha256Ctx), sha256Digest_, sha256Init_, sha256Update_, sha256Final_, sha256Hex_};

static int hexIs(const void *data, size_t len, const char *expect) { return thDigestHexIs(&SHA256, data, len, expect); }

static void test_abc(void) {
    ASSERT(hexIs("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

static void test_empty(void) {
    ASSERT(hexIs("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_two_blocks(void) {
    const char *m = TH_FIPS_MSG_448;
    ASSERT(hexIs(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
}

static void test_896_bits(void) {
    const char *m = TH_FIPS_MSG_896;
    ASSERT(hexIs(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

static void test_million_a(void) { ASSERT(thDigestMillionAHexIs(&SHA256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")); }

/* Padding edge: 55, 56 and 64 byte messages end the length in different blocks. */
static void test_padding_edges(void) {
    char m[64];
    memset(m, 'a', sizeof(m));
    ASSERT(hexIs(m, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"));
    ASSERT(hexIs(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"));
    ASSERT(hexIs(m, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"));
}

static void test_split_feeding(void) { ASSERT(thDigestSplitAgrees(&SHA256)); }

int main(void) {
    RUN_TEST(test_abc);
    RUN_TEST(test_empty);
    RUN_TEST(test_two_blocks);
    RUN_TEST(test_896_bits);
    RUN_TEST(test_million_a);
    RUN_TEST(test_padding_edges);
    RUN_TEST(test_split_feeding);
    return TEST_REPORT();
}
