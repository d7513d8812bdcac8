/* Minimal unit-test harness. Each test file defines test functions and a main
 * that runs them with RUN_TEST; every result prints one line, "[ok] name" or
 * "[fail] name: file:line: expr", which ./runtest counts. Exit status is the
 * number of failed tests (capped at 255). */
#ifndef TESTHELP_H
#define TESTHELP_H
#include <stdio.h>
#include <string.h>

static int th_failed_total = 0, th_passed_total = 0, th_cur_failed = 0;

#define ASSERT(expr)                                                                      \
    do {                                                                                  \
        if (!(expr)) {                                                                    \
            printf("  assertion failed: %s:%d: %s\n", __FILE__, __LINE__, #expr);         \
            th_cur_failed = 1;                                                            \
            return;                                                                       \
        }                                                                                 \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                                               \
    do {                                                                                  \
        long long _a = (long long)(a), _b = (long long)(b);                               \
        if (_a != _b) {                                                                   \
            printf("  assertion failed: %s:%d: %s == %s (%lld != %lld)\n", __FILE__,      \
                   __LINE__, #a, #b, _a, _b);                                             \
            th_cur_failed = 1;                                                            \
            return;                                                                       \
        }                                                                                 \
    } while (0)

#define RUN_TEST(fn)                                                                      \
    do {                                                                                  \
        th_cur_failed = 0;                                                                \
        fn();                                                                             \
        if (th_cur_failed) { th_failed_total++; printf("[fail] %s\n", #fn); }             \
        else { th_passed_total++; printf("[ok] %s\n", #fn); }                             \
        fflush(stdout);                                                                   \
    } while (0)

#define TEST_REPORT() (th_failed_total > 255 ? 255 : th_failed_total)
#endif
