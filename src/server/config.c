/* config.c: the directive table, typed access to live values and valkey.conf
 * loading. CONFIG REWRITE is in config_rewrite.c, the CONFIG command family in
 * config_cmd.c. See config.h for the invariants. */
#include "server/config_int.h"
#include "core/tls.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* The core may not provide these yet: call them only when linked in. */
#pragma weak changeListenPort
#pragma weak changeBindAddr
#pragma weak resetServerStats

/* ---------- directive description ---------- */

#define NUMTYPE(f) _Generic((f), int: N_INT, unsigned int: N_UINT, long: N_LONG, \
                            unsigned long: N_ULONG, long long: N_LL, unsigned long long: N_ULL)

#define CBOOL(n, a, fl, f, d, ap) \
    {.name = n, .alias = a, .flags = fl, .kind = K_BOOL, .ptr = &server.f, .def = d, .apply = ap}
#define CNUM(n, a, fl, f, l, h, d, nf, ap)                                                        \
    {.name = n, .alias = a, .flags = fl, .kind = K_NUM, .ntype = NUMTYPE(server.f), .ptr = &server.f, \
     .lo = l, .hi = h, .def = d, .nflags = nf, .apply = ap}
#define CSTR(n, a, fl, f, d, chk, ap) \
    {.name = n, .alias = a, .flags = fl, .kind = K_STR, .ptr = &server.f, .defstr = d, .check_str = chk, .apply = ap}
#define CENUM(n, a, fl, e, f, d, chk, ap) \
    {.name = n, .alias = a, .flags = fl, .kind = K_ENUM, .enums = e, .ptr = &server.f, .def = d, .check_int = chk, .apply = ap}
#define CSPEC(n, a, fl, s, g, r, ap) \
    {.name = n, .alias = a, .flags = fl, .kind = K_SPECIAL, .sset = s, .sget = g, .srewrite = r, .apply = ap}

/* ---------- enumerations ---------- */

static const configEnumItem enum_maxmemory_policy[] = {
    {"volatile-lru", MAXMEMORY_VOLATILE_LRU}, {"volatile-lfu", MAXMEMORY_VOLATILE_LFU},
    {"volatile-random", MAXMEMORY_VOLATILE_RANDOM}, {"volatile-ttl", MAXMEMORY_VOLATILE_TTL},
    {"allkeys-lru", MAXMEMORY_ALLKEYS_LRU}, {"allkeys-lfu", MAXMEMORY_ALLKEYS_LFU},
    {"allkeys-random", MAXMEMORY_ALLKEYS_RANDOM}, {"noeviction", MAXMEMORY_NO_EVICTION}, {NULL, 0}};
static const configEnumItem enum_syslog_facility[] = {
    {"user", LOG_USER}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7}, {NULL, 0}};
static const configEnumItem enum_loglevel[] = {
    {"debug", LL_DEBUG}, {"verbose", LL_VERBOSE}, {"notice", LL_NOTICE},
    {"warning", LL_WARNING}, {"nothing", LL_NOTHING}, {NULL, 0}};
static const configEnumItem enum_supervised[] = {
    {"upstart", SUPERVISED_UPSTART}, {"systemd", SUPERVISED_SYSTEMD},
    {"auto", SUPERVISED_AUTODETECT}, {"no", SUPERVISED_NONE}, {NULL, 0}};
static const configEnumItem enum_appendfsync[] = {
    {"everysec", AOF_FSYNC_EVERYSEC}, {"always", AOF_FSYNC_ALWAYS}, {"no", AOF_FSYNC_NO}, {NULL, 0}};
static const configEnumItem enum_shutdown_on_sig[] = {
    {"default", SHUTDOWN_NOFLAGS}, {"save", SHUTDOWN_SAVE}, {"nosave", SHUTDOWN_NOSAVE},
    {"now", SHUTDOWN_NOW}, {"force", SHUTDOWN_FORCE}, {NULL, 0}};
static const configEnumItem enum_repl_diskless_load[] = {
    {"disabled", REPL_DISKLESS_LOAD_DISABLED}, {"on-empty-db", REPL_DISKLESS_LOAD_WHEN_DB_EMPTY},
    {"swapdb", REPL_DISKLESS_LOAD_SWAPDB}, {NULL, 0}};
static const configEnumItem enum_tls_auth_clients[] = {{"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0}};
static const configEnumItem enum_oom_score_adj[] = {
    {"no", OOM_SCORE_ADJ_NO}, {"yes", OOM_SCORE_RELATIVE}, {"relative", OOM_SCORE_RELATIVE},
    {"absolute", OOM_SCORE_ADJ_ABSOLUTE}, {NULL, 0}};
/* ACL selector flag value for allchannels; the ACL module reads it back. */
static const configEnumItem enum_acl_pubsub_default[] = {{"allchannels", 1 << 5}, {"resetchannels", 0}, {NULL, 0}};
static const configEnumItem enum_sanitize_dump[] = {
    {"no", SANITIZE_DUMP_NO}, {"yes", SANITIZE_DUMP_YES}, {"clients", SANITIZE_DUMP_CLIENTS}, {NULL, 0}};
static const configEnumItem enum_protected_action[] = {
    {"no", PROTECTED_ACTION_ALLOWED_NO}, {"yes", PROTECTED_ACTION_ALLOWED_YES},
    {"local", PROTECTED_ACTION_ALLOWED_LOCAL}, {NULL, 0}};
static const configEnumItem enum_cluster_endpoint[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0}};
static const configEnumItem enum_propagation_error[] = {
    {"ignore", PROPAGATION_ERR_BEHAVIOR_IGNORE}, {"panic", PROPAGATION_ERR_BEHAVIOR_PANIC},
    {"panic-on-replicas", PROPAGATION_ERR_BEHAVIOR_PANIC_ON_REPLICAS}, {NULL, 0}};

/* ---------- validators and apply hooks ---------- */

static int checkNotEmptyBaseName(const char *v, const char *what, const char *kind, const char **err) {
    static char buf[128];
    if (v[0] == '\0') {
        snprintf(buf, sizeof(buf), "%s can't be empty", what);
        *err = buf;
        return 0;
    }
    if (strchr(v, '/')) {
        snprintf(buf, sizeof(buf), "%s can't be a path, just a %s", what, kind);
        *err = buf;
        return 0;
    }
    return 1;
}
static int checkDbfilename(const char *v, const char **err) { return checkNotEmptyBaseName(v, "dbfilename", "filename", err); }
static int checkAppendfilename(const char *v, const char **err) { return checkNotEmptyBaseName(v, "appendfilename", "filename", err); }
static int checkAppenddirname(const char *v, const char **err) { return checkNotEmptyBaseName(v, "appenddirname", "dirname", err); }

static int checkClusterConfigFile(const char *v, const char **err) {
    if (v[0] == '\0') {
        *err = "cluster-config-file can't be empty";
        return 0;
    }
    return 1;
}

static int checkHostname(const char *v, const char **err) {
    if (strlen(v) >= 256) {
        *err = "Hostnames must be less than 256 characters";
        return 0;
    }
    for (const char *p = v; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
            *err = "Hostnames may only contain alphanumeric characters, hyphens or dots";
            return 0;
        }
    }
    return 1;
}

static int checkShutdownFlags(long long v, const char **err) {
    if ((v & SHUTDOWN_SAVE) && (v & SHUTDOWN_NOSAVE)) {
        *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
        return 0;
    }
    return 1;
}

static int checkActiveDefrag(long long v, const char **err) {
    /* Defragmentation needs allocator hooks this build does not have. */
    if (v) {
        *err = "Active defragmentation cannot be enabled: it requires a server compiled with a modified Jemalloc "
               "like the one shipped by default with the source distribution";
        return 0;
    }
    return 1;
}

static int checkProcTitleTemplate(const char *v, const char **err) {
    /* Every {...} must name a known variable and braces must balance. */
    static const char *vars[] = {"{title}", "{listen-addr}", "{server-mode}", "{port}", "{tls-port}",
                                 "{unixsocket}", "{config-file}", NULL};
    const char *p = v;
    while (*p) {
        if (*p == '}') goto bad;
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end) goto bad;
            int ok = 0;
            for (int i = 0; vars[i]; i++)
                if ((size_t)(end - p + 1) == strlen(vars[i]) && !strncmp(p, vars[i], strlen(vars[i]))) ok = 1;
            if (!ok) goto bad;
            p = end + 1;
            continue;
        }
        p++;
    }
    if (strstr(v, "{title}") == NULL) goto bad;
    return 1;
bad:
    *err = "template format is invalid or contains unknown variables";
    return 0;
}

/* requirepass is the default user's only password (security/acl.c). */
static int applyRequirepass(const char **err) {
    (void)err;
    aclUpdateDefaultUserPassword(server.requirepass);
    return 1;
}

static int applyHz(const char **err) {
    (void)err;
    /* hz is a hint: out-of-range values are clamped, not refused. */
    if (server.config_hz < CONFIG_MIN_HZ) server.config_hz = CONFIG_MIN_HZ;
    if (server.config_hz > CONFIG_MAX_HZ) server.config_hz = CONFIG_MAX_HZ;
    server.hz = server.config_hz;
    return 1;
}

static int applyPort(const char **err) {
    if (!changeListenPort || changeListenPort(server.port) != 0) {
        *err = "Unable to listen on this port. Check server logs.";
        return 0;
    }
    return 1;
}

static int applyBind(const char **err) {
    if (!changeBindAddr || changeBindAddr() != 0) {
        *err = "Failed to bind to specified addresses.";
        return 0;
    }
    return 1;
}

static int applyMaxmemory(const char **err) {
    (void)err;
    if (server.maxmemory && server.maxmemory < zmalloc_used_memory())
        serverLog(LL_WARNING,
                  "WARNING: the new maxmemory value set via CONFIG SET (%llu) is smaller than the current memory "
                  "usage (%zu). This will result in key eviction and/or the inability to accept new write commands "
                  "depending on the maxmemory-policy.",
                  server.maxmemory, zmalloc_used_memory());
    /* Shrink toward the new limit now rather than at the next write. */
    if (server.maxmemory && server.maxmemory < zmalloc_used_memory()) evictStartTimeProc();
    return 1;
}

/* persist/aof.c starts (rewrite) or stops the AOF; absent, the flag alone changes. */
int aofConfigChanged(const char **err) __attribute__((weak));
static int applyAppendonly(const char **err) { return aofConfigChanged ? aofConfigChanged(err) : 1; }

static int applyLocaleCollate(const char **err) {
    if (setlocale(LC_COLLATE, server.locale_collate ? server.locale_collate : "") == NULL) {
        *err = "Invalid locale name";
        return 0;
    }
    return 1;
}

/* ---------- special directives ---------- */

static int loading_config_file; /* "save" lines in a file append instead of replacing */
static int save_seen_in_file;

static int setSave(bstr *argv, int argc, const char **err) {
    int explicit_empty = argc == 1 && argv[0][0] == '\0';
    if (explicit_empty) argc = 0;
    if (argc % 2) goto bad;
    for (int j = 0; j < argc; j++) {
        char *end;
        long long v = strtoll(argv[j], &end, 10);
        if (*end != '\0' || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) goto bad;
    }
    if (explicit_empty || !loading_config_file || !save_seen_in_file) {
        zfree(server.saveparams);
        server.saveparams = NULL;
        server.saveparamslen = 0;
    }
    if (loading_config_file) save_seen_in_file = 1;
    for (int j = 0; j < argc; j += 2) {
        server.saveparams = zrealloc(server.saveparams, sizeof(saveparam) * (server.saveparamslen + 1));
        server.saveparams[server.saveparamslen].seconds = strtoll(argv[j], NULL, 10);
        server.saveparams[server.saveparamslen].changes = (int)strtoll(argv[j + 1], NULL, 10);
        server.saveparamslen++;
    }
    return 1;
bad:
    *err = "Invalid save parameters";
    return 0;
}

static bstr getSave(void) {
    bstr s = bstrEmpty();
    for (int j = 0; j < server.saveparamslen; j++)
        s = bstrCatPrintf(s, "%s%lld %d", j ? " " : "", (long long)server.saveparams[j].seconds,
                          server.saveparams[j].changes);
    return s;
}

static int setDir(bstr *argv, int argc, const char **err) {
    if (argc != 1) {
        *err = "wrong number of arguments";
        return 0;
    }
    if (argv[0][0] == '\0') {
        *err = "dir can't be empty";
        return 0;
    }
    if (chdir(argv[0]) == -1) {
        *err = strerror(errno);
        return 0;
    }
    return 1;
}

static bstr getDir(void) {
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) == NULL) buf[0] = '\0';
    return bstrNew(buf);
}

const char *configObufClassName(int j) {
    /* CONFIG GET keeps the historical class names of getClientTypeName(). */
    return j == CLIENT_TYPE_NORMAL ? "normal" : j == CLIENT_TYPE_REPLICA ? "slave" : "pubsub";
}

static int obufClassByName(const char *s) {
    if (!strcasecmp(s, "normal")) return CLIENT_TYPE_NORMAL;
    if (!strcasecmp(s, "replica") || !strcasecmp(s, "slave")) return CLIENT_TYPE_REPLICA;
    if (!strcasecmp(s, "pubsub")) return CLIENT_TYPE_PUBSUB;
    return -1;
}

static int setObufLimits(bstr *argv, int argc, const char **err) {
    clientBufferLimitsConfig vals[CLIENT_TYPE_OBUF_COUNT];
    int seen[CLIENT_TYPE_OBUF_COUNT] = {0};
    if (argc % 4) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        return 0;
    }
    /* Validate everything first so a bad class leaves all limits intact. */
    for (int j = 0; j < argc; j += 4) {
        int cls = obufClassByName(argv[j]);
        if (cls == -1) {
            *err = "Invalid client class specified in buffer limit configuration.";
            return 0;
        }
        int herr, serr;
        unsigned long long hard = memtoull(argv[j + 1], &herr);
        unsigned long long soft = memtoull(argv[j + 2], &serr);
        char *end;
        long long secs = strtoll(argv[j + 3], &end, 10);
        if (herr || serr || secs < 0 || *end != '\0') {
            *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            return 0;
        }
        vals[cls].hard_limit_bytes = hard;
        vals[cls].soft_limit_bytes = soft;
        vals[cls].soft_limit_seconds = (time_t)secs;
        seen[cls] = 1;
    }
    for (int j = 0; j < CLIENT_TYPE_OBUF_COUNT; j++)
        if (seen[j]) server.client_obuf_limits[j] = vals[j];
    return 1;
}

static bstr getObufLimits(void) {
    bstr s = bstrEmpty();
    for (int j = 0; j < CLIENT_TYPE_OBUF_COUNT; j++)
        s = bstrCatPrintf(s, "%s%s %llu %llu %lld", j ? " " : "", configObufClassName(j),
                          server.client_obuf_limits[j].hard_limit_bytes,
                          server.client_obuf_limits[j].soft_limit_bytes,
                          (long long)server.client_obuf_limits[j].soft_limit_seconds);
    return s;
}

const int configOomDefaults[CONFIG_OOM_COUNT] = {0, 200, 800};

static int setOomValues(bstr *argv, int argc, const char **err) {
    int vals[CONFIG_OOM_COUNT], changed = 0;
    if (argc != CONFIG_OOM_COUNT) {
        *err = "wrong number of arguments";
        return 0;
    }
    for (int j = 0; j < CONFIG_OOM_COUNT; j++) {
        char *end;
        long long v = strtoll(argv[j], &end, 10);
        if (*end != '\0' || v < -2000 || v > 2000) {
            *err = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
            return 0;
        }
        vals[j] = (int)v;
    }
    if (vals[CONFIG_OOM_REPLICA] < vals[CONFIG_OOM_PRIMARY] || vals[CONFIG_OOM_BGCHILD] < vals[CONFIG_OOM_REPLICA])
        serverLog(LL_WARNING, "The oom-score-adj-values configuration may not work for non-privileged processes! "
                              "Please consult the documentation.");
    for (int j = 0; j < CONFIG_OOM_COUNT; j++) {
        if (server.oom_score_adj_values[j] != vals[j]) changed = 1;
        server.oom_score_adj_values[j] = vals[j];
    }
    return changed ? 1 : 2;
}

bstr configGetOomValues(void) {
    return bstrCatPrintf(bstrEmpty(), "%d %d %d", server.oom_score_adj_values[0], server.oom_score_adj_values[1],
                         server.oom_score_adj_values[2]);
}

static int setNotify(bstr *argv, int argc, const char **err) {
    if (argc != 1) {
        *err = "wrong number of arguments";
        return 0;
    }
    int flags = keyspaceEventsStringToFlags(argv[0]);
    if (flags == -1) {
        *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        return 0;
    }
    server.notify_keyspace_events = flags;
    return 1;
}

bstr configGetNotify(void) {
    return keyspaceEventsFlagsToString(server.notify_keyspace_events);
}

static int setBind(bstr *argv, int argc, const char **err) {
    if (argc > CONFIG_BINDADDR_MAX) {
        *err = "Too many bind addresses specified.";
        return 0;
    }
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    for (int j = 0; j < server.bindaddr_count; j++) zfree(server.bindaddr[j]);
    for (int j = 0; j < argc; j++) server.bindaddr[j] = zstrdup(argv[j]);
    server.bindaddr_count = argc;
    return 1;
}

bstr configGetBind(void) {
    bstr s = bstrEmpty();
    for (int j = 0; j < server.bindaddr_count; j++) s = bstrCatPrintf(s, "%s%s", j ? " " : "", server.bindaddr[j]);
    return s;
}

static int setReplicaof(bstr *argv, int argc, const char **err) {
    if (argc != 2) {
        *err = "wrong number of arguments";
        return 0;
    }
    zfree(server.primary_host);
    server.primary_host = NULL;
    if (!strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one")) return 1;
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (port < 0 || port > 65535 || *end != '\0') {
        *err = "Invalid primary port";
        return 0;
    }
    server.primary_port = (int)port;
    server.primary_host = zstrdup(argv[0]);
    return 1;
}

static bstr getReplicaof(void) {
    if (!server.primary_host) return bstrEmpty();
    return bstrCatPrintf(bstrEmpty(), "%s %d", server.primary_host, server.primary_port);
}

/* Percentiles print like %f with the trailing zeros (and dot) dropped. */
bstr configCatPercentile(bstr s, double v) {
    char buf[128];
    int len = snprintf(buf, sizeof(buf), "%f", v);
    if (strchr(buf, '.')) {
        while (len > 0 && buf[len - 1] == '0') len--;
        if (len > 0 && buf[len - 1] == '.') len--;
    }
    return bstrCatLen(s, buf, (size_t)len);
}

static int setPercentiles(bstr *argv, int argc, const char **err) {
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    double *vals = argc ? zmalloc(sizeof(double) * (size_t)argc) : NULL;
    for (int j = 0; j < argc; j++) {
        if (!string2d(argv[j], bstrLen(argv[j]), &vals[j])) {
            *err = "Invalid latency-tracking-info-percentiles parameters";
            goto fail;
        }
        if (vals[j] > 100.0 || vals[j] < 0.0) {
            *err = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
            goto fail;
        }
    }
    zfree(server.latency_tracking_info_percentiles);
    server.latency_tracking_info_percentiles = vals;
    server.latency_tracking_info_percentiles_len = argc;
    return 1;
fail:
    zfree(vals);
    return 0;
}

static bstr getPercentiles(void) {
    bstr s = bstrEmpty();
    for (int j = 0; j < server.latency_tracking_info_percentiles_len; j++) {
        if (j) s = bstrCat(s, " ");
        s = configCatPercentile(s, server.latency_tracking_info_percentiles[j]);
    }
    return s;
}

/* ---------- the table ---------- */

#define MOD 0
#define IMM CF_IMMUTABLE
#define MEM NF_MEMORY

const configDef configTable[] = {
    /* yes/no */
    CBOOL("rdbchecksum", NULL, IMM, rdb_checksum, 1, NULL),
    CBOOL("daemonize", NULL, IMM, daemonize, 0, NULL),
    CBOOL("always-show-logo", NULL, IMM, always_show_logo, 0, NULL),
    CBOOL("protected-mode", NULL, MOD, protected_mode, 1, NULL),
    CBOOL("rdbcompression", NULL, MOD, rdb_compression, 1, NULL),
    CBOOL("rdb-del-sync-files", NULL, MOD, rdb_del_sync_files, 0, NULL),
    CBOOL("activerehashing", NULL, MOD, activerehashing, 1, NULL),
    CBOOL("stop-writes-on-bgsave-error", NULL, MOD, stop_writes_on_bgsave_err, 1, NULL),
    CBOOL("set-proc-title", NULL, IMM, set_proc_title, 1, NULL),
    CBOOL("dynamic-hz", NULL, MOD, dynamic_hz, 1, NULL),
    CBOOL("lazyfree-lazy-eviction", NULL, MOD, lazyfree_lazy_eviction, 1, NULL),
    CBOOL("lazyfree-lazy-expire", NULL, MOD, lazyfree_lazy_expire, 1, NULL),
    CBOOL("lazyfree-lazy-server-del", NULL, MOD, lazyfree_lazy_server_del, 1, NULL),
    CBOOL("lazyfree-lazy-user-del", NULL, MOD, lazyfree_lazy_user_del, 1, NULL),
    CBOOL("lazyfree-lazy-user-flush", NULL, MOD, lazyfree_lazy_user_flush, 1, NULL),
    CBOOL("repl-disable-tcp-nodelay", NULL, MOD, repl_disable_tcp_nodelay, 0, NULL),
    CBOOL("repl-diskless-sync", NULL, MOD, repl_diskless_sync, 1, NULL),
    CBOOL("dual-channel-replication-enabled", NULL, MOD, dual_channel_replication, 0, NULL),
    CBOOL("aof-rewrite-incremental-fsync", NULL, MOD, aof_rewrite_incremental_fsync, 1, NULL),
    CBOOL("no-appendfsync-on-rewrite", NULL, MOD, aof_no_fsync_on_rewrite, 0, NULL),
    CBOOL("cluster-require-full-coverage", NULL, MOD, cluster_require_full_coverage, 1, NULL),
    CBOOL("rdb-save-incremental-fsync", NULL, MOD, rdb_save_incremental_fsync, 1, NULL),
    CBOOL("aof-load-truncated", NULL, MOD, aof_load_truncated, 1, NULL),
    CBOOL("aof-use-rdb-preamble", NULL, MOD, aof_use_rdb_preamble, 1, NULL),
    CBOOL("aof-timestamp-enabled", NULL, MOD, aof_timestamp_enabled, 0, NULL),
    CBOOL("cluster-replica-no-failover", "cluster-slave-no-failover", MOD, cluster_replica_no_failover, 0, NULL),
    CBOOL("replica-lazy-flush", "slave-lazy-flush", MOD, repl_replica_lazy_flush, 1, NULL),
    CBOOL("replica-serve-stale-data", "slave-serve-stale-data", MOD, repl_serve_stale_data, 1, NULL),
    CBOOL("replica-read-only", "slave-read-only", MOD, repl_replica_ro, 1, NULL),
    CBOOL("replica-ignore-maxmemory", "slave-ignore-maxmemory", MOD, repl_replica_ignore_maxmemory, 1, NULL),
    CBOOL("jemalloc-bg-thread", NULL, MOD, jemalloc_bg_thread, 1, NULL),
    {.name = "activedefrag", .kind = K_BOOL, .ptr = &server.active_defrag_enabled, .def = 0, .check_int = checkActiveDefrag},
    CBOOL("syslog-enabled", NULL, IMM, syslog_enabled, 0, NULL),
    CBOOL("cluster-enabled", NULL, IMM, cluster_enabled, 0, NULL),
    CBOOL("appendonly", NULL, CF_DENY_LOADING, appendonly, 0, applyAppendonly),
    CBOOL("cluster-allow-reads-when-down", NULL, MOD, cluster_allow_reads_when_down, 0, NULL),
    CBOOL("cluster-allow-pubsubshard-when-down", NULL, MOD, cluster_allow_pubsubshard_when_down, 1, NULL),
    CBOOL("crash-log-enabled", NULL, MOD, crashlog_enabled, 1, NULL),
    CBOOL("crash-memcheck-enabled", NULL, MOD, memcheck_enabled, 1, NULL),
    CBOOL("use-exit-on-panic", NULL, CF_HIDDEN, use_exit_on_panic, 0, NULL),
    CBOOL("disable-thp", NULL, IMM, disable_thp, 1, NULL),
    CBOOL("cluster-allow-replica-migration", NULL, MOD, cluster_allow_replica_migration, 1, NULL),
    CBOOL("replica-announced", NULL, MOD, replica_announced, 1, NULL),
    CBOOL("latency-tracking", NULL, MOD, latency_tracking_enabled, 1, NULL),
    CBOOL("aof-disable-auto-gc", NULL, CF_HIDDEN, aof_disable_auto_gc, 0, NULL),
    CBOOL("replica-ignore-disk-write-errors", NULL, MOD, repl_ignore_disk_write_error, 0, NULL),
    CBOOL("extended-redis-compatibility", NULL, MOD, extended_redis_compat, 0, NULL),
    CBOOL("enable-debug-assert", NULL, IMM | CF_HIDDEN, debug_assert_enabled, 0, NULL),
    CBOOL("cluster-slot-stats-enabled", NULL, MOD, cluster_slot_stats_enabled, 0, NULL),
    CBOOL("hide-user-data-from-log", NULL, MOD, hide_user_data_from_log, 0, NULL),

    /* strings */
    CSTR("aclfile", NULL, IMM, acl_filename, "", NULL, NULL),
    CSTR("unixsocket", NULL, IMM | CF_EMPTY_NULL, unixsocket, NULL, NULL, NULL),
    CSTR("unixsocketgroup", NULL, IMM | CF_EMPTY_NULL, unixsocketgroup, NULL, NULL, NULL),
    CSTR("pidfile", NULL, IMM | CF_EMPTY_NULL, pidfile, NULL, NULL, NULL),
    CSTR("replica-announce-ip", "slave-announce-ip", CF_EMPTY_NULL, replica_announce_ip, NULL, NULL, NULL),
    CSTR("primaryuser", "masteruser", CF_SENSITIVE | CF_EMPTY_NULL, primary_user, NULL, NULL, NULL),
    CSTR("primaryauth", "masterauth", CF_SENSITIVE | CF_EMPTY_NULL, primary_auth, NULL, NULL, NULL),
    CSTR("requirepass", NULL, CF_SENSITIVE | CF_EMPTY_NULL, requirepass, NULL, NULL, applyRequirepass),
    CSTR("cluster-announce-ip", NULL, CF_EMPTY_NULL, cluster_announce_ip, NULL, NULL, NULL),
    CSTR("cluster-announce-client-ipv4", NULL, CF_EMPTY_NULL, cluster_announce_client_ipv4, NULL, NULL, NULL),
    CSTR("cluster-announce-client-ipv6", NULL, CF_EMPTY_NULL, cluster_announce_client_ipv6, NULL, NULL, NULL),
    CSTR("cluster-config-file", NULL, IMM, cluster_configfile, "nodes.conf", checkClusterConfigFile, NULL),
    CSTR("cluster-announce-hostname", NULL, CF_EMPTY_NULL, cluster_announce_hostname, NULL, checkHostname, NULL),
    CSTR("cluster-announce-human-nodename", NULL, CF_EMPTY_NULL, cluster_announce_human_nodename, NULL, NULL, NULL),
    CSTR("syslog-ident", NULL, IMM, syslog_ident, SERVER_NAME_STR, NULL, NULL),
    {.name = "dbfilename", .flags = CF_PROTECTED, .kind = K_STR, .ptr = &server.dbfilename, .defstr = "dump.rdb",
     .check_str = checkDbfilename},
    CSTR("appendfilename", NULL, IMM, appendfilename, "appendonly.aof", checkAppendfilename, NULL),
    CSTR("appenddirname", NULL, IMM, appenddirname, "appendonlydir", checkAppenddirname, NULL),
    CSTR("server-cpulist", "server_cpulist", IMM | CF_EMPTY_NULL, server_cpulist, NULL, NULL, NULL),
    CSTR("bio-cpulist", "bio_cpulist", IMM | CF_EMPTY_NULL, bio_cpulist, NULL, NULL, NULL),
    CSTR("aof-rewrite-cpulist", "aof_rewrite_cpulist", IMM | CF_EMPTY_NULL, aof_rewrite_cpulist, NULL, NULL, NULL),
    CSTR("bgsave-cpulist", "bgsave_cpulist", IMM | CF_EMPTY_NULL, bgsave_cpulist, NULL, NULL, NULL),
    CSTR("ignore-warnings", NULL, MOD, ignore_warnings, "", NULL, NULL),
    CSTR("proc-title-template", NULL, MOD, proc_title_template, "{title} {listen-addr} {server-mode}",
         checkProcTitleTemplate, NULL),
    CSTR("bind-source-addr", NULL, CF_EMPTY_NULL, bind_source_addr, NULL, NULL, NULL),
    CSTR("logfile", NULL, IMM, logfile, "", NULL, NULL),
    CSTR("locale-collate", NULL, MOD, locale_collate, "", NULL, applyLocaleCollate),
    CSTR("availability-zone", NULL, MOD, availability_zone, "", NULL, NULL),

    /* enumerations */
    CENUM("supervised", NULL, IMM, enum_supervised, supervised_mode, SUPERVISED_NONE, NULL, NULL),
    CENUM("syslog-facility", NULL, IMM, enum_syslog_facility, syslog_facility, LOG_LOCAL0, NULL, NULL),
    CENUM("repl-diskless-load", NULL, CF_DENY_LOADING, enum_repl_diskless_load, repl_diskless_load,
          REPL_DISKLESS_LOAD_DISABLED, NULL, NULL),
    CENUM("loglevel", NULL, MOD, enum_loglevel, verbosity, LL_NOTICE, NULL, NULL),
    CENUM("maxmemory-policy", NULL, MOD, enum_maxmemory_policy, maxmemory_policy, MAXMEMORY_NO_EVICTION, NULL, NULL),
    CENUM("appendfsync", NULL, MOD, enum_appendfsync, appendfsync, AOF_FSYNC_EVERYSEC, NULL, NULL),
    CENUM("oom-score-adj", NULL, MOD, enum_oom_score_adj, oom_score_adj, OOM_SCORE_ADJ_NO, NULL, NULL),
    CENUM("acl-pubsub-default", NULL, MOD, enum_acl_pubsub_default, acl_pubsub_default, 0, NULL, NULL),
    CENUM("sanitize-dump-payload", NULL, MOD, enum_sanitize_dump, sanitize_dump_payload, SANITIZE_DUMP_NO, NULL, NULL),
    CENUM("enable-protected-configs", NULL, IMM, enum_protected_action, enable_protected_configs,
          PROTECTED_ACTION_ALLOWED_NO, NULL, NULL),
    CENUM("enable-debug-command", NULL, IMM, enum_protected_action, enable_debug_cmd, PROTECTED_ACTION_ALLOWED_NO,
          NULL, NULL),
    CENUM("enable-module-command", NULL, IMM, enum_protected_action, enable_module_cmd, PROTECTED_ACTION_ALLOWED_NO,
          NULL, NULL),
    CENUM("cluster-preferred-endpoint-type", NULL, MOD, enum_cluster_endpoint, cluster_preferred_endpoint_type, 0,
          NULL, NULL),
    CENUM("propagation-error-behavior", NULL, MOD, enum_propagation_error, propagation_error_behavior,
          PROPAGATION_ERR_BEHAVIOR_IGNORE, NULL, NULL),
    CENUM("shutdown-on-sigint", NULL, CF_MULTI_ARG, enum_shutdown_on_sig, shutdown_on_sigint, 0, checkShutdownFlags,
          NULL),
    CENUM("shutdown-on-sigterm", NULL, CF_MULTI_ARG, enum_shutdown_on_sig, shutdown_on_sigterm, 0,
          checkShutdownFlags, NULL),

    /* integers */
    CNUM("databases", NULL, IMM, dbnum, 1, INT_MAX, 16, 0, NULL),
    CNUM("port", NULL, MOD, port, 0, 65535, 6379, 0, applyPort),
    CNUM("io-threads", NULL, IMM, io_threads_num, 1, 256, 1, 0, NULL),
    CNUM("prefetch-batch-max-size", NULL, MOD, prefetch_batch_max_size, 0, 128, 16, 0, NULL),
    CNUM("auto-aof-rewrite-percentage", NULL, MOD, aof_rewrite_perc, 0, INT_MAX, 100, 0, NULL),
    CNUM("cluster-replica-validity-factor", "cluster-slave-validity-factor", MOD, cluster_replica_validity_factor, 0,
         INT_MAX, 10, 0, NULL),
    CNUM("list-max-listpack-size", "list-max-ziplist-size", MOD, list_max_listpack_size, INT_MIN, INT_MAX, -2, 0,
         NULL),
    CNUM("tcp-keepalive", NULL, MOD, tcpkeepalive, 0, INT_MAX, 300, 0, NULL),
    CNUM("cluster-migration-barrier", NULL, MOD, cluster_migration_barrier, 0, INT_MAX, 1, 0, NULL),
    CNUM("active-defrag-cycle-min", NULL, MOD, active_defrag_cycle_min, 1, 99, 1, 0, NULL),
    CNUM("active-defrag-cycle-max", NULL, MOD, active_defrag_cycle_max, 1, 99, 25, 0, NULL),
    CNUM("active-defrag-threshold-lower", NULL, MOD, active_defrag_threshold_lower, 0, 1000, 10, 0, NULL),
    CNUM("active-defrag-threshold-upper", NULL, MOD, active_defrag_threshold_upper, 0, 1000, 100, 0, NULL),
    CNUM("lfu-log-factor", NULL, MOD, lfu_log_factor, 0, INT_MAX, 10, 0, NULL),
    CNUM("lfu-decay-time", NULL, MOD, lfu_decay_time, 0, INT_MAX, 1, 0, NULL),
    CNUM("replica-priority", "slave-priority", MOD, replica_priority, 0, INT_MAX, 100, 0, NULL),
    CNUM("repl-diskless-sync-delay", NULL, MOD, repl_diskless_sync_delay, 0, INT_MAX, 5, 0, NULL),
    CNUM("maxmemory-samples", NULL, MOD, maxmemory_samples, 1, 64, 5, 0, NULL),
    CNUM("maxmemory-eviction-tenacity", NULL, MOD, maxmemory_eviction_tenacity, 0, 100, 10, 0, NULL),
    CNUM("timeout", NULL, MOD, maxidletime, 0, INT_MAX, 0, 0, NULL),
    CNUM("replica-announce-port", "slave-announce-port", MOD, replica_announce_port, 0, 65535, 0, 0, NULL),
    CNUM("tcp-backlog", NULL, IMM, tcp_backlog, 0, INT_MAX, 511, 0, NULL),
    CNUM("cluster-port", NULL, IMM, cluster_port, 0, 65535, 0, 0, NULL),
    CNUM("cluster-announce-bus-port", NULL, MOD, cluster_announce_bus_port, 0, 65535, 0, 0, NULL),
    CNUM("cluster-announce-port", NULL, MOD, cluster_announce_port, 0, 65535, 0, 0, NULL),
    CNUM("cluster-announce-tls-port", NULL, MOD, cluster_announce_tls_port, 0, 65535, 0, 0, NULL),
    CNUM("repl-timeout", NULL, MOD, repl_timeout, 1, INT_MAX, 60, 0, NULL),
    CNUM("repl-ping-replica-period", "repl-ping-slave-period", MOD, repl_ping_replica_period, 1, INT_MAX, 10, 0,
         NULL),
    CNUM("list-compress-depth", NULL, MOD, list_compress_depth, 0, INT_MAX, 0, 0, NULL),
    CNUM("rdb-key-save-delay", NULL, CF_HIDDEN, rdb_key_save_delay, INT_MIN, INT_MAX, 0, 0, NULL),
    CNUM("key-load-delay", NULL, CF_HIDDEN, key_load_delay, INT_MIN, INT_MAX, 0, 0, NULL),
    CNUM("active-expire-effort", NULL, MOD, active_expire_effort, 1, 10, 1, 0, NULL),
    CNUM("hz", NULL, MOD, config_hz, 0, INT_MAX, CONFIG_DEFAULT_HZ, 0, applyHz),
    CNUM("min-replicas-to-write", "min-slaves-to-write", MOD, repl_min_replicas_to_write, 0, INT_MAX, 0, 0, NULL),
    CNUM("min-replicas-max-lag", "min-slaves-max-lag", MOD, repl_min_replicas_max_lag, 0, INT_MAX, 10, 0, NULL),
    CNUM("watchdog-period", NULL, CF_HIDDEN, watchdog_period, 0, INT_MAX, 0, 0, NULL),
    CNUM("shutdown-timeout", NULL, MOD, shutdown_timeout, 0, INT_MAX, 10, 0, NULL),
    CNUM("repl-diskless-sync-max-replicas", NULL, MOD, repl_diskless_sync_max_replicas, 0, INT_MAX, 0, 0, NULL),
    CNUM("maxclients", NULL, MOD, maxclients, 1, UINT_MAX, 10000, 0, NULL),
    CNUM("unixsocketperm", NULL, IMM, unixsocketperm, 0, 0777, 0, NF_OCTAL, NULL),
    CNUM("socket-mark-id", NULL, IMM, socket_mark_id, 0, UINT_MAX, 0, 0, NULL),
    CNUM("max-new-connections-per-cycle", NULL, MOD, max_new_conns_per_cycle, 1, 1000, 10, 0, NULL),
    CNUM("max-new-tls-connections-per-cycle", NULL, MOD, max_new_tls_conns_per_cycle, 1, 1000, 1, 0, NULL),
    CNUM("active-defrag-max-scan-fields", NULL, MOD, active_defrag_max_scan_fields, 1, LONG_MAX, 1000, 0, NULL),
    CNUM("slowlog-max-len", NULL, MOD, slowlog_max_len, 0, LONG_MAX, 128, 0, NULL),
    CNUM("acllog-max-len", NULL, MOD, acllog_max_len, 0, LONG_MAX, 128, 0, NULL),
    CNUM("busy-reply-threshold", "lua-time-limit", MOD, busy_reply_threshold, 0, LONG_MAX, 5000, 0, NULL),
    CNUM("cluster-node-timeout", NULL, MOD, cluster_node_timeout, 0, LLONG_MAX, 15000, 0, NULL),
    CNUM("cluster-ping-interval", NULL, CF_HIDDEN, cluster_ping_interval, 0, LLONG_MAX, 0, 0, NULL),
    CNUM("slowlog-log-slower-than", NULL, MOD, slowlog_log_slower_than, -1, LLONG_MAX, 10000, 0, NULL),
    CNUM("latency-monitor-threshold", NULL, MOD, latency_monitor_threshold, 0, LLONG_MAX, 0, 0, NULL),
    CNUM("proto-max-bulk-len", NULL, MOD, proto_max_bulk_len, 1024 * 1024, LONG_MAX, 512LL * 1024 * 1024, MEM, NULL),
    CNUM("stream-node-max-entries", NULL, MOD, stream_node_max_entries, 0, LLONG_MAX, 100, 0, NULL),
    CNUM("repl-backlog-size", NULL, MOD, repl_backlog_size, 1, LLONG_MAX, 1024 * 1024, MEM, NULL),
    CNUM("maxmemory", NULL, MOD, maxmemory, 0, (long long)ULLONG_MAX, 0, MEM, applyMaxmemory),
    CNUM("cluster-link-sendbuf-limit", NULL, MOD, cluster_link_msg_queue_limit_bytes, 0, (long long)ULLONG_MAX, 0,
         MEM, NULL),
    CNUM("hash-max-listpack-entries", "hash-max-ziplist-entries", MOD, hash_max_listpack_entries, 0, LONG_MAX, 512,
         0, NULL),
    CNUM("set-max-intset-entries", NULL, MOD, set_max_intset_entries, 0, LONG_MAX, 512, 0, NULL),
    CNUM("set-max-listpack-entries", NULL, MOD, set_max_listpack_entries, 0, LONG_MAX, 128, 0, NULL),
    CNUM("set-max-listpack-value", NULL, MOD, set_max_listpack_value, 0, LONG_MAX, 64, 0, NULL),
    CNUM("zset-max-listpack-entries", "zset-max-ziplist-entries", MOD, zset_max_listpack_entries, 0, LONG_MAX, 128,
         0, NULL),
    CNUM("active-defrag-ignore-bytes", NULL, MOD, active_defrag_ignore_bytes, 1, LLONG_MAX, 100 << 20, MEM, NULL),
    CNUM("hash-max-listpack-value", "hash-max-ziplist-value", MOD, hash_max_listpack_value, 0, LONG_MAX, 64, MEM,
         NULL),
    CNUM("stream-node-max-bytes", NULL, MOD, stream_node_max_bytes, 0, LONG_MAX, 4096, MEM, NULL),
    CNUM("zset-max-listpack-value", "zset-max-ziplist-value", MOD, zset_max_listpack_value, 0, LONG_MAX, 64, MEM,
         NULL),
    CNUM("hll-sparse-max-bytes", NULL, MOD, hll_sparse_max_bytes, 0, LONG_MAX, 3000, MEM, NULL),
    CNUM("tracking-table-max-keys", NULL, MOD, tracking_table_max_keys, 0, LONG_MAX, 1000000, 0, NULL),
    CNUM("client-query-buffer-limit", NULL, MOD, client_max_querybuf_len, 1024 * 1024, LONG_MAX, 1024 * 1024 * 1024,
         MEM, NULL),
    CNUM("maxmemory-clients", NULL, MOD, maxmemory_clients, -100, LLONG_MAX, 0, MEM | NF_PERCENT, NULL),
    CNUM("repl-backlog-ttl", NULL, MOD, repl_backlog_time_limit, 0, LONG_MAX, 3600, 0, NULL),
    CNUM("auto-aof-rewrite-min-size", NULL, MOD, aof_rewrite_min_size, 0, LLONG_MAX, 64 * 1024 * 1024, MEM, NULL),
    CNUM("loading-process-events-interval-bytes", NULL, CF_HIDDEN, loading_process_events_interval_bytes, 1024,
         INT_MAX, 2 * 1024 * 1024, 0, NULL),

    /* TLS: core/tls.c rebuilds its contexts on change (docs/TLS.md); tls-cluster
     * is stored only. */
    CNUM("tls-port", NULL, MOD, tls_port, 0, 65535, 0, 0, tlsApplyPort),
    CNUM("tls-session-cache-size", NULL, MOD, tls_session_cache_size, 0, INT_MAX, 20 * 1024, 0, tlsApplyConfig),
    CNUM("tls-session-cache-timeout", NULL, MOD, tls_session_cache_timeout, 0, INT_MAX, 300, 0, tlsApplyConfig),
    CBOOL("tls-cluster", NULL, MOD, tls_cluster, 0, NULL),
    CBOOL("tls-replication", NULL, MOD, tls_replication, 0, tlsApplyReplication),
    CENUM("tls-auth-clients", NULL, MOD, enum_tls_auth_clients, tls_auth_clients, 1, NULL, tlsApplyConfig),
    CBOOL("tls-prefer-server-ciphers", NULL, MOD, tls_prefer_server_ciphers, 0, tlsApplyConfig),
    CBOOL("tls-session-caching", NULL, MOD, tls_session_caching, 1, tlsApplyConfig),
    CSTR("tls-cert-file", NULL, CF_EMPTY_NULL, tls_cert_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-key-file", NULL, CF_EMPTY_NULL, tls_key_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-key-file-pass", NULL, CF_SENSITIVE | CF_EMPTY_NULL, tls_key_file_pass, NULL, NULL, tlsApplyConfig),
    CSTR("tls-client-cert-file", NULL, CF_EMPTY_NULL, tls_client_cert_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-client-key-file", NULL, CF_EMPTY_NULL, tls_client_key_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-client-key-file-pass", NULL, CF_SENSITIVE | CF_EMPTY_NULL, tls_client_key_file_pass, NULL, NULL, tlsApplyConfig),
    CSTR("tls-dh-params-file", NULL, CF_EMPTY_NULL, tls_dh_params_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-ca-cert-file", NULL, CF_EMPTY_NULL, tls_ca_cert_file, NULL, NULL, tlsApplyConfig),
    CSTR("tls-ca-cert-dir", NULL, CF_EMPTY_NULL, tls_ca_cert_dir, NULL, NULL, tlsApplyConfig),
    CSTR("tls-protocols", NULL, CF_EMPTY_NULL, tls_protocols, NULL, NULL, tlsApplyConfig),
    CSTR("tls-ciphers", NULL, CF_EMPTY_NULL, tls_ciphers, NULL, NULL, tlsApplyConfig),
    CSTR("tls-ciphersuites", NULL, CF_EMPTY_NULL, tls_ciphersuites, NULL, NULL, tlsApplyConfig),

    /* special */
    CSPEC("dir", NULL, CF_PROTECTED | CF_DENY_LOADING, setDir, getDir, configRwDir, NULL),
    CSPEC("save", NULL, CF_MULTI_ARG, setSave, getSave, configRwSave, NULL),
    CSPEC("client-output-buffer-limit", NULL, CF_MULTI_ARG, setObufLimits, getObufLimits, configRwObufLimits, NULL),
    CSPEC("oom-score-adj-values", NULL, CF_MULTI_ARG, setOomValues, configGetOomValues, configRwOomValues, NULL),
    CSPEC("notify-keyspace-events", NULL, MOD, setNotify, configGetNotify, configRwNotify, NULL),
    CSPEC("bind", NULL, CF_MULTI_ARG, setBind, configGetBind, configRwBind, applyBind),
    CSPEC("replicaof", "slaveof", IMM | CF_MULTI_ARG, setReplicaof, getReplicaof, configRwReplicaof, NULL),
    CSPEC("latency-tracking-info-percentiles", NULL, CF_MULTI_ARG, setPercentiles, getPercentiles, configRwPercentiles,
          NULL),
    {.name = NULL}};

#define CONFIG_COUNT ((int)(sizeof(configTable) / sizeof(configTable[0])) - 1)
const int configTableCount = CONFIG_COUNT;

/* Directives accepted in files for compatibility and otherwise ignored. */
static const struct { const char *name; int argc; } deprecatedDirectives[] = {
    {"list-max-ziplist-entries", 2}, {"list-max-ziplist-value", 2}, {"lua-replicate-commands", 2},
    {"io-threads-do-reads", 2}, {NULL, 0}};

/* Finds a directive by primary name or alias (case-insensitive). *shown gets
 * the spelling of the table entry that matched. */
const configDef *configLookup(const char *name, const char **shown) {
    for (const configDef *d = configTable; d->name; d++) {
        if (!strcasecmp(d->name, name)) {
            if (shown) *shown = d->name;
            return d;
        }
        if (d->alias && !strcasecmp(d->alias, name)) {
            if (shown) *shown = d->alias;
            return d;
        }
    }
    return NULL;
}

/* ---------- generic typed access ---------- */

int configNumIsUnsigned(const configDef *d) {
    return d->ntype == N_UINT || d->ntype == N_ULONG || d->ntype == N_ULL;
}

long long configNumLoad(const configDef *d) {
    switch (d->ntype) {
    case N_INT: return *(int *)d->ptr;
    case N_UINT: return *(unsigned int *)d->ptr;
    case N_LONG: return *(long *)d->ptr;
    case N_ULONG: return (long long)*(unsigned long *)d->ptr;
    case N_LL: return *(long long *)d->ptr;
    default: return (long long)*(unsigned long long *)d->ptr;
    }
}

static void numStore(const configDef *d, long long v) {
    switch (d->ntype) {
    case N_INT: *(int *)d->ptr = (int)v; break;
    case N_UINT: *(unsigned int *)d->ptr = (unsigned int)v; break;
    case N_LONG: *(long *)d->ptr = (long)v; break;
    case N_ULONG: *(unsigned long *)d->ptr = (unsigned long)v; break;
    case N_LL: *(long long *)d->ptr = v; break;
    default: *(unsigned long long *)d->ptr = (unsigned long long)v; break;
    }
}

static int numParse(const configDef *d, const char *s, long long *out, const char **err) {
    if (d->nflags & NF_MEMORY) {
        int merr;
        *out = memtoull(s, &merr);
        if (!merr) return 1;
    }
    size_t len = strlen(s);
    if ((d->nflags & NF_PERCENT) && len > 1 && s[len - 1] == '%' && string2ll(s, len - 1, out) && *out >= 0) {
        *out = -*out;
        return 1;
    }
    if (d->nflags & NF_OCTAL) {
        char *end;
        errno = 0;
        *out = strtoll(s, &end, 8);
        if (errno == 0 && *end == '\0' && end != s) return 1;
    }
    if (!d->nflags && string2ll(s, len, out)) return 1;
    if ((d->nflags & NF_MEMORY) && (d->nflags & NF_PERCENT))
        *err = "argument must be a memory or percent value";
    else if (d->nflags & NF_MEMORY)
        *err = "argument must be a memory value";
    else if (d->nflags & NF_OCTAL)
        *err = "argument couldn't be parsed as an octal number";
    else
        *err = "argument couldn't be parsed into an integer";
    return 0;
}

static int numCheckBounds(const configDef *d, long long v, const char **err) {
    static char buf[160];
    if (configNumIsUnsigned(d)) {
        unsigned long long u = (unsigned long long)v, lo = (unsigned long long)d->lo, hi = (unsigned long long)d->hi;
        if (u >= lo && u <= hi) return 1;
        snprintf(buf, sizeof(buf),
                 (d->nflags & NF_OCTAL) ? "argument must be between %llo and %llo inclusive"
                                        : "argument must be between %llu and %llu inclusive",
                 lo, hi);
    } else if ((d->nflags & NF_PERCENT) && v < 0) {
        if (v >= d->lo) return 1;
        snprintf(buf, sizeof(buf), "percentage argument must be less or equal to %lld", -d->lo);
    } else {
        if (v >= d->lo && v <= d->hi) return 1;
        snprintf(buf, sizeof(buf), "argument must be between %lld and %lld inclusive", d->lo, d->hi);
    }
    *err = buf;
    return 0;
}

static int enumParse(const configDef *d, bstr *argv, int argc, int *out) {
    int bitflags = (d->flags & CF_MULTI_ARG) != 0, val = 0;
    if (argc == 0 || (!bitflags && argc != 1)) return 0;
    for (int i = 0; i < argc; i++) {
        int found = 0;
        for (const configEnumItem *e = d->enums; e->name; e++)
            if (!strcasecmp(argv[i], e->name)) {
                val |= e->val;
                found = 1;
            }
        if (!found) return 0;
    }
    *out = val;
    return 1;
}

bstr configEnumName(const configDef *d, int val) {
    int bitflags = (d->flags & CF_MULTI_ARG) != 0, rest = val;
    bstr s = NULL;
    for (const configEnumItem *e = d->enums; e->name; e++) {
        if (e->val == val) {
            bstrFree(s);
            return bstrNew(e->name);
        }
        if (bitflags && e->val && (rest & e->val) == e->val) {
            s = s ? bstrCatPrintf(s, " %s", e->name) : bstrNew(e->name);
            rest &= ~e->val;
        }
    }
    if (!s || rest) {
        bstrFree(s);
        return bstrNew("unknown");
    }
    return s;
}

static void configInitDefault(const configDef *d) {
    switch (d->kind) {
    case K_BOOL:
    case K_ENUM: *(int *)d->ptr = (int)d->def; break;
    case K_NUM: numStore(d, d->def); break;
    case K_STR: {
        char **p = d->ptr;
        zfree(*p);
        *p = ((d->flags & CF_EMPTY_NULL) && !d->defstr) ? NULL : zstrdup(d->defstr ? d->defstr : "");
        break;
    }
    default: break;
    }
}

/* Sets the directive from already split arguments. 1 changed, 2 same, 0 error. */
static int configSetArgs(const configDef *d, bstr *argv, int argc, const char **err) {
    switch (d->kind) {
    case K_BOOL: {
        int v = yesnotoi(argv[0]);
        if (v == -1) {
            *err = "argument must be 'yes' or 'no'";
            return 0;
        }
        if (d->check_int && !d->check_int(v, err)) return 0;
        if (*(int *)d->ptr == v) return 2;
        *(int *)d->ptr = v;
        return 1;
    }
    case K_NUM: {
        long long v;
        if (!numParse(d, argv[0], &v, err) || !numCheckBounds(d, v, err)) return 0;
        if (d->check_int && !d->check_int(v, err)) return 0;
        if (configNumLoad(d) == v) return 2;
        numStore(d, v);
        return 1;
    }
    case K_STR: {
        if (d->check_str && !d->check_str(argv[0], err)) return 0;
        char **p = d->ptr;
        const char *nv = ((d->flags & CF_EMPTY_NULL) && argv[0][0] == '\0') ? NULL : argv[0];
        if ((*p == NULL && nv == NULL) || (*p && nv && !strcmp(*p, nv))) return 2;
        zfree(*p);
        *p = nv ? zstrdup(nv) : NULL;
        return 1;
    }
    case K_ENUM: {
        int v;
        if (!enumParse(d, argv, argc, &v)) {
            static char buf[256];
            bstr msg = bstrNew("argument(s) must be one of the following: ");
            for (const configEnumItem *e = d->enums; e->name; e++)
                msg = bstrCatPrintf(msg, "%s%s", e == d->enums ? "" : ", ", e->name);
            snprintf(buf, sizeof(buf), "%s", msg);
            bstrFree(msg);
            *err = buf;
            return 0;
        }
        if (d->check_int && !d->check_int(v, err)) return 0;
        if (*(int *)d->ptr == v) return 2;
        *(int *)d->ptr = v;
        return 1;
    }
    default: return d->sset(argv, argc, err);
    }
}

/* The CONFIG GET form of a directive's current value. */
bstr configGetString(const configDef *d) {
    char buf[64];
    switch (d->kind) {
    case K_BOOL: return bstrNew(*(int *)d->ptr ? "yes" : "no");
    case K_NUM: {
        long long v = configNumLoad(d);
        if ((d->nflags & NF_PERCENT) && v < 0)
            snprintf(buf, sizeof(buf), "%lld%%", -v);
        else if (d->nflags & NF_OCTAL)
            snprintf(buf, sizeof(buf), "%llo", (unsigned long long)v);
        else if ((d->nflags & NF_MEMORY) || configNumIsUnsigned(d))
            snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        else
            snprintf(buf, sizeof(buf), "%lld", v);
        return bstrNew(buf);
    }
    case K_STR: {
        char *s = *(char **)d->ptr;
        return bstrNew(s ? s : "");
    }
    case K_ENUM: return configEnumName(d, *(int *)d->ptr);
    default: return d->sget();
    }
}

/* Splits a CONFIG SET value the way Valkey does: multi-word directives on
 * single spaces, an empty value meaning no words. */
static bstr *splitSetValue(const configDef *d, const char *value, int *argc) {
    if (!(d->flags & CF_MULTI_ARG)) {
        bstr *v = zmalloc(sizeof(bstr));
        v[0] = bstrNew(value);
        *argc = 1;
        return v;
    }
    if (value[0] == '\0') {
        *argc = 0;
        return NULL;
    }
    return bstrSplitLen(value, (ssize_t)strlen(value), " ", 1, argc);
}

int configSetValue(const configDef *d, const char *value, const char **err) {
    int argc;
    bstr *argv = splitSetValue(d, value, &argc);
    int res = configSetArgs(d, argv, argc, err);
    bstrFreeSplit(argv, argc);
    return res;
}

/* ---------- public helpers ---------- */

int yesnotoi(const char *s) {
    if (!strcasecmp(s, "yes")) return 1;
    if (!strcasecmp(s, "no")) return 0;
    return -1;
}

const char *evictPolicyToString(void) {
    for (const configEnumItem *e = enum_maxmemory_policy; e->name; e++)
        if (e->val == server.maxmemory_policy) return e->name;
    return "unknown";
}

void initConfigValues(void) {
    for (const configDef *d = configTable; d->name; d++) configInitDefault(d);
    server.hz = server.config_hz;

    zfree(server.saveparams);
    static const saveparam save_defaults[] = {{3600, 1}, {300, 100}, {60, 10000}};
    server.saveparamslen = 3;
    server.saveparams = zmalloc(sizeof(save_defaults));
    memcpy(server.saveparams, save_defaults, sizeof(save_defaults));

    static const clientBufferLimitsConfig obuf_defaults[CLIENT_TYPE_OBUF_COUNT] = {
        {0, 0, 0}, {256ULL << 20, 64ULL << 20, 60}, {32ULL << 20, 8ULL << 20, 60}};
    memcpy(server.client_obuf_limits, obuf_defaults, sizeof(obuf_defaults));

    memcpy(server.oom_score_adj_values, configOomDefaults, sizeof(configOomDefaults));

    for (int j = 0; j < server.bindaddr_count; j++) zfree(server.bindaddr[j]);
    server.bindaddr[0] = zstrdup("*");
    server.bindaddr[1] = zstrdup("-::*");
    server.bindaddr_count = 2;

    zfree(server.latency_tracking_info_percentiles);
    server.latency_tracking_info_percentiles = zmalloc(sizeof(double) * 3);
    server.latency_tracking_info_percentiles[0] = 50.0;
    server.latency_tracking_info_percentiles[1] = 99.0;
    server.latency_tracking_info_percentiles[2] = 99.9;
    server.latency_tracking_info_percentiles_len = 3;

    server.notify_keyspace_events = 0;
    server.primary_host = NULL;
    server.primary_port = 6379;
    if (!server.config_user_lines) server.config_user_lines = listCreate();
    if (!server.config_renamed_commands) server.config_renamed_commands = listCreate();
}

int configSetFromString(const char *name, const char *value, bstr *err) {
    const char *errstr = NULL;
    const configDef *d = configLookup(name, NULL);
    if (!d) {
        *err = bstrCatPrintf(bstrEmpty(), "Unknown option '%s'", name);
        return -1;
    }
    int res = configSetValue(d, value, &errstr);
    if (res == 1 && d->apply) res = d->apply(&errstr);
    if (res == 0) {
        *err = bstrNew(errstr ? errstr : "invalid value");
        return -1;
    }
    return 0;
}

bstr configGetValueString(const char *name) {
    const configDef *d = configLookup(name, NULL);
    return d ? configGetString(d) : NULL;
}

/* ---------- loading valkey.conf ---------- */

static void configFatal(const char *err, int linenum, const char *line) {
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (Version %s) ***\n", VALKEY_VERSION);
    if (line) {
        fprintf(stderr, "Reading the configuration file, at line %d\n", linenum);
        fprintf(stderr, ">>> '%s'\n", line);
    }
    fprintf(stderr, "%s\n", err);
    exit(1);
}

/* Handles the directives that are not in the table. NULL on success, else the
 * error text. */
static const char *loadNonTableDirective(bstr *argv, int argc) {
    if (!strcasecmp(argv[0], "include") && argc == 2) {
        loadServerConfig(argv[1], 0, NULL);
        return NULL;
    }
    if (!strcasecmp(argv[0], "rename-command") && argc == 3) {
        /* Applied by the command registry once the table exists; an empty
         * new name removes the command. */
        listAddNodeTail(server.config_renamed_commands, bstrDup(argv[1]));
        listAddNodeTail(server.config_renamed_commands, bstrDup(argv[2]));
        return NULL;
    }
    if (!strcasecmp(argv[0], "user") && argc >= 2) {
        bstr line = bstrEmpty();
        for (int j = 1; j < argc; j++) {
            if (j > 1) line = bstrCat(line, " ");
            line = bstrCatBstr(line, argv[j]);
        }
        listAddNodeTail(server.config_user_lines, line);
        return NULL;
    }
    if (!strcasecmp(argv[0], "loadmodule") && argc >= 2) return "Modules are not supported by this server";
    if (!strcasecmp(argv[0], "sentinel")) {
        if (argc != 1 && !server.sentinel_mode) return "sentinel directive while not in sentinel mode";
        return NULL;
    }
    for (int j = 0; deprecatedDirectives[j].name; j++)
        if (!strcasecmp(argv[0], deprecatedDirectives[j].name) && argc == deprecatedDirectives[j].argc) return NULL;
    return "Bad directive or wrong number of arguments";
}

/* Applies one split line; returns the error text or NULL. */
static const char *loadDirective(bstr *argv, int argc) {
    const configDef *d = configLookup(argv[0], NULL);
    const char *err = NULL;
    if (!d) return loadNonTableDirective(argv, argc);
    if (!(d->flags & CF_MULTI_ARG) && argc != 2) return "wrong number of arguments";
    if ((d->flags & CF_MULTI_ARG) && argc == 2 && argv[1][0] != '\0') {
        /* --save "900 1 300 10" arrives as one word: split it again. */
        int n;
        bstr *words = bstrSplitArgs(argv[1], &n);
        if (!words) return "Unbalanced quotes in configuration line";
        int ok = configSetArgs(d, words, n, &err);
        bstrFreeSplit(words, n);
        return ok ? NULL : err;
    }
    return configSetArgs(d, argv + 1, argc - 1, &err) ? NULL : err;
}

static void loadServerConfigFromString(const char *config) {
    int nlines;
    bstr *lines = bstrSplitLen(config, (ssize_t)strlen(config), "\n", 1, &nlines);
    int prev_loading = loading_config_file;
    loading_config_file = 1;
    for (int i = 0; i < nlines; i++) {
        bstrTrim(lines[i], " \t\r\n");
        if (lines[i][0] == '#' || lines[i][0] == '\0') continue;
        int argc;
        bstr *argv = bstrSplitArgs(lines[i], &argc);
        if (!argv) configFatal("Unbalanced quotes in configuration line", i + 1, lines[i]);
        if (argc == 0) {
            bstrFreeSplit(argv, argc);
            continue;
        }
        bstrToLower(argv[0]);
        const char *err = loadDirective(argv, argc);
        if (err) configFatal(err, i + 1, lines[i]);
        bstrFreeSplit(argv, argc);
    }
    bstrFreeSplit(lines, nlines);
    loading_config_file = prev_loading;
}

static void configCheckAfterLoad(void) {
    if (server.logfile && server.logfile[0] != '\0') {
        FILE *fp = fopen(server.logfile, "a");
        if (!fp) {
            char buf[512];
            snprintf(buf, sizeof(buf), "Can't open the log file: %s", strerror(errno));
            configFatal(buf, 0, NULL);
        }
        fclose(fp);
    }
    if (server.cluster_enabled && server.primary_host)
        configFatal("replicaof directive not allowed in cluster mode", 0, NULL);
    if (server.cluster_enabled && server.dbnum > 1) {
        serverLog(LL_WARNING, "WARNING: Changing databases number from %d to 1 since we are in cluster mode",
                  server.dbnum);
        server.dbnum = 1;
    }
    applyHz(NULL);
}

bstr configReadWholeFile(FILE *fp, bstr into) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) into = bstrCatLen(into, buf, n);
    return into;
}

static bstr appendConfigFile(bstr config, const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        serverLog(LL_WARNING, "Fatal error, can't open config file '%s': %s", path, strerror(errno));
        exit(1);
    }
    config = configReadWholeFile(fp, config);
    fclose(fp);
    /* Keep the next file's first line from joining this file's last one. */
    if (bstrLen(config) && config[bstrLen(config) - 1] != '\n') config = bstrCat(config, "\n");
    return config;
}

void loadServerConfig(char *filename, char config_from_stdin, char *options) {
    static int depth;
    bstr config = bstrEmpty();
    if (filename) {
        if (strpbrk(filename, "*?[")) {
            /* A pattern that matches nothing is fine: conf.d may be empty. */
            glob_t g;
            if (glob(filename, 0, NULL, &g) == 0) {
                for (size_t i = 0; i < g.gl_pathc; i++) config = appendConfigFile(config, g.gl_pathv[i]);
                globfree(&g);
            }
        } else {
            config = appendConfigFile(config, filename);
        }
    }
    if (config_from_stdin) {
        serverLog(LL_NOTICE, "Reading config from stdin");
        config = configReadWholeFile(stdin, config);
    }
    if (options) {
        config = bstrCat(config, "\n");
        config = bstrCat(config, options);
    }
    depth++;
    loadServerConfigFromString(config);
    depth--;
    bstrFree(config);
    if (depth == 0) configCheckAfterLoad();
}
