/* SHA-256 against the FIPS 180 example vectors, plus split-feeding checks. */
#include "testhelp.h"
#include "ds/sha256.h"
#include <stdlib.h>

static int hexIs(const void *data, size_t len, const char *expect) {
    unsigned char d[32];
    char hex[65];
    sha256Digest(data, len, d);
    sha256Hex(d, hex);
    return strcmp(hex, expect) == 0;
}

static void test_abc(void) {
    ASSERT(hexIs("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

static void test_empty(void) {
    ASSERT(hexIs("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_two_blocks(void) {
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ASSERT(hexIs(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
}

static void test_896_bits(void) {
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    ASSERT(hexIs(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
}

static void test_million_a(void) {
    sha256Ctx ctx;
    unsigned char d[32];
    char hex[65], chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha256Init(&ctx);
    for (int i = 0; i < 1000; i++) sha256Update(&ctx, chunk, sizeof(chunk));
    sha256Final(&ctx, d);
    sha256Hex(d, hex);
    ASSERT(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
}

/* Padding edge: 55, 56 and 64 byte messages end the length in different blocks. */
static void test_padding_edges(void) {
    char m[64];
    memset(m, 'a', sizeof(m));
    ASSERT(hexIs(m, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"));
    ASSERT(hexIs(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"));
    ASSERT(hexIs(m, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"));
}

static void test_split_feeding(void) {
    unsigned char buf[300], one[32], parts[32];
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(buf); len += 13) {
        sha256Digest(buf, len, one);
        for (size_t cut = 0; cut <= len; cut += 5) {
            sha256Ctx ctx;
            sha256Init(&ctx);
            sha256Update(&ctx, buf, cut);
            sha256Update(&ctx, buf + cut, len - cut);
            sha256Final(&ctx, parts);
            ASSERT(memcmp(one, parts, 32) == 0);
        }
    }
}

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
