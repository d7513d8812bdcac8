/* info: the INFO command's sections with Valkey's field names, plus small
 * server-level commands (TIME, SHUTDOWN, MONITOR, LOLWUT). */
#include "server/server.h"
size_t replicationBuffersMemory(void) __attribute__((weak));
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

void bytesToHuman(char *s, size_t size, unsigned long long n) {
    double d;
    if (n < 1024) snprintf(s, size, "%lluB", n);
    else if (n < (1024ULL * 1024)) { d = (double)n / 1024; snprintf(s, size, "%.2fK", d); }
    else if (n < (1024ULL * 1024 * 1024)) { d = (double)n / (1024 * 1024); snprintf(s, size, "%.2fM", d); }
    else if (n < (1024ULL * 1024 * 1024 * 1024)) { d = (double)n / (1024.0 * 1024 * 1024); snprintf(s, size, "%.2fG", d); }
    else { d = (double)n / (1024.0 * 1024 * 1024 * 1024); snprintf(s, size, "%.2fT", d); }
}

static bstr infoServer(bstr info) {
    static struct utsname name;
    static int uname_done;
    if (!uname_done) { uname(&name); uname_done = 1; }
    long long uptime = (long long)(server.unixtime - server.stat_starttime);
    return bstrCatPrintf(info,
        "# Server\r\n"
        "redis_version:7.2.4\r\n"
        "server_name:valkey\r\n"
        "valkey_version:%s\r\n"
        "redis_git_sha1:00000000\r\n"
        "redis_git_dirty:0\r\n"
        "redis_build_id:0\r\n"
        "server_mode:%s\r\n"
        "os:%s %s %s\r\n"
        "arch_bits:%d\r\n"
        "monotonic_clock:POSIX clock_gettime\r\n"
        "multiplexing_api:epoll\r\n"
        "gcc_version:%d.%d.%d\r\n"
        "process_id:%ld\r\n"
        "process_supervised:no\r\n"
        "run_id:%s\r\n"
        "tcp_port:%d\r\n"
        "server_time_usec:%lld\r\n"
        "uptime_in_seconds:%lld\r\n"
        "uptime_in_days:%lld\r\n"
        "hz:%d\r\n"
        "configured_hz:%d\r\n"
        "lru_clock:%u\r\n"
        "executable:%s\r\n"
        "config_file:%s\r\n"
        "io_threads_active:0\r\n"
        "listener0:name=tcp,bind=*,bind=-::*,port=%d\r\n",
        VALKEY_VERSION, server.cluster_enabled ? "cluster" : "standalone", name.sysname, name.release, name.machine,
        (int)(sizeof(long) * 8),
#ifdef __GNUC__
        __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
        0, 0, 0,
#endif
        (long)getpid(), server.runid, server.port, (long long)server.ustime, uptime, uptime / 86400, server.hz,
        server.config_hz, server.lruclock, server.executable ? server.executable : "",
        server.configfile ? server.configfile : "", server.port);
}

static bstr infoClients(bstr info) {
    unsigned long blocking_keys, nokey, watched;
    totalNumberOfStatefulKeys(&blocking_keys, &nokey, &watched);
    size_t maxin = 0, maxout = 0;
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        if (bstrAllocSize(c->querybuf) > maxin) maxin = bstrAllocSize(c->querybuf);
        if (c->reply_bytes > maxout) maxout = c->reply_bytes;
    }
    return bstrCatPrintf(info,
        "# Clients\r\n"
        "connected_clients:%lu\r\n"
        "cluster_connections:0\r\n"
        "maxclients:%u\r\n"
        "client_recent_max_input_buffer:%zu\r\n"
        "client_recent_max_output_buffer:%zu\r\n"
        "blocked_clients:%lu\r\n"
        "tracking_clients:%lu\r\n"
        "pubsub_clients:%lu\r\n"
        "watching_clients:%d\r\n"
        "clients_in_timeout_table:%lu\r\n"
        "total_watched_keys:%lu\r\n"
        "total_blocking_keys:%lu\r\n"
        "total_blocking_keys_on_nokey:%lu\r\n",
        listLength(server.clients) - listLength(server.replicas), server.maxclients, maxin, maxout,
        server.blocked_clients, server.tracking_clients, 0UL, server.watching_clients, server.blocked_clients, watched, blocking_keys, nokey);
}

static bstr infoMemory(bstr info) {
    char hmem[64], peak_hmem[64], total_system_hmem[64], used_memory_rss_hmem[64], maxmemory_hmem[64];
    size_t used = zmalloc_used_memory();
    size_t rss = zmalloc_get_rss();
    long long total_system = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    size_t allocated, active, resident;
    zmalloc_get_allocator_info(&allocated, &active, &resident);
    bytesToHuman(hmem, sizeof(hmem), used);
    bytesToHuman(peak_hmem, sizeof(peak_hmem), server.stat_peak_memory);
    bytesToHuman(total_system_hmem, sizeof(total_system_hmem), (unsigned long long)total_system);
    bytesToHuman(used_memory_rss_hmem, sizeof(used_memory_rss_hmem), rss);
    bytesToHuman(maxmemory_hmem, sizeof(maxmemory_hmem), server.maxmemory);
    size_t clients_normal = 0;
    listIter li;
    listNode *ln;
    listRewind(server.clients, &li);
    while ((ln = listNext(&li))) {
        client *c = ln->value;
        clients_normal += c->reply_bytes + bstrAllocSize(c->querybuf) + zmalloc_size(c->buf) + sizeof(client);
    }
    /* repl/ keeps one shared block list: the part beyond repl-backlog-size is what replicas hold. */
    size_t repl_buffers_mem = replicationBuffersMemory ? replicationBuffersMemory() : 0;
    size_t repl_backlog_mem = repl_buffers_mem < (size_t)server.repl_backlog_size ? repl_buffers_mem : (size_t)server.repl_backlog_size;
    size_t overhead = clients_normal;
    for (int j = 0; j < server.dbnum; j++) overhead += kvtMemUsage(server.db[j].keys) + htMemUsage(server.db[j].expires);
    size_t dataset = used > overhead ? used - overhead : 0;
    return bstrCatPrintf(info,
        "# Memory\r\n"
        "used_memory:%zu\r\n"
        "used_memory_human:%s\r\n"
        "used_memory_rss:%zu\r\n"
        "used_memory_rss_human:%s\r\n"
        "used_memory_peak:%zu\r\n"
        "used_memory_peak_human:%s\r\n"
        "used_memory_peak_perc:%.2f%%\r\n"
        "used_memory_overhead:%zu\r\n"
        "used_memory_startup:0\r\n"
        "used_memory_dataset:%zu\r\n"
        "used_memory_dataset_perc:%.2f%%\r\n"
        "allocator_allocated:%zu\r\n"
        "allocator_active:%zu\r\n"
        "allocator_resident:%zu\r\n"
        "total_system_memory:%lld\r\n"
        "total_system_memory_human:%s\r\n"
        "used_memory_lua:31744\r\n"
        "used_memory_vm_eval:31744\r\n"
        "used_memory_lua_human:31.00K\r\n"
        "used_memory_scripts_eval:0\r\n"
        "number_of_cached_scripts:0\r\n"
        "number_of_functions:0\r\n"
        "number_of_libraries:0\r\n"
        "used_memory_vm_functions:32768\r\n"
        "used_memory_vm_total:64512\r\n"
        "used_memory_vm_total_human:63.00K\r\n"
        "used_memory_functions:0\r\n"
        "used_memory_scripts:0\r\n"
        "used_memory_scripts_human:0B\r\n"
        "maxmemory:%llu\r\n"
        "maxmemory_human:%s\r\n"
        "maxmemory_policy:%s\r\n"
        "allocator_frag_ratio:%.2f\r\n"
        "allocator_frag_bytes:%zd\r\n"
        "allocator_rss_ratio:%.2f\r\n"
        "allocator_rss_bytes:%zd\r\n"
        "rss_overhead_ratio:%.2f\r\n"
        "rss_overhead_bytes:%zd\r\n"
        "mem_fragmentation_ratio:%.2f\r\n"
        "mem_fragmentation_bytes:%zd\r\n"
        "mem_not_counted_for_evict:%zu\r\n"
        "mem_replication_backlog:%zu\r\n"
        "mem_total_replication_buffers:%zu\r\n"
        "mem_clients_slaves:%zu\r\n"
        "mem_clients_normal:%zu\r\n"
        "mem_cluster_links:0\r\n"
        "mem_aof_buffer:0\r\n"
        "mem_allocator:%s\r\n"
        "mem_overhead_db_hashtable_rehashing:0\r\n"
        "active_defrag_running:0\r\n"
        "lazyfree_pending_objects:%zu\r\n"
        "lazyfreed_objects:%zu\r\n",
        used, hmem, rss, used_memory_rss_hmem, server.stat_peak_memory, peak_hmem,
        server.stat_peak_memory ? (double)used * 100 / (double)server.stat_peak_memory : 0.0, overhead, dataset,
        used ? (double)dataset * 100 / (double)used : 0.0, allocated, active, resident, total_system,
        total_system_hmem, server.maxmemory, maxmemory_hmem, evictPolicyToString(),
        allocated ? (double)active / (double)allocated : 1.0, (ssize_t)(active - allocated),
        active ? (double)resident / (double)active : 1.0, (ssize_t)(resident - active),
        resident ? (double)rss / (double)resident : 1.0, (ssize_t)(rss - resident),
        used ? (double)rss / (double)used : 1.0, (ssize_t)(rss - used), freeMemoryGetNotCountedMemory(), repl_backlog_mem, repl_buffers_mem, repl_buffers_mem - repl_backlog_mem, clients_normal, ZMALLOC_LIB,
        lazyfreeGetPendingObjectsCount(), lazyfreeGetFreedObjectsCount());
}

static bstr infoStats(bstr info) {
    return bstrCatPrintf(info,
        "# Stats\r\n"
        "total_connections_received:%lld\r\n"
        "total_commands_processed:%lld\r\n"
        "instantaneous_ops_per_sec:0\r\n"
        "total_net_input_bytes:%lld\r\n"
        "total_net_output_bytes:%lld\r\n"
        "total_net_repl_input_bytes:%lld\r\n"
        "total_net_repl_output_bytes:%lld\r\n"
        "instantaneous_input_kbps:0.00\r\n"
        "instantaneous_output_kbps:0.00\r\n"
        "instantaneous_input_repl_kbps:0.00\r\n"
        "instantaneous_output_repl_kbps:0.00\r\n"
        "rejected_connections:%lld\r\n"
        "sync_full:%lld\r\n"
        "sync_partial_ok:%lld\r\n"
        "sync_partial_err:%lld\r\n"
        "expired_keys:%lld\r\n"
        "expired_stale_perc:0.00\r\n"
        "expired_time_cap_reached_count:0\r\n"
        "expire_cycle_cpu_milliseconds:%lld\r\n"
        "evicted_keys:%lld\r\n"
        "evicted_clients:0\r\n"
        "total_eviction_exceeded_time:%lld\r\n"
        "current_eviction_exceeded_time:%lld\r\n"
        "keyspace_hits:%lld\r\n"
        "keyspace_misses:%lld\r\n"
        "pubsub_channels:%zu\r\n"
        "pubsub_patterns:%zu\r\n"
        "pubsubshard_channels:%zu\r\n"
        "latest_fork_usec:%lld\r\n"
        "total_forks:%lld\r\n"
        "migrate_cached_sockets:0\r\n"
        "slave_expires_tracked_keys:0\r\n"
        "active_defrag_hits:0\r\n"
        "active_defrag_misses:0\r\n"
        "active_defrag_key_hits:0\r\n"
        "active_defrag_key_misses:0\r\n"
        "total_active_defrag_time:0\r\n"
        "current_active_defrag_time:0\r\n"
        "tracking_total_keys:%llu\r\n"
        "tracking_total_items:%llu\r\n"
        "tracking_total_prefixes:%llu\r\n"
        "unexpected_error_replies:%lld\r\n"
        "total_error_replies:%lld\r\n"
        "dump_payload_sanitizations:0\r\n"
        "total_reads_processed:%lld\r\n"
        "total_writes_processed:%lld\r\n"
        "io_threaded_reads_processed:0\r\n"
        "io_threaded_writes_processed:0\r\n"
        "client_query_buffer_limit_disconnections:%lld\r\n"
        "client_output_buffer_limit_disconnections:%lld\r\n"
        "reply_buffer_shrinks:0\r\n"
        "reply_buffer_expands:0\r\n"
        "eventloop_cycles:0\r\n"
        "eventloop_duration_sum:0\r\n"
        "eventloop_duration_cmd_sum:0\r\n"
        "instantaneous_eventloop_cycles_per_sec:0\r\n"
        "instantaneous_eventloop_duration_usec:0\r\n"
        "acl_access_denied_auth:%lld\r\n"
        "acl_access_denied_cmd:%lld\r\n"
        "acl_access_denied_key:%lld\r\n"
        "acl_access_denied_channel:%lld\r\n",
        server.stat_numconnections, server.stat_numcommands, server.stat_net_input_bytes,
        server.stat_net_output_bytes, server.stat_net_repl_input_bytes, server.stat_net_repl_output_bytes,
        server.stat_rejected_conn, server.stat_sync_full, server.stat_sync_partial_ok, server.stat_sync_partial_err,
        server.stat_expiredkeys, server.stat_expire_cycle_time_used / 1000, server.stat_evictedkeys, evictExceededTimeMs(0), evictExceededTimeMs(1),
        server.stat_keyspace_hits, server.stat_keyspace_misses, htSize(server.pubsub_channels),
        htSize(server.pubsub_patterns), pubsubShardChannelCount(), server.stat_fork_time, server.stat_total_forks,
        trackingGetTotalKeys(), trackingGetTotalItems(), trackingGetTotalPrefixes(),
        server.stat_unexpected_error_replies, server.stat_total_error_replies, server.stat_io_reads_processed,
        server.stat_io_writes_processed, server.stat_client_qbuf_limit_disconnections,
        server.stat_client_outbuf_limit_disconnections, aclDeniedCount(3), aclDeniedCount(1), aclDeniedCount(2),
        aclDeniedCount(4));
}

static bstr infoCpu(bstr info) {
    struct rusage self, c;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &c);
    return bstrCatPrintf(info,
        "# CPU\r\n"
        "used_cpu_sys:%ld.%06ld\r\n"
        "used_cpu_user:%ld.%06ld\r\n"
        "used_cpu_sys_children:%ld.%06ld\r\n"
        "used_cpu_user_children:%ld.%06ld\r\n"
        "used_cpu_sys_main_thread:%ld.%06ld\r\n"
        "used_cpu_user_main_thread:%ld.%06ld\r\n",
        (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
        (long)c.ru_stime.tv_sec, (long)c.ru_stime.tv_usec, (long)c.ru_utime.tv_sec, (long)c.ru_utime.tv_usec,
        (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec);
}

static bstr appendCommandStat(bstr info, serverCommand *cmd) {
    if (cmd->calls == 0 && cmd->failed_calls == 0 && cmd->rejected_calls == 0) return info;
    return bstrCatPrintf(info, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,failed_calls=%lld\r\n",
                         cmd->fullname, cmd->calls, cmd->microseconds,
                         cmd->calls ? (double)cmd->microseconds / (double)cmd->calls : 0.0, cmd->rejected_calls,
                         cmd->failed_calls);
}

static void appendCommandStatTo(serverCommand *cmd, void *infop) {
    *(bstr *)infop = appendCommandStat(*(bstr *)infop, cmd);
}

static bstr infoCommandStats(bstr info) {
    info = bstrCat(info, "# Commandstats\r\n");
    serverForEachCommand(appendCommandStatTo, &info);
    return info;
}

static bstr infoErrorStats(bstr info) {
    info = bstrCat(info, "# Errorstats\r\n");
    htIterator it;
    htInitIterator(&it, server.errors);
    htEntry *e;
    while ((e = htNext(&it))) info = bstrCatPrintf(info, "errorstat_%s:count=%lld\r\n", (char *)e->key, (long long)e->v.s64);
    htResetIterator(&it);
    return info;
}

static bstr infoKeyspace(bstr info) {
    info = bstrCat(info, "# Keyspace\r\n");
    for (int j = 0; j < server.dbnum; j++) {
        size_t keys = kvtSize(server.db[j].keys), vkeys = htSize(server.db[j].expires);
        if (keys || vkeys)
            info = bstrCatPrintf(info, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", j, keys, vkeys, server.db[j].avg_ttl);
    }
    return info;
}

static int sectionWanted(const char *section, const char *name, int *all, int *everything) {
    if (*everything || *all) return strcmp(name, "commandstats") && strcmp(name, "latencystats") ? 1 : *everything;
    return !strcasecmp(section, name);
}

/* Builds INFO for one requested section name ("default", "all", "everything" or a section). */
static bstr genInfoForSection(bstr info, const char *section) {
    int everything = !strcasecmp(section, "everything");
    int all = everything || !strcasecmp(section, "all");
    int deflt = !strcasecmp(section, "default");
    int sections = 0;
#define SECTION(nm, fn) \
    if (((deflt && strcmp(nm, "commandstats") && strcmp(nm, "latencystats")) || sectionWanted(section, nm, &all, &everything))) { \
        if (sections++) info = bstrCat(info, "\r\n"); \
        info = fn(info); \
    }
    SECTION("server", infoServer)
    SECTION("clients", infoClients)
    SECTION("memory", infoMemory)
    SECTION("persistence", genInfoPersistence)
    SECTION("stats", infoStats)
    SECTION("replication", genInfoReplication)
    SECTION("cpu", infoCpu)
    if (everything || all || deflt || !strcasecmp(section, "modules")) {
        if (sections++) info = bstrCat(info, "\r\n");
        info = bstrCat(info, "# Modules\r\n");
    }
    if (everything || all || !strcasecmp(section, "commandstats")) {
        if (sections++) info = bstrCat(info, "\r\n");
        info = infoCommandStats(info);
    }
    if (everything || all || !strcasecmp(section, "latencystats")) {
        if (sections++) info = bstrCat(info, "\r\n");
        info = latencyInfoStats(info);
    }
    SECTION("errorstats", infoErrorStats)
    if (everything || all || deflt || !strcasecmp(section, "cluster")) {
        if (sections++) info = bstrCat(info, "\r\n");
        info = bstrCatPrintf(info, "# Cluster\r\ncluster_enabled:%d\r\n", server.cluster_enabled);
    }
    SECTION("keyspace", infoKeyspace)
#undef SECTION
    return info;
}

bstr genValkeyInfoString(bstr section) { return genInfoForSection(bstrEmpty(), section ? section : "default"); }

static void infoCommand(client *c) {
    bstr info = bstrEmpty();
    if (c->argc == 1) {
        info = genInfoForSection(info, "default");
    } else {
        for (int j = 1; j < c->argc; j++) {
            size_t before = bstrLen(info);
            if (before) info = bstrCat(info, "\r\n");
            size_t mark = bstrLen(info);
            info = genInfoForSection(info, objPtr(c->argv[j]));
            if (bstrLen(info) == mark) bstrSetLen(info, before);
        }
    }
    addReplyVerbatim(c, info, bstrLen(info), "txt");
    bstrFree(info);
}

static void timeCommand(client *c) {
    long long now = ustime();
    addReplyArrayLen(c, 2);
    addReplyBulkLongLong(c, now / 1000000);
    addReplyBulkLongLong(c, now % 1000000);
}

int prepareForShutdown(int flags);

static void shutdownCommand(client *c) {
    int flags = 0, now = 0, abort = 0;
    for (int j = 1; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        if (!strcasecmp(opt, "nosave")) flags |= 1;
        else if (!strcasecmp(opt, "save")) flags |= 2;
        else if (!strcasecmp(opt, "force")) flags |= 4;
        else if (!strcasecmp(opt, "now")) now = 1;
        else if (!strcasecmp(opt, "abort")) abort = 1;
        else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if ((abort && (flags || now)) || ((flags & 1) && (flags & 2))) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    /* Our shutdown runs to completion inside this call (it never waits for
     * lagging replicas), so there is never one in progress to abort. */
    if (abort) {
        addReplyError(c, "ERR No shutdown in progress.");
        return;
    }
    if (prepareForShutdown(flags) == 0) exit(0);
    addReplyError(c, "ERR Errors trying to SHUTDOWN. Check logs.");
}

static void monitorCommand(client *c) {
    if (c->flags & CLIENT_REPLICA) return;
    c->flags |= (CLIENT_REPLICA | CLIENT_MONITOR);
    listAddNodeTail(server.monitors, c);
    addReply(c, shared.ok);
}

static void lolwutCommand(client *c) {
    bstr s = bstrCatPrintf(bstrEmpty(), "Valkey ver. %s\n", VALKEY_VERSION);
    addReplyVerbatim(c, s, bstrLen(s), "txt");
    bstrFree(s);
}

const serverCommandDef infoCommandTable[] = {
    {"info", infoCommand, -1, "loading stale sentinel", 0, 0, 0, "server", "Returns information and statistics about the server.", "1.0.0", "O(1)", NULL, NULL, "[section [section ...]]"},
    {"time", timeCommand, 1, "loading stale fast", 0, 0, 0, "server", "Returns the server time.", "2.6.0", "O(1)", NULL, NULL, ""},
    {"shutdown", shutdownCommand, -1, "admin noscript loading stale no_multi sentinel allow_busy", 0, 0, 0, "server", "Synchronously saves the database(s) to disk and shuts down the server.", "1.0.0", "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", NULL, NULL, "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"},
    {"monitor", monitorCommand, 1, "admin noscript loading stale", 0, 0, 0, "server", "Listens for all requests received by the server in real-time.", "1.0.0", NULL, NULL, NULL, ""},
    {"lolwut", lolwutCommand, -1, "readonly fast", 0, 0, 0, "server", "Displays computer art and the server version", "5.0.0", NULL, NULL, NULL, "[VERSION version]"},
    {0}};
