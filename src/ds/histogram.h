/* histogram: log-linear bucketed counts (HdrHistogram layout) for latencies.
 * Every recorded value lands in a bucket no wider than value / 10^sigfigs, so a
 * percentile is exact up to that relative error; min, max, sum are kept exact. */
#ifndef DS_HISTOGRAM_H
#define DS_HISTOGRAM_H
#include <stdint.h>

typedef struct histogram {
    int64_t lowest, highest;     /* trackable range; larger values count in the top bucket */
    int sigfigs;
    int unit_magnitude;          /* log2 of the finest bucket width */
    int half_magnitude;          /* log2 of half the sub-buckets per power of two */
    int64_t sub_count, half_count;
    int64_t sub_mask;
    int counts_len;
    int64_t total;
    int64_t min, max;            /* exact; min is INT64_MAX while empty */
    double sum;
    int64_t *counts;
} histogram;

/* NULL when the range or sigfigs (1..5) are unusable. */
histogram *histCreate(int64_t lowest, int64_t highest, int sigfigs);
void histFree(histogram *h);
void histReset(histogram *h);
void histRecordN(histogram *h, int64_t value, int64_t n);
static inline void histRecord(histogram *h, int64_t value) { histRecordN(h, value, 1); }
/* Adds src's counts to dst; both must share lowest/highest/sigfigs. Returns 0 or -1. */
int histMerge(histogram *dst, const histogram *src);

int64_t histTotal(const histogram *h);
int64_t histMin(const histogram *h);    /* 0 when empty */
int64_t histMax(const histogram *h);    /* 0 when empty */
double histMean(const histogram *h);    /* 0 when empty */
/* Smallest bucket upper bound covering ceil-rounded p% of values, clamped to the exact max. */
int64_t histValueAtPercentile(const histogram *h, double p);
/* The same bucket's upper bound, not clamped to the max (what INFO latencystats reports). */
int64_t histBucketAtPercentile(const histogram *h, double p);
int64_t histLowestEquivalent(const histogram *h, int64_t value);
int64_t histHighestEquivalent(const histogram *h, int64_t value);
/* Number of values recorded in the bucket of `value` and every bucket below it. */
int64_t histCountAtOrBelow(const histogram *h, int64_t value);

/* Walks percentiles 0, 50, 75, 87.5, ... (halving the distance to 100 with
 * `ticks` steps per halving), then 100 once. Each step reports the first
 * bucket whose cumulative count reaches the percentile. */
typedef struct histPercentileIter {
    const histogram *h;
    int ticks;
    int idx;                /* current bucket (counts index) */
    int64_t cum;            /* count up to and including idx */
    double next_pct;
    int finished;
    /* outputs of the last successful histPercentileNext */
    double percentile;
    int64_t value;          /* highest equivalent value of the reported bucket */
    int64_t cumulative;
} histPercentileIter;

void histPercentileIterInit(histPercentileIter *it, const histogram *h, int ticks);
int histPercentileNext(histPercentileIter *it);   /* 1 produced a step, 0 done */
#endif
