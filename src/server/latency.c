/* latency: the latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR)
 * and the per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats).
 * Each named event keeps a ring of its last LATENCY_TS_LEN samples, at most one
 * per second (the worst one of that second wins), plus its all-time maximum.
 * Samples are taken only at or above latency-monitor-threshold (0 = off).
 * A command's histogram counts nanoseconds from 1 ns to 1 s (longer calls
 * land in the top bucket) at 2 significant figures, as Valkey's does. */
#include "server/server.h"
#include "ds/histogram.h"
#include <strings.h>
#include <string.h>

#define LATENCY_TS_LEN 160

typedef struct latencySample {
    int32_t time;       /* unix seconds */
    uint32_t latency;   /* milliseconds */
} latencySample;

typedef struct latencySeries {
    int idx;            /* next slot to write */
    uint32_t max;
    latencySample samples[LATENCY_TS_LEN];
} latencySeries;

static hashtable *latency_events;   /* bstr event name -> latencySeries* */

static void latencySeriesFree(void *p) { zfree(p); }
static htType latencyEventsType = {htBstrHash, htBstrEqual, htBstrFree, latencySeriesFree};

static hashtable *latencyEvents(void) {
    if (!latency_events) latency_events = htCreate(&latencyEventsType);
    return latency_events;
}

static latencySeries *latencyFind(const char *event) {
    bstr key = bstrNew(event);
    latencySeries *ts = htFetchValue(latencyEvents(), key);
    bstrFree(key);
    return ts;
}

void latencyAddSample(const char *event, mstime_t latency) {
    latencySeries *ts = latencyFind(event);
    if (!ts) {
        ts = zcalloc(sizeof(*ts));
        htAdd(latencyEvents(), bstrNew(event), ts);
    }
    if (latency > UINT32_MAX) latency = UINT32_MAX;
    int32_t now = (int32_t)time(NULL);
    if ((uint32_t)latency > ts->max) ts->max = (uint32_t)latency;
    int prev = (ts->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
    if (ts->samples[prev].time == now) {
        if ((uint32_t)latency > ts->samples[prev].latency) ts->samples[prev].latency = (uint32_t)latency;
        return;
    }
    ts->samples[ts->idx].time = now;
    ts->samples[ts->idx].latency = (uint32_t)latency;
    ts->idx = (ts->idx + 1) % LATENCY_TS_LEN;
}

void latencyAddSampleIfNeeded(const char *event, mstime_t latency) {
    if (server.latency_monitor_threshold && latency >= server.latency_monitor_threshold)
        latencyAddSample(event, latency);
}

/* Calls fn on the filled samples, oldest first. */
static int latencyForEachSample(latencySeries *ts, void (*fn)(latencySample *, void *), void *ud) {
    int n = 0;
    for (int j = 0; j < LATENCY_TS_LEN; j++) {
        latencySample *s = &ts->samples[(ts->idx + j) % LATENCY_TS_LEN];
        if (s->time == 0) continue;
        if (fn) fn(s, ud);
        n++;
    }
    return n;
}

static latencySample *latencyLast(latencySeries *ts) {
    return &ts->samples[(ts->idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
}

/* ---------- commands ---------- */

static void latencyLatestCommand(client *c) {
    hashtable *ev = latencyEvents();
    addReplyArrayLen(c, (long)htSize(ev));
    htIterator it;
    htInitIterator(&it, ev);
    htEntry *e;
    while ((e = htNext(&it))) {
        latencySeries *ts = e->v.val;
        latencySample *last = latencyLast(ts);
        addReplyArrayLen(c, 4);
        addReplyBulkCBuffer(c, e->key, bstrLen(e->key));
        addReplyLongLong(c, last->time);
        addReplyLongLong(c, last->latency);
        addReplyLongLong(c, ts->max);
    }
    htResetIterator(&it);
}

static void replyHistorySample(latencySample *s, void *ud) {
    client *c = ud;
    addReplyArrayLen(c, 2);
    addReplyLongLong(c, s->time);
    addReplyLongLong(c, s->latency);
}

static void latencyHistoryCommand(client *c) {
    latencySeries *ts = latencyFind(objPtr(c->argv[2]));
    if (!ts) {
        addReplyArrayLen(c, 0);
        return;
    }
    addReplyArrayLen(c, latencyForEachSample(ts, NULL, NULL));
    latencyForEachSample(ts, replyHistorySample, c);
}

static void latencyResetCommand(client *c) {
    hashtable *ev = latencyEvents();
    long long resets = 0;
    if (c->argc == 2) {
        resets = (long long)htSize(ev);
        htEmpty(ev, NULL);
    } else {
        for (int j = 2; j < c->argc; j++)
            if (sdsEncodedObject(c->argv[j]) && htDelete(ev, objPtr(c->argv[j])) == 0) resets++;
    }
    addReplyLongLong(c, resets);
}

/* ---------- GRAPH: our own layout, one column per sample, oldest left ---------- */
#define GRAPH_ROWS 8

typedef struct graphState {
    latencySample s[LATENCY_TS_LEN];
    int n;
} graphState;

static void collectSample(latencySample *s, void *ud) {
    graphState *g = ud;
    g->s[g->n++] = *s;
}

static bstr latencyGraph(const char *event, latencySeries *ts) {
    graphState g = {.n = 0};
    latencyForEachSample(ts, collectSample, &g);
    uint32_t lo = UINT32_MAX, hi = 0;
    for (int j = 0; j < g.n; j++) {
        if (g.s[j].latency < lo) lo = g.s[j].latency;
        if (g.s[j].latency > hi) hi = g.s[j].latency;
    }
    bstr out = bstrCatPrintf(bstrEmpty(), "%s - high %u ms, low %u ms (all time high %u ms)\n", event, hi, lo, ts->max);
    out = bstrCat(out, "--------------------------------------------------------------------------------\n");
    for (int row = GRAPH_ROWS; row >= 1; row--) {
        for (int j = 0; j < g.n; j++) {
            /* Every sample shows at least one mark; the highest fills the column. */
            uint32_t h = hi ? (uint32_t)(((uint64_t)g.s[j].latency * GRAPH_ROWS + hi - 1) / hi) : 1;
            out = bstrCatLen(out, h >= (uint32_t)row ? "#" : " ", 1);
        }
        out = bstrCatLen(out, "\n", 1);
    }
    out = bstrCat(out, "seconds ago, oldest first:\n");
    time_t now = time(NULL);
    for (int j = 0; j < g.n; j++) out = bstrCatPrintf(out, "%lld%s", (long long)(now - g.s[j].time), j + 1 < g.n ? " " : "\n");
    return out;
}

static void latencyGraphCommand(client *c) {
    const char *event = objPtr(c->argv[2]);
    latencySeries *ts = latencyFind(event);
    if (!ts || latencyForEachSample(ts, NULL, NULL) == 0) {
        addReplyErrorFormat(c, "ERR No samples available for event '%s'", event);
        return;
    }
    bstr graph = latencyGraph(event, ts);
    addReplyVerbatim(c, graph, bstrLen(graph), "txt");
    bstrFree(graph);
}

/* ---------- DOCTOR: a plain-language summary, in our own words ---------- */
typedef struct docStats {
    int n;
    uint64_t sum;
    int32_t first, last;
} docStats;

static void docAccumulate(latencySample *s, void *ud) {
    docStats *d = ud;
    if (d->n == 0) d->first = s->time;
    d->last = s->time;
    d->sum += s->latency;
    d->n++;
}

static bstr latencyDoctor(void) {
    hashtable *ev = latencyEvents();
    bstr out = bstrEmpty();
    if (!server.latency_monitor_threshold && htSize(ev) == 0) {
        return bstrCat(out, "The latency monitor is off (latency-monitor-threshold is 0), so there is nothing to report.\n"
                            "Turn it on with: CONFIG SET latency-monitor-threshold <milliseconds>\n");
    }
    if (htSize(ev) == 0) {
        return bstrCatPrintf(out, "No event reached the latency threshold of %lld ms so far. All is well.\n",
                             server.latency_monitor_threshold);
    }
    out = bstrCatPrintf(out, "Latency report (threshold %lld ms):\n\n", server.latency_monitor_threshold);
    int nr = 0, slow_cmd = 0, expire = 0;
    htIterator it;
    htInitIterator(&it, ev);
    htEntry *e;
    while ((e = htNext(&it))) {
        latencySeries *ts = e->v.val;
        docStats d = {0};
        latencyForEachSample(ts, docAccumulate, &d);
        if (d.n == 0) continue;
        out = bstrCatPrintf(out, "%d. %s: %d spike(s), average %llu ms, over %d seconds; worst ever %u ms.\n", ++nr,
                            (char *)e->key, d.n, (unsigned long long)(d.sum / (uint64_t)d.n), (int)(d.last - d.first),
                            ts->max);
        if (!strcmp(e->key, "command") || !strcmp(e->key, "fast-command")) slow_cmd = 1;
        if (!strcmp(e->key, "expire-cycle")) expire = 1;
    }
    htResetIterator(&it);
    out = bstrCat(out, "\nSuggestions:\n");
    if (slow_cmd)
        out = bstrCat(out, "- Some commands took long. Check SLOWLOG GET for the culprits; O(N) commands on big "
                           "values (KEYS, SMEMBERS, LRANGE 0 -1, ...) block every other client meanwhile.\n");
    if (expire)
        out = bstrCat(out, "- Expiring keys took long: many keys may share the same expire time. Spread the TTLs.\n");
    if (!slow_cmd && !expire) out = bstrCat(out, "- Check the host for swapping or a busy neighbour process.\n");
    return out;
}

static void latencyDoctorCommand(client *c) {
    bstr report = latencyDoctor();
    addReplyVerbatim(c, report, bstrLen(report), "txt");
    bstrFree(report);
}

/* ---------- per-command histograms ---------- */
#define CMD_HIST_LOWEST_NS 1
#define CMD_HIST_HIGHEST_NS 1000000000LL
#define CMD_HIST_SIGFIGS 2
#define CMD_HIST_FIRST_REPORT_NS 1024 /* LATENCY HISTOGRAM buckets: 1024 ns, doubling */

void latencyTrackCommand(serverCommand *cmd, ustime_t duration_us) {
    if (!cmd->latency_histogram) {
        cmd->latency_histogram = histCreate(CMD_HIST_LOWEST_NS, CMD_HIST_HIGHEST_NS, CMD_HIST_SIGFIGS);
        if (!cmd->latency_histogram) return;
    }
    long long ns = (long long)duration_us * 1000;
    if (ns < CMD_HIST_LOWEST_NS) ns = CMD_HIST_LOWEST_NS;
    if (ns > CMD_HIST_HIGHEST_NS) ns = CMD_HIST_HIGHEST_NS;
    histRecord(cmd->latency_histogram, ns);
}

void latencyResetCommandHistogram(serverCommand *cmd) {
    if (!cmd->latency_histogram) return;
    histFree(cmd->latency_histogram);
    cmd->latency_histogram = NULL;
}

static void appendPercentiles(serverCommand *cmd, void *infop) {
    histogram *h = cmd->latency_histogram;
    if (!h || histTotal(h) == 0) return;
    bstr info = bstrCatPrintf(*(bstr *)infop, "latency_percentiles_usec_%s:", cmd->fullname);
    for (int j = 0; j < server.latency_tracking_info_percentiles_len; j++) {
        double p = server.latency_tracking_info_percentiles[j];
        info = bstrCatPrintf(info, "%sp%g=%.3f", j ? "," : "", p, (double)histBucketAtPercentile(h, p) / 1000.0);
    }
    *(bstr *)infop = bstrCat(info, "\r\n");
}

bstr latencyInfoStats(bstr info) {
    info = bstrCat(info, "# Latencystats\r\n");
    if (server.latency_tracking_enabled) serverForEachCommand(appendPercentiles, &info);
    return info;
}

/* One command's entry: calls, then the cumulative count at each doubling
 * bucket from 1024 ns (keys in microseconds), listing only the buckets where
 * the count grew. */
static void addReplyCommandHistogram(client *c, serverCommand *cmd) {
    histogram *h = cmd->latency_histogram;
    addReplyBulkCString(c, cmd->fullname);
    addReplyMapLen(c, 2);
    addReplyBulkCString(c, "calls");
    addReplyLongLong(c, histTotal(h));
    addReplyBulkCString(c, "histogram_usec");
    void *len = addReplyDeferredLen(c);
    long n = 0;
    int64_t prev = 0, total = histTotal(h);
    for (int64_t level = CMD_HIST_FIRST_REPORT_NS; prev < total; level *= 2) {
        int64_t cum = level >= CMD_HIST_HIGHEST_NS ? total : histCountAtOrBelow(h, level);
        if (cum > prev) {
            addReplyLongLong(c, histHighestEquivalent(h, level) / 1000);
            addReplyLongLong(c, cum);
            n++;
        }
        prev = cum;
    }
    setDeferredMapLen(c, len, n);
}

typedef struct histogramReplyCtx {
    client *c;
    long count;
} histogramReplyCtx;

static void addReplyIfTracked(serverCommand *cmd, void *arg) {
    histogramReplyCtx *ctx = arg;
    if (!cmd->latency_histogram) return;
    addReplyCommandHistogram(ctx->c, cmd);
    ctx->count++;
}

/* "name" or "container|sub", case-insensitive; NULL when unknown. */
static serverCommand *lookupCommandOrSub(const char *name) {
    const char *bar = strchr(name, '|');
    if (!bar) return lookupCommandByCString(name);
    bstr parent_name = bstrNewLen(name, (size_t)(bar - name));
    serverCommand *parent = lookupCommandByCString(parent_name);
    bstrFree(parent_name);
    if (!parent || !parent->subcommands) return NULL;
    bstr sub = bstrNew(bar + 1);
    bstrToLower(sub);
    serverCommand *cmd = htFetchValue(parent->subcommands, sub);
    bstrFree(sub);
    return cmd;
}

/* LATENCY HISTOGRAM [command ...]: a map of command -> {calls, histogram_usec};
 * a container name stands for its subcommands; unknown or never-called names
 * are left out. */
static void latencyHistogramCommand(client *c) {
    histogramReplyCtx ctx = {c, 0};
    void *len = addReplyDeferredLen(c);
    if (c->argc == 2) {
        serverForEachCommand(addReplyIfTracked, &ctx);
    } else {
        for (int j = 2; j < c->argc; j++) {
            serverCommand *cmd = lookupCommandOrSub(objPtr(c->argv[j]));
            if (!cmd) continue;
            addReplyIfTracked(cmd, &ctx);
            if (!cmd->subcommands) continue;
            htIterator it;
            htInitIterator(&it, cmd->subcommands);
            htEntry *e;
            while ((e = htNext(&it))) addReplyIfTracked(e->v.val, &ctx);
            htResetIterator(&it);
        }
    }
    setDeferredMapLen(c, len, ctx.count);
}

static void latencyHelpCommand(client *c) {
    const char *help[] = {
        "DOCTOR", "    Return a human readable latency analysis report.",
        "GRAPH <event>", "    Return an ASCII latency graph for the <event> class.",
        "HISTOGRAM [<command> ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HISTORY <event>", "    Return time-latency samples for the <event> class.",
        "LATEST", "    Return the latest latency samples for all events.",
        "RESET [<event> ...]", "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        NULL};
    addReplyHelp(c, help);
}

static const serverCommandDef latencySubcommands[] = {
    {"doctor", latencyDoctorCommand, 2, "admin noscript loading stale", 0, 0, 0, "server", "Returns a human-readable latency analysis report.", "2.8.13", "O(1)", NULL, NULL, ""},
    {"graph", latencyGraphCommand, 3, "admin noscript loading stale", 0, 0, 0, "server", "Returns a latency graph for an event.", "2.8.13", "O(1)", NULL, NULL, "event"},
    {"help", latencyHelpCommand, 2, "loading stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", "2.8.13", "O(1)", NULL, NULL, ""},
    {"histogram", latencyHistogramCommand, -2, "admin noscript loading stale", 0, 0, 0, "server", "Returns the cumulative distribution of latencies of a subset or all commands.", "7.0.0", "O(N) where N is the number of commands with latency information being retrieved.", NULL, NULL, "[command [command ...]]"},
    {"history", latencyHistoryCommand, 3, "admin noscript loading stale", 0, 0, 0, "server", "Returns timestamp-latency samples for an event.", "2.8.13", "O(1)", NULL, NULL, "event"},
    {"latest", latencyLatestCommand, 2, "admin noscript loading stale", 0, 0, 0, "server", "Returns the latest latency samples for all events.", "2.8.13", "O(1)", NULL, NULL, ""},
    {"reset", latencyResetCommand, -2, "admin noscript loading stale", 0, 0, 0, "server", "Resets the latency data for one or more events.", "2.8.13", "O(1)", NULL, NULL, "[event [event ...]]"},
    {0}};

const serverCommandDef latencyCommandTable[] = {
    {"latency", NULL, -2, "", 0, 0, 0, "server", "A container for latency diagnostics commands.", "2.8.13", "Depends on subcommand.", NULL, latencySubcommands, ""},
    {0}};
