/* histogram: see histogram.h. Layout: bucket b covers [2^b, 2^(b+1)) * sub_count
 * units; inside it half_count sub-buckets of width 2^(b+unit_magnitude) (bucket 0
 * also owns the lower half), so the width never exceeds value / half_count. */
#include "ds/histogram.h"
#include "core/zmalloc.h"

#include <math.h>
#include <string.h>

static int histBucketIndex(const histogram *h, int64_t v) {
    /* Position of the highest set bit, with values under one full bucket mapped to 0. */
    int pow2ceil = 64 - __builtin_clzll((uint64_t)(v | h->sub_mask));
    return pow2ceil - (h->unit_magnitude + h->half_magnitude + 1);
}

static int64_t histSubIndex(const histogram *h, int64_t v, int bucket) {
    return v >> (bucket + h->unit_magnitude);
}

static int histCountsIndex(const histogram *h, int bucket, int64_t sub) {
    return (int)(((int64_t)(bucket + 1) << h->half_magnitude) + (sub - h->half_count));
}

static int histIndexFor(const histogram *h, int64_t v) {
    if (v < 0) v = 0;
    if (v > h->highest) v = h->highest;
    int b = histBucketIndex(h, v);
    return histCountsIndex(h, b, histSubIndex(h, v, b));
}

/* Lowest value of counts slot idx and the width of its range. */
static void histSlotRange(const histogram *h, int idx, int64_t *low, int64_t *width) {
    int bucket = (idx >> h->half_magnitude) - 1;
    int64_t sub = (idx & (h->half_count - 1)) + h->half_count;
    if (bucket < 0) {
        sub -= h->half_count;
        bucket = 0;
    }
    *low = sub << (bucket + h->unit_magnitude);
    *width = (int64_t)1 << (bucket + h->unit_magnitude);
}

static int64_t histSlotHighest(const histogram *h, int idx) {
    int64_t low, width;
    histSlotRange(h, idx, &low, &width);
    return low + width - 1;
}

histogram *histCreate(int64_t lowest, int64_t highest, int sigfigs) {
    if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || highest < 2 * lowest) return NULL;
    int64_t single_unit_limit = 2;
    for (int i = 0; i < sigfigs; i++) single_unit_limit *= 10;
    int sub_magnitude = (int)ceil(log2((double)single_unit_limit));
    histogram *h = zcalloc(sizeof(*h));
    h->lowest = lowest;
    h->highest = highest;
    h->sigfigs = sigfigs;
    h->unit_magnitude = 63 - __builtin_clzll((uint64_t)lowest);
    h->half_magnitude = (sub_magnitude > 1 ? sub_magnitude : 1) - 1;
    h->sub_count = (int64_t)1 << (h->half_magnitude + 1);
    h->half_count = h->sub_count / 2;
    h->sub_mask = (h->sub_count - 1) << h->unit_magnitude;
    int buckets = 1;
    int64_t untrackable = h->sub_count << h->unit_magnitude;
    while (untrackable <= highest) {
        if (untrackable > INT64_MAX / 2) {
            buckets++;
            break;
        }
        untrackable <<= 1;
        buckets++;
    }
    h->counts_len = (int)((buckets + 1) * h->half_count);
    h->counts = zcalloc(sizeof(int64_t) * (size_t)h->counts_len);
    h->min = INT64_MAX;
    return h;
}

void histFree(histogram *h) {
    if (!h) return;
    zfree(h->counts);
    zfree(h);
}

void histReset(histogram *h) {
    memset(h->counts, 0, sizeof(int64_t) * (size_t)h->counts_len);
    h->total = 0;
    h->sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

void histRecordN(histogram *h, int64_t value, int64_t n) {
    if (n <= 0) return;
    if (value < 0) value = 0;
    h->counts[histIndexFor(h, value)] += n;
    h->total += n;
    h->sum += (double)value * (double)n;
    if (value < h->min) h->min = value;
    if (value > h->max) h->max = value;
}

int histMerge(histogram *dst, const histogram *src) {
    if (dst->lowest != src->lowest || dst->highest != src->highest || dst->sigfigs != src->sigfigs)
        return -1;
    for (int i = 0; i < src->counts_len; i++) dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->sum += src->sum;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    return 0;
}

int64_t histTotal(const histogram *h) { return h->total; }
int64_t histMin(const histogram *h) { return h->total ? h->min : 0; }
int64_t histMax(const histogram *h) { return h->total ? h->max : 0; }
double histMean(const histogram *h) { return h->total ? h->sum / (double)h->total : 0; }

int64_t histLowestEquivalent(const histogram *h, int64_t value) {
    int64_t low, width;
    histSlotRange(h, histIndexFor(h, value), &low, &width);
    return low;
}

int64_t histHighestEquivalent(const histogram *h, int64_t value) {
    return histSlotHighest(h, histIndexFor(h, value));
}

int64_t histCountAtOrBelow(const histogram *h, int64_t value) {
    int last = histIndexFor(h, value);
    int64_t cum = 0;
    for (int i = 0; i <= last; i++) cum += h->counts[i];
    return cum;
}

/* Index of the first bucket whose cumulative count covers p%, -1 if none. */
static int slotAtPercentile(const histogram *h, double p) {
    if (p > 100.0) p = 100.0;
    if (p < 0) p = 0;
    int64_t want = (int64_t)((p / 100.0) * (double)h->total + 0.5);
    if (want < 1) want = 1;
    int64_t cum = 0;
    for (int i = 0; i < h->counts_len; i++) {
        cum += h->counts[i];
        if (cum >= want) return i;
    }
    return -1;
}

int64_t histValueAtPercentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    int i = slotAtPercentile(h, p);
    if (i < 0) return h->max;
    int64_t v = histSlotHighest(h, i);
    return v > h->max ? h->max : v;
}

int64_t histBucketAtPercentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    int i = slotAtPercentile(h, p);
    return i < 0 ? histHighestEquivalent(h, h->max) : histSlotHighest(h, i);
}

void histPercentileIterInit(histPercentileIter *it, const histogram *h, int ticks) {
    memset(it, 0, sizeof(*it));
    it->h = h;
    it->ticks = ticks > 0 ? ticks : 1;
    it->idx = -1;
    it->next_pct = 0.0;
    it->finished = h->total == 0;
}

/* Next target: the remaining distance to 100 is split into `ticks` steps per halving. */
static double histNextTarget(double pct, int ticks) {
    double halvings = floor(log2(100.0 / (100.0 - pct))) + 1;
    double steps = (double)ticks * pow(2.0, halvings);
    return pct + 100.0 / steps;
}

int histPercentileNext(histPercentileIter *it) {
    const histogram *h = it->h;
    if (it->finished) return 0;
    if (it->cum >= h->total && it->idx >= 0) {
        /* Everything consumed: one closing 100% step on the last bucket. */
        it->finished = 1;
        it->percentile = 100.0;
        return 1;
    }
    for (;;) {
        if (it->idx >= 0 && h->counts[it->idx] != 0) {
            double reached = 100.0 * (double)it->cum / (double)h->total;
            if (it->next_pct <= reached) {
                it->percentile = it->next_pct;
                it->value = histSlotHighest(h, it->idx);
                it->cumulative = it->cum;
                it->next_pct = histNextTarget(it->next_pct, it->ticks);
                return 1;
            }
        }
        if (it->idx + 1 >= h->counts_len) {
            it->finished = 1;
            return 0;
        }
        it->idx++;
        it->cum += h->counts[it->idx];
    }
}
