/* Unit tests for protocol/resp_reader: every RESP2/RESP3 type, replies fed one
 * byte at a time, malformed input, size limits and the skip path. */
#include "testhelp.h"
#include "protocol/resp_reader.h"
#include "core/zmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Parses `s` completely, feeding it in `step`-byte pieces. */
static respValue *parseStepped(const char *s, size_t len, size_t step, int *rc_out) {
    respReader *r = respReaderCreate();
    respValue *v = NULL;
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0; off += step) {
        size_t n = len - off < step ? len - off : step;
        respReaderFeed(r, s + off, n);
        rc = respReaderGetReply(r, &v);
    }
    *rc_out = rc;
    respReaderFree(r);
    return v;
}

static respValue *parse1(const char *s) {
    int rc;
    size_t len = strlen(s);
    /* The same input must give the same result whole and byte by byte. */
    respValue *a = parseStepped(s, len, 1, &rc);
    if (rc != 1) { respValueFree(a); return NULL; }
    respValueFree(a);
    return parseStepped(s, len, len, &rc);
}

static void test_scalars(void) {
    respValue *v = parse1("+OK\r\n");
    ASSERT(v && v->type == RESP_T_STATUS && v->len == 2 && !strcmp(v->str, "OK"));
    respValueFree(v);
    v = parse1("-ERR bad thing\r\n");
    ASSERT(v && v->type == RESP_T_ERROR && !strcmp(v->str, "ERR bad thing"));
    respValueFree(v);
    v = parse1(":-42\r\n");
    ASSERT(v && v->type == RESP_T_INTEGER && v->integer == -42);
    respValueFree(v);
    v = parse1(":9223372036854775807\r\n");
    ASSERT(v && v->integer == 9223372036854775807LL);
    respValueFree(v);
    v = parse1(":-9223372036854775808\r\n");
    ASSERT(v && v->integer == (-9223372036854775807LL - 1));
    respValueFree(v);
    v = parse1("$-1\r\n");
    ASSERT(v && v->type == RESP_T_NIL);
    respValueFree(v);
    v = parse1("$0\r\n\r\n");
    ASSERT(v && v->type == RESP_T_STRING && v->len == 0 && v->str[0] == '\0');
    respValueFree(v);
    v = parse1("*-1\r\n");
    ASSERT(v && v->type == RESP_T_NIL);
    respValueFree(v);
}

static void test_binary_bulk(void) {
    const char msg[] = "$5\r\na\0b\r\n\r\n";
    int rc;
    respValue *v = parseStepped(msg, sizeof(msg) - 1, 1, &rc);
    ASSERT_EQ_INT(rc, 1);
    ASSERT(v->type == RESP_T_STRING && v->len == 5 && memcmp(v->str, "a\0b\r\n", 5) == 0);
    respValueFree(v);
}

static void test_resp3_scalars(void) {
    respValue *v = parse1("_\r\n");
    ASSERT(v && v->type == RESP_T_NIL);
    respValueFree(v);
    v = parse1(",1.5\r\n");
    ASSERT(v && v->type == RESP_T_DOUBLE && v->dval == 1.5 && !strcmp(v->str, "1.5"));
    respValueFree(v);
    v = parse1(",-inf\r\n");
    ASSERT(v && v->type == RESP_T_DOUBLE && v->dval < -1e308 && !strcmp(v->str, "-inf"));
    respValueFree(v);
    v = parse1("#t\r\n");
    ASSERT(v && v->type == RESP_T_BOOL && v->integer == 1);
    respValueFree(v);
    v = parse1("#f\r\n");
    ASSERT(v && v->type == RESP_T_BOOL && v->integer == 0);
    respValueFree(v);
    v = parse1("(3492890328409238509324850943850943825024385\r\n");
    ASSERT(v && v->type == RESP_T_BIGNUM && !strcmp(v->str, "3492890328409238509324850943850943825024385"));
    respValueFree(v);
    v = parse1("=15\r\ntxt:Some string\r\n");
    ASSERT(v && v->type == RESP_T_VERB && !strcmp(v->vformat, "txt") && v->len == 11 &&
           !strcmp(v->str, "Some string"));
    respValueFree(v);
    v = parse1("!21\r\nSYNTAX invalid syntax\r\n");
    ASSERT(v && v->type == RESP_T_ERROR && !strcmp(v->str, "SYNTAX invalid syntax"));
    respValueFree(v);
}

static void test_aggregates(void) {
    respValue *v = parse1("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n*0\r\n");
    ASSERT(v && v->type == RESP_T_ARRAY && v->elements == 3);
    ASSERT(v->element[0]->integer == 1);
    ASSERT(v->element[1]->type == RESP_T_ARRAY && v->element[1]->elements == 2);
    ASSERT(!strcmp(v->element[1]->element[1]->str, "b"));
    ASSERT(v->element[2]->type == RESP_T_ARRAY && v->element[2]->elements == 0);
    respValueFree(v);
    v = parse1("%2\r\n+k1\r\n:1\r\n+k2\r\n~2\r\n#t\r\n_\r\n");
    ASSERT(v && v->type == RESP_T_MAP && v->elements == 4);
    ASSERT(v->element[3]->type == RESP_T_SET && v->element[3]->elements == 2);
    ASSERT(v->element[3]->element[1]->type == RESP_T_NIL);
    respValueFree(v);
    v = parse1(">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n");
    ASSERT(v && v->type == RESP_T_PUSH && v->elements == 3);
    respValueFree(v);
    v = parse1("*2\r\n*-1\r\n$-1\r\n");
    ASSERT(v && v->elements == 2 && v->element[0]->type == RESP_T_NIL && v->element[1]->type == RESP_T_NIL);
    respValueFree(v);
}

static void test_attributes(void) {
    /* Nested attributes are dropped; the array keeps its announced count. */
    respValue *v = parse1("*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n");
    ASSERT(v && v->type == RESP_T_ARRAY && v->elements == 2 && v->element[1]->integer == 2);
    respValueFree(v);
    /* A top-level attribute is handed out on its own, then the reply follows. */
    respReader *r = respReaderCreate();
    const char *s = "|1\r\n+a\r\n+b\r\n:7\r\n";
    respReaderFeed(r, s, strlen(s));
    ASSERT_EQ_INT(respReaderGetReply(r, &v), 1);
    ASSERT(v->type == RESP_T_ATTR && v->elements == 2);
    respValueFree(v);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), 1);
    ASSERT(v->type == RESP_T_INTEGER && v->integer == 7);
    respValueFree(v);
    /* Skipping treats attribute + reply as one. */
    respReaderFeed(r, s, strlen(s));
    int err = 5;
    ASSERT_EQ_INT(respReaderSkipReply(r, &err), 1);
    ASSERT_EQ_INT(err, 0);
    ASSERT_EQ_INT(respReaderBuffered(r), 0);
    respReaderFree(r);
}

static void test_pipeline_many(void) {
    respReader *r = respReaderCreate();
    const char *s = "+OK\r\n:1\r\n$3\r\nabc\r\n-ERR x\r\n*1\r\n:5\r\n";
    size_t len = strlen(s);
    int got = 0;
    respValue *v;
    for (size_t i = 0; i < len; i++) {
        respReaderFeed(r, s + i, 1);
        int rc;
        while ((rc = respReaderGetReply(r, &v)) == 1) { got++; respValueFree(v); }
        ASSERT(rc == 0);
    }
    ASSERT_EQ_INT(got, 5);
    ASSERT_EQ_INT(respReaderBuffered(r), 0);
    respReaderFree(r);
}

static void test_skip(void) {
    respReader *r = respReaderCreate();
    const char *s = "*3\r\n$3\r\nabc\r\n*2\r\n:1\r\n%1\r\n+a\r\n+b\r\n_\r\n-ERR no\r\n!3\r\nbad\r\n+OK\r\n";
    size_t len = strlen(s);
    int errs[8], n = 0, iserr;
    for (size_t i = 0; i < len; i++) {
        respReaderFeed(r, s + i, 1);
        int rc;
        while ((rc = respReaderSkipReply(r, &iserr)) == 1) errs[n++] = iserr;
        ASSERT(rc == 0);
    }
    ASSERT_EQ_INT(n, 4);
    ASSERT(errs[0] == 0 && errs[1] == 1 && errs[2] == 1 && errs[3] == 0);
    respReaderFree(r);
}

static int parseRc(const char *s, size_t len) {
    int rc;
    respValue *v = parseStepped(s, len, 1, &rc);
    respValueFree(v);
    if (rc == 0) return 0;
    /* Skip mode must agree on malformed input. */
    respReader *r = respReaderCreate();
    respReaderFeed(r, s, len);
    int rc2 = respReaderSkipReply(r, NULL);
    if (rc == -1 && rc2 != -1) rc = 99;
    if (rc == -1) {
        const char *e = respReaderError(r);
        if (!e || !*e) rc = 98;
    }
    respReaderFree(r);
    return rc;
}

static void test_malformed(void) {
    const char *bad[] = {
        "?x\r\n", ":12a\r\n", ":\r\n", ":-\r\n", ":99999999999999999999\r\n", "$abc\r\n", "$-2\r\n",
        "*-2\r\n", "$3\r\nabcde\r\n", "#x\r\n", "#tt\r\n", ",1.2.3x\r\n", "_x\r\n", "=3\r\nabc\r\n",
        "=5\r\ntxtXa\r\n", "(12a\r\n", "*1\r\n?\r\n", "%-1\r\n", "\r\n", "*2\r\n:1\r\n$2\r\nabc\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parseRc(bad[i], strlen(bad[i]));
        if (rc != -1) printf("  input %zu gave %d\n", i, rc);
        ASSERT_EQ_INT(rc, -1);
    }
    /* After an error the reader stays failed. */
    respReader *r = respReaderCreate();
    respReaderFeed(r, "?\r\n", 3);
    respValue *v;
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    respReaderFeed(r, "+OK\r\n", 5);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    ASSERT(v == NULL);
    respReaderFree(r);
}

static void test_random_garbage_never_crashes(void) {
    srand(1234);
    char buf[64];
    const char alphabet[] = "+-:$*%~|>(=!_#,0123456789\r\n-abt";
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(rand() % 40) + 1;
        for (size_t i = 0; i < len; i++) buf[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
        respReader *r = respReaderCreate();
        respReaderSetMaxBulk(r, 1000);
        respReaderFeed(r, buf, len);
        respValue *v;
        int rc;
        while ((rc = respReaderGetReply(r, &v)) == 1) respValueFree(v);
        ASSERT(rc == 0 || rc == -1);
        respReaderFree(r);
    }
}

static void test_limits(void) {
    respReader *r = respReaderCreate();
    respReaderSetMaxBulk(r, 10);
    respValue *v;
    respReaderFeed(r, "$11\r\n", 5);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    respReaderFree(r);

    r = respReaderCreate();
    respReaderSetMaxBulk(r, 10);
    respReaderFeed(r, "$10\r\n0123456789\r\n", 17);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), 1);
    respValueFree(v);
    respReaderFeed(r, "*11\r\n", 5);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    respReaderFree(r);

    /* A huge announced count must not allocate up front. */
    r = respReaderCreate();
    respReaderFeed(r, "*4000000000\r\n:1\r\n", 17);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), 0);
    respReaderFree(r);

    /* Deep nesting is refused rather than exhausting memory or stack. */
    r = respReaderCreate();
    for (int i = 0; i < 5000; i++) respReaderFeed(r, "*1\r\n", 4);
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    respReaderFree(r);

    /* A line that never ends is bounded by the bulk limit. */
    r = respReaderCreate();
    respReaderSetMaxBulk(r, 100);
    respReaderFeed(r, "+", 1);
    char junk[300];
    memset(junk, 'a', sizeof(junk));
    respReaderFeed(r, junk, sizeof(junk));
    ASSERT_EQ_INT(respReaderGetReply(r, &v), -1);
    respReaderFree(r);
}

static void test_large_array_incremental(void) {
    /* 200k elements fed in small chunks: must finish quickly (no rescans). */
    size_t n = 200000;
    respReader *r = respReaderCreate();
    char hdr[32];
    int hl = snprintf(hdr, sizeof(hdr), "*%zu\r\n", n);
    respReaderFeed(r, hdr, (size_t)hl);
    respValue *v = NULL;
    for (size_t i = 0; i < n; i++) {
        respReaderFeed(r, "$3\r\nabc\r\n", 9);
        if (i % 100 == 0) ASSERT_EQ_INT(respReaderGetReply(r, &v), 0);
    }
    ASSERT_EQ_INT(respReaderGetReply(r, &v), 1);
    ASSERT(v->elements == n && !strcmp(v->element[n - 1]->str, "abc"));
    respValueFree(v);
    respReaderFree(r);
}

static void test_format_command(void) {
    const char *argv[] = {"SET", "k", "a\0b"};
    size_t lens[] = {3, 1, 3};
    size_t outlen;
    char *buf = respFormatCommandArgv(3, argv, lens, &outlen);
    const char expect[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n";
    ASSERT_EQ_INT(outlen, sizeof(expect) - 1);
    ASSERT(memcmp(buf, expect, outlen) == 0);
    zfree(buf);
    buf = respFormatCommandArgv(2, argv, NULL, &outlen);
    ASSERT(!strcmp(buf, "*2\r\n$3\r\nSET\r\n$1\r\nk\r\n"));
    zfree(buf);
    buf = respFormatCommandArgv(0, argv, NULL, &outlen);
    ASSERT(!strcmp(buf, "*0\r\n"));
    zfree(buf);
}

int main(void) {
    RUN_TEST(test_scalars);
    RUN_TEST(test_binary_bulk);
    RUN_TEST(test_resp3_scalars);
    RUN_TEST(test_aggregates);
    RUN_TEST(test_attributes);
    RUN_TEST(test_pipeline_many);
    RUN_TEST(test_skip);
    RUN_TEST(test_malformed);
    RUN_TEST(test_random_garbage_never_crashes);
    RUN_TEST(test_limits);
    RUN_TEST(test_large_array_incremental);
    RUN_TEST(test_format_command);
    return TEST_REPORT();
}
