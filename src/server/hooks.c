/* hooks: weak default implementations of the entry points that later layers
 * (persistence, replication, AOF, types) provide. A module that lands simply
 * defines the strong symbol; until then the server runs without it. */
#include "server/server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEAK __attribute__((weak))

WEAK bstr genInfoPersistence(bstr info) {
    return bstrCatPrintf(info, "# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:%lld\r\n"
                               "rdb_bgsave_in_progress:0\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
                               "aof_enabled:0\r\naof_rewrite_in_progress:0\r\n",
                         server.dirty, (long long)server.lastsave);
}
WEAK bstr genInfoReplication(bstr info) {
    return bstrCatPrintf(info, "# Replication\r\nrole:%s\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
                               "master_replid:%s\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
                               "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
                               "repl_backlog_size:%lld\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                         server.primary_host ? "slave" : "master", server.replid, server.repl_backlog_size);
}
WEAK void replicationCron(void) {}
WEAK void rdbCron(void) {}
WEAK void checkChildrenDone(void) {}
WEAK int rdbLoadAtStartup(void) { return 0; }
WEAK int rdbSaveOnShutdown(void) { return 0; }
WEAK int hasActiveChildProcess(void) { return 0; }
WEAK void replicationStartFromConfig(void) {}
WEAK void killRDBChild(void) {}
WEAK int rdbWritesRefused(void) { return 0; }
WEAK int replicaIsLinkDown(void) { return 0; }
WEAK void replicationFeedReplicas(int dictid, obj **argv, int argc) { (void)dictid; (void)argv; (void)argc; }
WEAK void feedAppendOnlyFile(int dictid, obj **argv, int argc) { (void)dictid; (void)argv; (void)argc; }
WEAK void replicationProxyPrimaryStream(client *c, const char *buf, long long len) { (void)c; (void)buf; (void)len; }
WEAK void replicationClientFreed(client *c) { (void)c; }
WEAK long long replicationCountAcksByOffset(long long offset) { (void)offset; return 0; }
WEAK int checkRdbMain(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "valkey-check-rdb is not available in this build\n");
    return 1;
}
WEAK int checkAofMain(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "valkey-check-aof: AOF is not supported by this build\n");
    return 1;
}
WEAK int performEvictions(void) { return server.maxmemory && zmalloc_used_memory() > server.maxmemory ? -1 : 0; }
WEAK size_t objectFreeEffort(obj *o) { return o->type == OBJ_STRING ? 1 : 1000; }

/* Type constructors and destructors: each type module defines the strong ones. */
WEAK void freeListObject(obj *o) { (void)o; serverPanic("list type not built"); }
WEAK void freeSetObject(obj *o) { (void)o; serverPanic("set type not built"); }
WEAK void freeZsetObject(obj *o) { (void)o; serverPanic("zset type not built"); }
WEAK void freeHashObject(obj *o) { (void)o; serverPanic("hash type not built"); }
WEAK void activeExpireCycle(int type) { (void)type; }
/* Minimal defaults so the core runs before server/config.c exists. */
WEAK void initConfigValues(void) {
    server.port = 6379;
    server.tcp_backlog = 511;
    server.dbnum = 16;
    server.config_hz = server.hz = 10;
    server.maxclients = 10000;
    server.proto_max_bulk_len = 512LL * 1024 * 1024;
    server.client_max_querybuf_len = 1024LL * 1024 * 1024;
    server.verbosity = LL_NOTICE;
    server.active_expire_enabled = 1;
    server.activerehashing = 1;
    server.maxmemory_samples = 5;
    server.lfu_log_factor = 10;
    server.lfu_decay_time = 1;
    server.slowlog_log_slower_than = 10000;
    server.slowlog_max_len = 128;
    server.hash_max_listpack_entries = 128;
    server.hash_max_listpack_value = 64;
    server.set_max_intset_entries = 512;
    server.set_max_listpack_entries = 128;
    server.set_max_listpack_value = 64;
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    server.list_max_listpack_size = -2;
    server.repl_backlog_size = 10 * 1024 * 1024;
    server.repl_timeout = 60;
    server.repl_ping_replica_period = 10;
    server.repl_serve_stale_data = 1;
    server.repl_replica_ro = 1;
    server.protected_mode = 1;
    server.client_obuf_limits[CLIENT_TYPE_REPLICA].hard_limit_bytes = 256ULL * 1024 * 1024;
    server.client_obuf_limits[CLIENT_TYPE_REPLICA].soft_limit_bytes = 64ULL * 1024 * 1024;
    server.client_obuf_limits[CLIENT_TYPE_REPLICA].soft_limit_seconds = 60;
    server.client_obuf_limits[CLIENT_TYPE_PUBSUB].hard_limit_bytes = 32ULL * 1024 * 1024;
    server.client_obuf_limits[CLIENT_TYPE_PUBSUB].soft_limit_bytes = 8ULL * 1024 * 1024;
    server.client_obuf_limits[CLIENT_TYPE_PUBSUB].soft_limit_seconds = 60;
    server.dbfilename = zstrdup("dump.rdb");
    server.rdb_compression = server.rdb_checksum = 1;
    server.stop_writes_on_bgsave_err = 1;
}
WEAK void loadServerConfig(char *filename, char config_from_stdin, char *options) {
    (void)filename;
    (void)config_from_stdin;
    int count = 0;
    bstr *lines = options ? bstrSplitLen(options, (ssize_t)strlen(options), "\n", 1, &count) : NULL;
    for (int i = 0; i < count; i++) {
        int argc;
        bstr *argv = bstrSplitArgs(lines[i], &argc);
        if (argv && argc == 2 && !strcasecmp(argv[0], "port")) server.port = atoi(argv[1]);
        if (argv && argc == 2 && !strcasecmp(argv[0], "loglevel")) server.verbosity = !strcasecmp(argv[1], "debug") ? LL_DEBUG : LL_NOTICE;
        bstrFreeSplit(argv, argc);
    }
    bstrFreeSplit(lines, count);
}
