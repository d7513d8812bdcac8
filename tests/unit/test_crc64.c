/* CRC-64/Jones: check value from the spec, incremental use, and the slicing
 * path against a bitwise reference on unaligned buffers of every length. */
#include "testhelp.h"
#include "persist/crc64.h"
#include <stdint.h>

static uint64_t refCrc(uint64_t crc, const unsigned char *s, size_t l) {
    const uint64_t rpoly = 0x95ac9329ac4bc9b5ULL;
    for (size_t i = 0; i < l; i++) {
        crc ^= s[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ rpoly : crc >> 1;
    }
    return crc;
}

static void test_check_value(void) {
    ASSERT(crc64(0, (const unsigned char *)"123456789", 9) == 0xe9c6d914c4b8d9caULL);
    ASSERT(crc64(0, (const unsigned char *)"", 0) == 0);
}

static void test_incremental(void) {
    const unsigned char *s = (const unsigned char *)"123456789";
    uint64_t c = crc64(0, s, 4);
    c = crc64(c, s + 4, 5);
    ASSERT(c == 0xe9c6d914c4b8d9caULL);
}

static void test_matches_bitwise(void) {
    unsigned char buf[300];
    for (int i = 0; i < 300; i++) buf[i] = (unsigned char)(i * 37 + 11);
    for (int off = 0; off < 8; off++)
        for (int len = 0; len < 280; len++) ASSERT(crc64(0, buf + off, len) == refCrc(0, buf + off, len));
}

/* A real file: the sample RDB's last 8 bytes are the CRC of the rest. */
static void test_sample_rdb_trailer(void) {
    /* ./runtest runs unit binaries from the repository root. */
    FILE *fp = fopen("tests/assets/rdb-samples/valkey8-small-encodings.rdb", "rb");
    ASSERT(fp != NULL);
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    ASSERT(n > 8);
    uint64_t want = 0;
    for (int i = 7; i >= 0; i--) want = (want << 8) | buf[n - 8 + i];
    ASSERT(crc64(0, buf, n - 8) == want);
}

int main(void) {
    RUN_TEST(test_check_value);
    RUN_TEST(test_incremental);
    RUN_TEST(test_matches_bitwise);
    RUN_TEST(test_sample_rdb_trailer);
    return TEST_REPORT();
}
