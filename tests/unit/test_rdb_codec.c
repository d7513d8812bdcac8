/* RDB wire primitives over an in-memory rio: length encodings at every width
 * boundary, integer and LZF string encodings (byte-exact with the spec), and
 * malformed input that must fail cleanly. */
#include "testhelp.h"
#include "persist/rdb_codec.h"
#include "persist/rio.h"
#include "ds/bstr.h"
#include "core/zmalloc.h"
#include <liblzf/lzf.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static bstr saveLen(uint64_t len) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    rdbSaveLen(&r, len);
    return r.io.buffer.ptr;
}

static void test_length_roundtrip(void) {
    uint64_t cases[] = {0, 1, 63, 64, 16383, 16384, 0xFFFFFFFFULL, 0x100000000ULL, UINT64_MAX - 1};
    size_t sizes[] = {1, 1, 1, 2, 2, 5, 5, 9, 9};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bstr b = saveLen(cases[i]);
        ASSERT_EQ_INT(bstrLen(b), sizes[i]);
        rio r;
        rioInitWithBuffer(&r, b);
        int enc;
        uint64_t got = rdbLoadLen(&r, &enc);
        ASSERT(got == cases[i]);
        ASSERT_EQ_INT(enc, 0);
        bstrFree(b);
    }
}

static void test_length_bytes(void) {
    bstr b = saveLen(300);
    ASSERT((unsigned char)b[0] == 0x41 && (unsigned char)b[1] == 0x2C);
    bstrFree(b);
    b = saveLen(70000);
    ASSERT((unsigned char)b[0] == 0x80 && b[1] == 0 && b[2] == 1 && (unsigned char)b[3] == 0x11 && b[4] == 0x70);
    bstrFree(b);
}

static bstr saveStr(const char *s, size_t len) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    rdbSaveRawString(&r, s, len);
    return r.io.buffer.ptr;
}

static void test_int_encodings(void) {
    bstr b = saveStr("12345", 5);
    ASSERT(bstrLen(b) == 3 && (unsigned char)b[0] == 0xC1 && (unsigned char)b[1] == 0x39 && b[2] == 0x30);
    bstrFree(b);
    b = saveStr("-7", 2);
    ASSERT(bstrLen(b) == 2 && (unsigned char)b[0] == 0xC0 && (unsigned char)b[1] == 0xF9);
    bstrFree(b);
    b = saveStr("-2147483648", 11);
    ASSERT(bstrLen(b) == 5 && (unsigned char)b[0] == 0xC2);
    bstrFree(b);
    /* Not canonical or too large: stored as text. */
    const char *texts[] = {"007", "+1", "9223372036854775807", "2147483648", " 1", "-0"};
    for (size_t i = 0; i < 6; i++) {
        b = saveStr(texts[i], strlen(texts[i]));
        ASSERT_EQ_INT((unsigned char)b[0], strlen(texts[i]));
        bstrFree(b);
    }
}

static void test_string_roundtrip(void) {
    const char *vals[] = {"", "a", "12345", "-7", "-32768", "65535", "2147483647", "a\0b\xff" "c", "0"};
    size_t lens[] = {0, 1, 5, 2, 6, 5, 10, 5, 1};
    for (size_t i = 0; i < 9; i++) {
        bstr b = saveStr(vals[i], lens[i]);
        rio r;
        rioInitWithBuffer(&r, b);
        size_t len;
        bstr got = rdbGenericLoadStringRaw(&r, RDB_LOAD_BSTR, &len);
        ASSERT(got != NULL);
        ASSERT_EQ_INT(len, lens[i]);
        ASSERT(memcmp(got, vals[i], len) == 0);
        ASSERT_EQ_INT(bstrLen(got), lens[i]);
        bstrFree(got);
        bstrFree(b);
    }
}

static void test_lzf_roundtrip(void) {
    char big[1600];
    for (int i = 0; i < 200; i++) memcpy(big + i * 8, "abcdefgh", 8);
    bstr b = saveStr(big, sizeof(big));
    ASSERT((unsigned char)b[0] == 0xC3);
    ASSERT(bstrLen(b) < 100);
    rio r;
    rioInitWithBuffer(&r, b);
    size_t len;
    char *got = rdbGenericLoadStringRaw(&r, RDB_LOAD_PLAIN, &len);
    ASSERT(got && len == sizeof(big) && memcmp(got, big, len) == 0);
    zfree(got);
    bstrFree(b);
    /* Incompressible data or rdbcompression no: plain. */
    rdb_codec_compression = 0;
    b = saveStr(big, sizeof(big));
    rdb_codec_compression = 1;
    ASSERT((unsigned char)b[0] == 0x46 && (unsigned char)b[1] == 0x40);
    bstrFree(b);
    char rnd[64];
    for (int i = 0; i < 64; i++) rnd[i] = (char)(i * 97 + 13 * (i / 3));
    b = saveStr(rnd, 21);
    ASSERT((unsigned char)b[0] == 21);
    bstrFree(b);
}

/* A hand-made LZF stream exercising an overlapping back reference. */
static void test_lzf_spec_block(void) {
    /* literal "ab" (ctrl 1), then ref len 4+2=6 at offset 1 (two back): "ababab" */
    unsigned char blk[] = {0x01, 'a', 'b', 0x80, 0x01};
    char out[8];
    ASSERT(rdbLzfDecompress(blk, sizeof(blk), out, 8) == 0);
    ASSERT(memcmp(out, "abababab", 8) == 0);
    ASSERT(rdbLzfDecompress(blk, sizeof(blk), out, 7) != 0);      /* wrong declared length */
    unsigned char bad[] = {0x01, 'a', 'b', 0x80, 0x05};             /* reference before start */
    ASSERT(rdbLzfDecompress(bad, sizeof(bad), out, 8) != 0);
}

/* Our decoder against liblzf's on its own output (every run/offset shape that
 * random data with repeats produces) and on damaged copies of it: both must
 * agree on success, and on the bytes when they succeed. */
static void test_lzf_matches_liblzf(void) {
    static unsigned char src[20000], comp[21000], a[20000], b[20000];
    srand(12345);
    for (int round = 0; round < 400; round++) {
        size_t len = 1 + (size_t)rand() % sizeof(src);
        int period = 1 + rand() % 300;       /* repeats at many distances, some overlapping */
        for (size_t i = 0; i < len; i++)
            src[i] = (i >= (size_t)period && rand() % 8) ? src[i - (size_t)period] : (unsigned char)(rand() % (round % 5 ? 4 : 256));
        unsigned clen = lzf_compress(src, (unsigned)len, comp, sizeof(comp));
        if (clen == 0) continue;
        ASSERT(rdbLzfDecompress(comp, clen, a, len) == 0);
        ASSERT(memcmp(a, src, len) == 0);
        ASSERT(rdbLzfDecompress(comp, clen, a, len - 1) != 0 || len == 1);
        for (int k = 0; k < 20; k++) {
            unsigned char saved;
            size_t at = (size_t)rand() % clen;
            unsigned cut = clen;
            saved = comp[at];
            if (k % 2) comp[at] = (unsigned char)rand();
            else cut = (unsigned)at + 1;
            int ours = rdbLzfDecompress(comp, cut, a, len);
            unsigned theirs = lzf_decompress(comp, cut, b, (unsigned)len);
            ASSERT(ours == 0 ? theirs == len : theirs != len);
            if (ours == 0) ASSERT(memcmp(a, b, len) == 0);
            comp[at] = saved;
        }
    }
}

static void test_malformed(void) {
    /* Truncated lengths and strings. */
    const char *cases[] = {"", "\x40", "\x80\x00\x00", "\x81\x00", "\x05" "abc", "\xC1\x01", "\xC3\x05\x10\x00", "\xC4", "\x82"};
    size_t lens[] = {0, 1, 3, 2, 4, 2, 4, 1, 1};
    for (size_t i = 0; i < 9; i++) {
        rio r;
        bstr b = bstrNewLen(cases[i], lens[i]);
        rioInitWithBuffer(&r, b);
        size_t len;
        void *got = rdbGenericLoadStringRaw(&r, RDB_LOAD_BSTR, &len);
        ASSERT(got == NULL);
        bstrFree(b);
    }
    /* LZF payload that does not decompress to the declared length. */
    unsigned char lz[] = {0xC3, 0x02, 0x05, 0x01, 'a'};
    bstr b = bstrNewLen(lz, sizeof(lz));
    rio r;
    rioInitWithBuffer(&r, b);
    ASSERT(rdbGenericLoadStringRaw(&r, RDB_LOAD_PLAIN, NULL) == NULL);
    bstrFree(b);
    /* A 64-bit length far beyond the data must fail without a huge allocation. */
    unsigned char huge[] = {0x81, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 'x'};
    b = bstrNewLen(huge, sizeof(huge));
    rioInitWithBuffer(&r, b);
    ASSERT(rdbGenericLoadStringRaw(&r, RDB_LOAD_PLAIN, NULL) == NULL);
    bstrFree(b);
}

static void test_doubles(void) {
    double vals[] = {0, 1.5, -3, 2.5e300, INFINITY, -INFINITY, 0.1};
    for (int i = 0; i < 7; i++) {
        rio r;
        rioInitWithBuffer(&r, bstrEmpty());
        rdbSaveDoubleValue(&r, vals[i]);
        rdbSaveBinaryDoubleValue(&r, vals[i]);
        bstr b = r.io.buffer.ptr;
        rioInitWithBuffer(&r, b);
        double a, c;
        ASSERT(rdbLoadDoubleValue(&r, &a) == 0);
        ASSERT(rdbLoadBinaryDoubleValue(&r, &c) == 0);
        ASSERT(a == vals[i] && c == vals[i]);
        bstrFree(b);
    }
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    rdbSaveDoubleValue(&r, NAN);
    bstr b = r.io.buffer.ptr;
    ASSERT((unsigned char)b[0] == 253);
    rioInitWithBuffer(&r, b);
    double d;
    ASSERT(rdbLoadDoubleValue(&r, &d) == 0 && isnan(d));
    bstrFree(b);
    b = bstrNewLen("\x03" "1x5", 4);
    rioInitWithBuffer(&r, b);
    ASSERT(rdbLoadDoubleValue(&r, &d) == -1);
    bstrFree(b);
}

static void test_checksum_tracks_bytes(void) {
    rio r;
    rioInitWithBuffer(&r, bstrEmpty());
    rioWrite(&r, "123456789", 9);
    ASSERT(r.cksum == 0xe9c6d914c4b8d9caULL);
    ASSERT_EQ_INT(r.processed_bytes, 9);
    bstrFree(r.io.buffer.ptr);
}

int main(void) {
    RUN_TEST(test_length_roundtrip);
    RUN_TEST(test_length_bytes);
    RUN_TEST(test_int_encodings);
    RUN_TEST(test_string_roundtrip);
    RUN_TEST(test_lzf_roundtrip);
    RUN_TEST(test_lzf_spec_block);
    RUN_TEST(test_lzf_matches_liblzf);
    RUN_TEST(test_malformed);
    RUN_TEST(test_doubles);
    RUN_TEST(test_checksum_tracks_bytes);
    return TEST_REPORT();
}
