/* Unit tests for the benchmark latency histogram (src/ds/histogram.c). */
#include "testhelp.h"
/* Tool sources are not part of libvalkey.a, so the module is compiled in here. */
#include "ds/histogram.c"

#include <math.h>
#include <stdlib.h>

static histogram *usHist(void) { return histCreate(10, 3000000, 3); }

static void test_create_rejects_bad_args(void) {
    ASSERT(histCreate(0, 100, 3) == NULL);
    ASSERT(histCreate(10, 100, 0) == NULL);
    ASSERT(histCreate(10, 100, 6) == NULL);
    ASSERT(histCreate(10, 15, 3) == NULL);
    histogram *h = usHist();
    ASSERT(h != NULL);
    histFree(h);
}

static void test_empty(void) {
    histogram *h = usHist();
    ASSERT_EQ_INT(histTotal(h), 0);
    ASSERT_EQ_INT(histMin(h), 0);
    ASSERT_EQ_INT(histMax(h), 0);
    ASSERT_EQ_INT(histValueAtPercentile(h, 50), 0);
    histPercentileIter it;
    histPercentileIterInit(&it, h, 1);
    ASSERT_EQ_INT(histPercentileNext(&it), 0);
    histFree(h);
}

/* With lowest 10 (8us units) and 3 digits the buckets below 16384 are 8 wide:
 * the bench output relies on 100 -> 103 and 2000 -> 2007. */
static void test_equivalent_ranges(void) {
    histogram *h = usHist();
    ASSERT_EQ_INT(histLowestEquivalent(h, 100), 96);
    ASSERT_EQ_INT(histHighestEquivalent(h, 100), 103);
    ASSERT_EQ_INT(histHighestEquivalent(h, 200), 207);
    ASSERT_EQ_INT(histHighestEquivalent(h, 2000), 2007);
    ASSERT_EQ_INT(histHighestEquivalent(h, 2100), 2103);
    ASSERT_EQ_INT(histLowestEquivalent(h, 3), 0);
    /* Above 16384 the width doubles per power of two. */
    ASSERT_EQ_INT(histLowestEquivalent(h, 16384), 16384);
    ASSERT_EQ_INT(histHighestEquivalent(h, 16384), 16399);
    histFree(h);
}

static void test_relative_error_bound(void) {
    histogram *h = usHist();
    srand(7);
    for (int i = 0; i < 200000; i++) {
        int64_t v = 10 + (int64_t)(rand() % 2999990);
        int64_t lo = histLowestEquivalent(h, v), hi = histHighestEquivalent(h, v);
        ASSERT(lo <= v && v <= hi);
        /* Bucket width never exceeds 1/1000 of the value (3 significant digits, 8us floor). */
        ASSERT((double)(hi - lo + 1) <= fmax(8.0, (double)v / 1000.0 * 2.0));
    }
    histFree(h);
}

static void test_exact_min_max_mean(void) {
    histogram *h = usHist();
    histRecord(h, 123457);
    histRecord(h, 97);
    histRecordN(h, 1001, 2);
    ASSERT_EQ_INT(histTotal(h), 4);
    ASSERT_EQ_INT(histMin(h), 97);
    ASSERT_EQ_INT(histMax(h), 123457);
    ASSERT(fabs(histMean(h) - (123457 + 97 + 2002) / 4.0) < 1e-9);
    /* Out of range values still count, and max stays exact. */
    histRecord(h, 99999999);
    ASSERT_EQ_INT(histMax(h), 99999999);
    ASSERT_EQ_INT(histTotal(h), 5);
    histReset(h);
    ASSERT_EQ_INT(histTotal(h), 0);
    ASSERT_EQ_INT(histMax(h), 0);
    histFree(h);
}

static void test_percentiles_uniform(void) {
    histogram *h = usHist();
    for (int v = 1; v <= 10000; v++) histRecord(h, v);
    int64_t p50 = histValueAtPercentile(h, 50);
    int64_t p99 = histValueAtPercentile(h, 99);
    ASSERT(p50 >= 5000 && p50 <= 5000 + 8);
    ASSERT(p99 >= 9900 && p99 <= 9900 + 8);
    ASSERT_EQ_INT(histValueAtPercentile(h, 100), 10000);
    ASSERT(histValueAtPercentile(h, 0) <= 8);
    histFree(h);
}

static void test_count_at_or_below(void) {
    histogram *h = usHist();
    histRecordN(h, 50, 3);
    histRecordN(h, 101, 2);
    histRecordN(h, 5000, 5);
    ASSERT_EQ_INT(histCountAtOrBelow(h, 40), 0);
    ASSERT_EQ_INT(histCountAtOrBelow(h, 55), 3);
    ASSERT_EQ_INT(histCountAtOrBelow(h, 100), 5);   /* 101 shares the 96..103 bucket */
    ASSERT_EQ_INT(histCountAtOrBelow(h, 4999), 5);
    ASSERT_EQ_INT(histCountAtOrBelow(h, 3000000), 10);
    histFree(h);
}

static void test_percentile_iteration(void) {
    histogram *h = usHist();
    for (int v = 1; v <= 1000; v++) histRecord(h, v * 10);
    histPercentileIter it;
    histPercentileIterInit(&it, h, 1);
    double expect[] = {0, 50, 75, 87.5, 93.75};
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ_INT(histPercentileNext(&it), 1);
        ASSERT(fabs(it.percentile - expect[i]) < 1e-9);
        ASSERT((double)it.cumulative >= expect[i] * 10.0);
    }
    double last = 0;
    int64_t lastcum = 0;
    int steps = 0;
    while (histPercentileNext(&it)) {
        ASSERT(it.percentile > last);
        ASSERT(it.cumulative >= lastcum);
        last = it.percentile;
        lastcum = it.cumulative;
        steps++;
        ASSERT(steps < 100);
    }
    ASSERT(fabs(last - 100.0) < 1e-9);
    ASSERT_EQ_INT(lastcum, 1000);
    ASSERT_EQ_INT(it.value, histHighestEquivalent(h, 10000));
    histFree(h);
}

/* The server's layout (1 ns .. 1 s, 2 significant figures): INFO latencystats
 * reports bucket upper bounds, e.g. 7000 ns -> 7007, 1000 ns -> 1003. */
static void test_bucket_at_percentile(void) {
    histogram *h = histCreate(1, 1000000000LL, 2);
    ASSERT(h != NULL);
    ASSERT_EQ_INT(histBucketAtPercentile(h, 50), 0);
    histRecord(h, 7000);
    ASSERT_EQ_INT(histBucketAtPercentile(h, 50), 7007);
    ASSERT_EQ_INT(histValueAtPercentile(h, 50), 7000); /* the clamped form */
    histRecord(h, 1000);
    ASSERT_EQ_INT(histBucketAtPercentile(h, 50), 1003);
    ASSERT_EQ_INT(histBucketAtPercentile(h, 99.9), 7007);
    ASSERT_EQ_INT(histHighestEquivalent(h, 1024), 1031);
    ASSERT_EQ_INT(histCountAtOrBelow(h, 1024), 1);
    histRecord(h, 1000000000LL);
    ASSERT_EQ_INT(histBucketAtPercentile(h, 100), histHighestEquivalent(h, 1000000000LL));
    histFree(h);
}

static void test_merge(void) {
    histogram *a = usHist(), *b = usHist(), *c = histCreate(10, 3000000, 2);
    histRecordN(a, 100, 10);
    histRecordN(b, 900, 30);
    ASSERT_EQ_INT(histMerge(a, b), 0);
    ASSERT_EQ_INT(histTotal(a), 40);
    ASSERT_EQ_INT(histMin(a), 100);
    ASSERT_EQ_INT(histMax(a), 900);
    ASSERT(histValueAtPercentile(a, 50) >= 900);
    ASSERT_EQ_INT(histMerge(a, c), -1);
    histFree(a);
    histFree(b);
    histFree(c);
}

int main(void) {
    RUN_TEST(test_create_rejects_bad_args);
    RUN_TEST(test_empty);
    RUN_TEST(test_equivalent_ranges);
    RUN_TEST(test_relative_error_bound);
    RUN_TEST(test_exact_min_max_mean);
    RUN_TEST(test_percentiles_uniform);
    RUN_TEST(test_count_at_or_below);
    RUN_TEST(test_percentile_iteration);
    RUN_TEST(test_bucket_at_percentile);
    RUN_TEST(test_merge);
    return TEST_REPORT();
}
