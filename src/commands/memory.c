/* memory: MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP and
 * objectComputeSize(), the per-value size estimate. Sizes come from the
 * allocator's usable sizes (zmalloc_size); big collections are estimated from
 * a sample of their elements, as Valkey does, so the cost stays bounded. */
#include "server/server.h"
#include "ds/quicklist.h"
#include "commands/t_zset.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MEMORY_DEFAULT_SAMPLES 5

/* Average element footprint of the kvtable-backed set/hash encodings, from up
 * to `samples` elements: each element is a single
 * allocation starting with a bstr (a member, or a field with its value). */
static size_t sampledKvtableSize(kvtable *t, size_t samples) {
    size_t total = kvtMemUsage(t), sampled = 0, elesize = 0;
    if (kvtSize(t) == 0) return total;
    kvtIterator it;
    kvtInitIterator(&it, t);
    void *e;
    while (sampled < samples && (e = kvtNext(&it)) != NULL) {
        elesize += bstrAllocSize(e);
        sampled++;
    }
    kvtResetIterator(&it);
    if (sampled) total += (size_t)((double)elesize / sampled * kvtSize(t));
    return total;
}

static size_t quicklistSize(quicklist *ql, size_t samples) {
    size_t total = zmalloc_size(ql), sampled = 0, nodesize = 0;
    for (quicklistNode *n = ql->head; n && sampled < samples; n = n->next, sampled++)
        nodesize += zmalloc_size(n) + zmalloc_size(n->entry);
    if (sampled) total += (size_t)((double)nodesize / sampled * ql->len);
    return total;
}

size_t streamObjectMemoryUsage(obj *o, size_t samples) __attribute__((weak)); /* commands/t_stream.c */

size_t objectComputeSize(obj *key, obj *o, size_t samples, int dbid) {
    (void)key;
    (void)dbid;
    if (samples == 0) samples = MEMORY_DEFAULT_SAMPLES;
    size_t osize = sizeof(obj);
    switch (o->type) {
    case OBJ_STRING:
        if (o->encoding == OBJ_ENCODING_INT) return osize;
        if (o->encoding == OBJ_ENCODING_EMBSTR) return zmalloc_size(o);
        return osize + bstrAllocSize(objPtr(o));
    case OBJ_LIST:
        if (o->encoding == OBJ_ENCODING_QUICKLIST) return osize + quicklistSize(objPtr(o), samples);
        return osize + zmalloc_size(objPtr(o));
    case OBJ_SET:
        if (o->encoding == OBJ_ENCODING_HT) return osize + sampledKvtableSize(objPtr(o), samples);
        return osize + zmalloc_size(objPtr(o));
    case OBJ_HASH:
        if (o->encoding == OBJ_ENCODING_HT) return osize + sampledKvtableSize(objPtr(o), samples);
        return osize + zmalloc_size(objPtr(o));
    case OBJ_ZSET:
        if (o->encoding == OBJ_ENCODING_SKIPLIST) return osize + zsetSkiplistMemUsage(o, samples);
        return osize + zmalloc_size(objPtr(o));
    case OBJ_STREAM:
        if (streamObjectMemoryUsage) return streamObjectMemoryUsage(o, samples);
        return osize + zmalloc_size(objPtr(o));
    default:
        return osize + zmalloc_size(objPtr(o));
    }
}

static void memoryUsageCommand(client *c) {
    long long samples = MEMORY_DEFAULT_SAMPLES;
    for (int j = 3; j < c->argc; j++) {
        if (!strcasecmp(objPtr(c->argv[j]), "samples") && j + 1 < c->argc) {
            if (getLongLongFromObjectOrReply(c, c->argv[j + 1], &samples, NULL) != 0) return;
            if (samples < 0) {
                addReplyErrorObject(c, shared.syntaxerr);
                return;
            }
            if (samples == 0) samples = LLONG_MAX;
            j++;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *o = objectCommandLookup(c, c->argv[2]);
    if (o == NULL) {
        addReplyNull(c);
        return;
    }
    size_t usage = objectComputeSize(c->argv[2], o, (size_t)samples, c->db->id);
    /* The key as the keyspace stores it (argv's copy may be embedded). */
    void *e = kvtFind(c->db->keys, objPtr(c->argv[2]));
    if (e) usage += dbEntryKeyOverhead(e) + sizeof(void *);
    addReplyLongLong(c, (long long)usage);
}

static size_t clientsMemory(int replicas) {
    size_t total = 0;
    if (server.clients == NULL) return 0;
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li)) != NULL) {
        client *cl = listNodeValue(ln);
        int is_replica = (cl->flags & CLIENT_REPLICA) != 0;
        if (is_replica != replicas) continue;
        total += getClientOutputBufferMemoryUsage(cl);
        if (cl->querybuf) total += bstrAllocSize(cl->querybuf);
        total += sizeof(client);
    }
    return total;
}

static void addStatsDouble(client *c, const char *name, double d) {
    addReplyBulkCString(c, name);
    addReplyDouble(c, d);
}

static void addStatsLong(client *c, const char *name, long long v) {
    addReplyBulkCString(c, name);
    addReplyLongLong(c, v);
}

static void memoryStatsCommand(client *c) {
    size_t used = zmalloc_used_memory(), rss = zmalloc_get_rss();
    size_t allocated = 0, active = 0, resident = 0;
    zmalloc_get_allocator_info(&allocated, &active, &resident);
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    size_t normal = clientsMemory(0), replicas = clientsMemory(1);
    size_t overhead = normal + replicas, keys = 0;
    int dbs_with_keys = 0;
    for (int j = 0; j < server.dbnum; j++) {
        serverDb *db = server.db + j;
        keys += kvtSize(db->keys);
        overhead += kvtMemUsage(db->keys) + htMemUsage(db->expires);
        if (kvtSize(db->keys)) dbs_with_keys++;
    }
    size_t dataset = used > overhead ? used - overhead : 0;
    void *slot = addReplyDeferredLen(c);
    long fields = 0;
#define FIELD_L(n, v) (addStatsLong(c, n, (long long)(v)), fields++)
#define FIELD_D(n, v) (addStatsDouble(c, n, (double)(v)), fields++)
    FIELD_L("peak.allocated", server.stat_peak_memory);
    FIELD_L("total.allocated", used);
    FIELD_L("startup.allocated", 0);
    FIELD_L("replication.backlog", 0);
    FIELD_L("clients.slaves", replicas);
    FIELD_L("clients.normal", normal);
    FIELD_L("cluster.links", 0);
    FIELD_L("aof.buffer", 0);
    FIELD_L("lua.caches", 0);
    FIELD_L("functions.caches", 0);
    for (int j = 0; j < server.dbnum; j++) {
        serverDb *db = server.db + j;
        if (kvtSize(db->keys) == 0) continue;
        char name[32];
        snprintf(name, sizeof(name), "db.%d", j);
        addReplyBulkCString(c, name);
        addReplyMapLen(c, 2);
        addStatsLong(c, "overhead.hashtable.main", (long long)kvtMemUsage(db->keys));
        addStatsLong(c, "overhead.hashtable.expires", (long long)htMemUsage(db->expires));
        fields++;
    }
    FIELD_L("overhead.total", overhead);
    FIELD_L("keys.count", keys);
    FIELD_L("keys.bytes-per-key", keys ? dataset / keys : 0);
    FIELD_L("dataset.bytes", dataset);
    FIELD_D("dataset.percentage", used ? dataset * 100.0 / used : 0);
    FIELD_D("peak.percentage", server.stat_peak_memory ? used * 100.0 / server.stat_peak_memory : 0);
    FIELD_L("allocator.allocated", allocated);
    FIELD_L("allocator.active", active);
    FIELD_L("allocator.resident", resident);
    FIELD_D("allocator-fragmentation.ratio", allocated ? (double)active / allocated : 0);
    FIELD_L("allocator-fragmentation.bytes", (long long)active - (long long)allocated);
    FIELD_D("allocator.rss-ratio", active ? (double)resident / active : 0);
    FIELD_L("allocator.rss-bytes", (long long)resident - (long long)active);
    FIELD_D("rss-overhead.ratio", resident ? (double)rss / resident : 0);
    FIELD_L("rss-overhead.bytes", (long long)rss - (long long)resident);
    FIELD_D("fragmentation", used ? (double)rss / used : 0);
    FIELD_L("fragmentation.bytes", (long long)rss - (long long)used);
#undef FIELD_L
#undef FIELD_D
    (void)dbs_with_keys;
    setDeferredMapLen(c, slot, fields);
}

static void memoryDoctorCommand(client *c) {
    const char *text;
    size_t used = zmalloc_used_memory(), rss = zmalloc_get_rss();
    if (used < 1024 * 1024 * 5) {
        text = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used "
               "in these conditions. Please, leave for your mission on Earth and fill it with some data. The new "
               "Sam and I will be back to our programming as soon as I finished rebooting.";
    } else if (used && (double)rss / used > 1.4 && rss - used > 10 * 1024 * 1024) {
        text = "Sam, I detected a few issues in this instance memory implementation:\n\n"
               " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than "
               "1.1 (this means that the Resident Set Size of the Valkey process is much larger than the RSS the "
               "allocator holds). This problem may be due to Lua scripts or Modules.\n\n"
               "I'm here to keep you safe, Sam. I want to help you.\n";
    } else {
        text = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on "
               "this base.";
    }
    addReplyVerbatim(c, text, strlen(text), "txt");
}

static void memoryMallocStatsCommand(client *c) {
    const char *s = "Stats not supported for the current allocator";
    addReplyVerbatim(c, s, strlen(s), "txt");
}

static void memoryPurgeCommand(client *c) { addReply(c, shared.ok); }

static void memoryHelpCommand(client *c) {
    static const char *help[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL};
    addReplyHelp(c, help);
}

static const serverCommandDef memorySubcommands[] = {
    {"doctor", memoryDoctorCommand, 2, "", 0, 0, 0, "server", "Outputs a memory problems report.", "4.0.0", "O(1)", NULL, NULL, ""},
    {"help", memoryHelpCommand, 2, "loading stale", 0, 0, 0, "server", "Returns helpful text about the different subcommands.", "4.0.0", "O(1)", NULL, NULL, ""},
    {"malloc-stats", memoryMallocStatsCommand, 2, "", 0, 0, 0, "server", "Returns the allocator statistics.", "4.0.0", "Depends on how much memory is allocated, could be slow", NULL, NULL, ""},
    {"purge", memoryPurgeCommand, 2, "", 0, 0, 0, "server", "Asks the allocator to release memory.", "4.0.0", "Depends on how much memory is allocated, could be slow", NULL, NULL, ""},
    {"stats", memoryStatsCommand, 2, "", 0, 0, 0, "server", "Returns details about memory usage.", "4.0.0", "O(1)", NULL, NULL, ""},
    {"usage", memoryUsageCommand, -3, "readonly", 2, 2, 1, "server", "Estimates the memory usage of a key.", "4.0.0", "O(N) where N is the number of samples.", NULL, NULL, "key [SAMPLES count]"},
    {0}};

const serverCommandDef memoryCommandTable[] = {
    {"memory", NULL, -2, "", 0, 0, 0, "server", "A container for memory diagnostics commands.", "4.0.0", "Depends on subcommand.", NULL, memorySubcommands, ""},
    {0}};
