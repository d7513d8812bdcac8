/* server.h: the shared vocabulary of the server: value objects, databases,
 * clients, the command table entry, the global server state, and the APIs of
 * the reply builder (protocol/reply.c), keyspace (db/db.c), blocking
 * (db/blocking.c), propagation and logging. Commands include only this. */
#ifndef SERVER_H
#define SERVER_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>
#include <time.h>
#include <limits.h>
#include "core/zmalloc.h"
#include "core/util.h"
#include "core/eventloop.h"
#include "ds/bstr.h"
#include "ds/hashtable.h"
#include "ds/kvtable.h"
#include "ds/list.h"

#include "core/version.h"
#define SERVER_NAME_STR "valkey"

typedef long long mstime_t;
typedef long long ustime_t;

/* ---------- value objects ---------- */
#define OBJ_STRING 0
#define OBJ_LIST 1
#define OBJ_SET 2
#define OBJ_ZSET 3
#define OBJ_HASH 4
#define OBJ_STREAM 6

#define OBJ_ENCODING_RAW 0
#define OBJ_ENCODING_INT 1
#define OBJ_ENCODING_HT 2
#define OBJ_ENCODING_INTSET 6
#define OBJ_ENCODING_SKIPLIST 7
#define OBJ_ENCODING_EMBSTR 8
#define OBJ_ENCODING_QUICKLIST 9
#define OBJ_ENCODING_LISTPACK 11
#define OBJ_ENCODING_STREAM 10

#define OBJ_SHARED_REFCOUNT 0xFFFFFF /* refcount is 24 bits; OBJECT REFCOUNT reports INT_MAX */
#define OBJ_SHARED_INTEGERS 10000
#define OBJ_EMBSTR_SIZE_LIMIT 44
#define LRU_BITS 24
#define LRU_CLOCK_MAX ((1 << LRU_BITS) - 1)
#define LRU_CLOCK_RESOLUTION 1000

/* Header of every value. A keyspace entry holding a short string may be
 * "packed" (db.c): then the allocation ends after refcount, `packed` is the
 * 1-byte bstr header of the key that follows it directly, the value bstr comes
 * right after the key and there is no ptr_ field at all. So never read ptr_
 * directly: objPtr() works for both shapes; objSetPtr() refuses packed ones. */
typedef struct obj {
    unsigned type : 4;
    unsigned encoding : 4;
    unsigned lru : LRU_BITS;   /* LRU clock, or LFU: 16 bits minutes + 8 bits counter */
    unsigned refcount : 24;
    unsigned packed : 8;       /* 0, or the T5 header of the packed key (byte 7) */
    void *ptr_;                /* bstr for RAW/EMBSTR, (void*)long for INT, else the structure */
} obj;

#define OBJ_PACKED_HDR 8 /* bytes of header before a packed entry's key */

/* A packed entry's value: the T5 bstr right behind the key. */
static inline void *objPackedValue(const obj *o) { return (char *)o + OBJ_PACKED_HDR + (o->packed >> 3) + 1; }
static inline void *objPtr(const obj *o) { return o->packed ? objPackedValue(o) : o->ptr_; }
static inline void objSetPtr(obj *o, void *p) {
    if (o->packed) __builtin_trap(); /* a packed entry has no pointer slot */
    o->ptr_ = p;
}

obj *createObject(int type, void *ptr);
obj *createStringObject(const char *p, size_t len);   /* embstr when short */
obj *createRawStringObject(const char *p, size_t len);
obj *createEmbeddedStringObject(const char *p, size_t len);
obj *createStringObjectFromLongLong(long long v);     /* may return a shared integer */
obj *createStringObjectFromLongLongForValue(long long v); /* never shared when maxmemory LRU/LFU */
obj *createStringObjectFromLongDouble(long double v, int humanfriendly);
obj *createStringObjectFromBstr(bstr s);               /* takes ownership */
obj *dupStringObject(const obj *o);
obj *tryObjectEncoding(obj *o);                        /* int / embstr when possible */
obj *getDecodedObject(obj *o);                         /* RAW/EMBSTR view (new ref) */
size_t stringObjectLen(obj *o);
void incrRefCount(obj *o);
void decrRefCount(obj *o);
void decrRefCountVoid(void *o);
obj *makeObjectShared(obj *o);
int equalStringObjects(obj *a, obj *b);
int compareStringObjects(obj *a, obj *b);
int collateStringObjects(obj *a, obj *b);
/* Copies the string form of o into buf (for INT) or points *p at the bytes. */
const char *objStrPtr(obj *o, char *buf, size_t buflen, size_t *len);
int getLongLongFromObject(obj *o, long long *target);
int getLongDoubleFromObject(obj *o, long double *target);
int getDoubleFromObject(const obj *o, double *target);
const char *strEncoding(int encoding);
const char *strType(int type);
size_t objectComputeSize(obj *key, obj *o, size_t samples, int dbid);
void dismissObject(obj *o, size_t size_hint);
/* Type-owned constructors/destructors (implemented by each type's module). */
obj *createQuicklistObject(void);
obj *createListListpackObject(void);
obj *createSetObject(void);
obj *createIntsetObject(void);
obj *createSetListpackObject(void);
obj *createHashObject(void);
obj *createZsetObject(void);
obj *createZsetListpackObject(void);
void freeListObject(obj *o);
void freeSetObject(obj *o);
void freeZsetObject(obj *o);
void freeHashObject(obj *o);
void freeStreamObject(obj *o);

#define sdsEncodedObject(o) ((o)->encoding == OBJ_ENCODING_RAW || (o)->encoding == OBJ_ENCODING_EMBSTR)

/* ---------- databases ---------- */
typedef struct serverDb {
    kvtable *keys;        /* keyspace entries (dbEntryKey/dbEntryVal), see db.c */
    hashtable *expires;   /* bstr key (the one inside the entry) -> v.s64 unix ms */
    hashtable *blocking_keys;   /* obj key -> list of clients blocked on it */
    hashtable *ready_keys;      /* keys signalled during this command, dedupe */
    hashtable *watched_keys;    /* obj key -> list of clients WATCHing it */
    int id;
    long long avg_ttl;
    unsigned long expires_cursor;
} serverDb;

/* ---------- clients ---------- */
#define CLIENT_REPLICA (1ULL << 0)
#define CLIENT_PRIMARY (1ULL << 1)
#define CLIENT_MONITOR (1ULL << 2)
#define CLIENT_MULTI (1ULL << 3)
#define CLIENT_BLOCKED (1ULL << 4)
#define CLIENT_DIRTY_CAS (1ULL << 5)
#define CLIENT_CLOSE_AFTER_REPLY (1ULL << 6)
#define CLIENT_UNBLOCKED (1ULL << 7)
#define CLIENT_SCRIPT (1ULL << 8)
#define CLIENT_ASKING (1ULL << 9)
#define CLIENT_CLOSE_ASAP (1ULL << 10)
#define CLIENT_UNIX_SOCKET (1ULL << 11)
#define CLIENT_DIRTY_EXEC (1ULL << 12)
#define CLIENT_PENDING_WRITE (1ULL << 13)
#define CLIENT_REPLY_OFF (1ULL << 14)
#define CLIENT_REPLY_SKIP_NEXT (1ULL << 15)
#define CLIENT_REPLY_SKIP (1ULL << 16)
#define CLIENT_PROTECTED (1ULL << 17)
#define CLIENT_PUBSUB (1ULL << 18)
#define CLIENT_FAKE (1ULL << 19)      /* no socket: AOF/RDB loading, scripts */
#define CLIENT_NO_EVICT (1ULL << 20)
#define CLIENT_NO_TOUCH (1ULL << 21)
#define CLIENT_AUTHENTICATED (1ULL << 22)
#define CLIENT_PREVENT_PROP (1ULL << 23)
#define CLIENT_EXECUTING_COMMAND (1ULL << 24)
#define CLIENT_REPL_RDB_CHANNEL (1ULL << 25)  /* rdb channel of a dual-channel sync */
#define CLIENT_IN_TO_TABLE (1ULL << 26)
#define CLIENT_TRACKING (1ULL << 27)
#define CLIENT_REPROCESSING (1ULL << 28)      /* re-running a command after unblock */
#define CLIENT_LUA_DEBUG (1ULL << 29)
#define CLIENT_PENDING_COMMAND (1ULL << 30)   /* argv holds a postponed command to run */
#define CLIENT_READONLY (1ULL << 31)          /* READONLY: reads allowed despite CAPA redirect */
/* Client-side caching (server/tracking.c); CLIENT_TRACKING above says it is on. */
#define CLIENT_TRACKING_BROKEN_REDIR (1ULL << 32)  /* the redirect target went away */
#define CLIENT_TRACKING_BCAST (1ULL << 33)
#define CLIENT_TRACKING_OPTIN (1ULL << 34)
#define CLIENT_TRACKING_OPTOUT (1ULL << 35)
#define CLIENT_TRACKING_CACHING (1ULL << 36)       /* CLIENT CACHING given for the next command */
#define CLIENT_TRACKING_NOLOOP (1ULL << 37)
#define CLIENT_PUSHING (1ULL << 38)                /* writing a push: CLIENT REPLY OFF does not apply */
#define CLIENT_CAPA_REDIRECT (1ULL << 39)          /* CLIENT CAPA redirect: a replica answers -REDIRECT */
#define CLIENT_PRIMARY_FORCE_REPLY (1ULL << 40)    /* our primary's client: this reply (REPLCONF ACK) goes out */

#define BLOCKED_NONE 0
#define BLOCKED_LIST 1
#define BLOCKED_WAIT 2
#define BLOCKED_MODULE 3
#define BLOCKED_STREAM 4
#define BLOCKED_ZSET 5
#define BLOCKED_POSTPONE 6
#define BLOCKED_SHUTDOWN 7

#define PROTO_REQ_INLINE 1
#define PROTO_REQ_MULTIBULK 2
#define PROTO_IOBUF_LEN (1024 * 16)
#define PROTO_REPLY_CHUNK_BYTES (16 * 1024)
#define PROTO_INLINE_MAX_SIZE (1024 * 64)
#define PROTO_MBULK_BIG_ARG (1024 * 32)

typedef struct replyBlock {
    size_t size, used;
    char buf[];
} replyBlock;

struct serverCommand;
struct replBufBlock;

typedef struct multiState {
    struct multiCmd { obj **argv; int argc; struct serverCommand *cmd; } *commands;
    int count, alloc;
} multiState;

typedef struct blockingState {
    int btype;
    mstime_t timeout;            /* absolute unix ms, 0 = forever */
    hashtable *keys;             /* obj keys -> unused, the keys we wait on */
    int unblock_on_nokey;        /* also wake when the key is deleted (XREADGROUP-like) */
    long long numreplicas, reploffset;   /* WAIT */
} blockingState;

typedef struct client {
    uint64_t id;
    int fd;
    int resp;                    /* 2 or 3 */
    serverDb *db;
    obj *name;
    obj *lib_name, *lib_ver;
    bstr querybuf;
    size_t qb_pos;
    size_t querybuf_peak;
    int argc, argv_len;
    obj **argv;
    size_t argv_len_sum;
    struct serverCommand *cmd, *lastcmd, *realcmd;
    int reqtype;
    int multibulklen;
    long bulklen;
    list *reply;                 /* list of replyBlock* beyond buf */
    unsigned long long reply_bytes;
    size_t sentlen;
    char *buf;                   /* static first reply buffer */
    size_t bufpos, buf_usable_size;
    time_t ctime;
    mstime_t lastinteraction;
    time_t obuf_soft_limit_reached_time;
    uint64_t flags;
    int authenticated;
    bstr user;
    listNode *client_list_node;
    listNode *pending_write_node;
    listNode *unblocked_node;
    multiState mstate;
    blockingState bstate;
    list *watched_keys;
    hashtable *pubsub_channels;
    hashtable *pubsub_patterns;
    hashtable *pubsubshard_channels; /* SSUBSCRIBE; NULL until the first one */
    long long woff;              /* replication offset after this client's last propagated write (WAIT) */
    bstr peerid, sockname;
    int duration_cmd_start;
    long long duration;
    /* replication */
    int replstate;
    int repl_start_cmd_stream_on_ack;
    int repldbfd;
    off_t repldboff, repldbsize;
    bstr replpreamble;
    long long read_reploff, reploff, repl_applied;
    long long repl_ack_off, repl_aof_off;
    mstime_t repl_ack_time, repl_last_partial_write;
    long long psync_initial_offset;
    char replid[41];
    int replica_listening_port;
    char *replica_addr;
    int replica_capa;
    int replica_req;
    uint64_t associated_rdb_client_id;
    mstime_t rdb_client_disconnect_time;
    struct replBufBlock *ref_repl_buf_node;   /* shared backlog block this replica reads */
    size_t ref_block_pos;
    void *repl_priv;             /* repl/ module's per-client state */
    int conn_type;               /* 0 tcp, 1 unix, 2 tls */
    void *tls;
    size_t last_memory_usage;
    int last_memory_type;
    unsigned long long net_input_bytes, net_output_bytes;
    long long commands_processed;
    uint64_t tracking_redirect;  /* CLIENT TRACKING REDIRECT id, 0 for none */
    struct rax *tracking_prefixes;   /* BCAST prefixes (keys only), NULL when none */
} client;

/* ---------- commands ---------- */
#define CMD_WRITE (1ULL << 0)
#define CMD_READONLY (1ULL << 1)
#define CMD_DENYOOM (1ULL << 2)
#define CMD_MODULE (1ULL << 3)
#define CMD_ADMIN (1ULL << 4)
#define CMD_PUBSUB (1ULL << 5)
#define CMD_NOSCRIPT (1ULL << 6)
#define CMD_BLOCKING (1ULL << 8)
#define CMD_LOADING (1ULL << 9)
#define CMD_STALE (1ULL << 10)
#define CMD_SKIP_MONITOR (1ULL << 11)
#define CMD_SKIP_SLOWLOG (1ULL << 12)
#define CMD_ASKING (1ULL << 13)
#define CMD_FAST (1ULL << 14)
#define CMD_NO_AUTH (1ULL << 15)
#define CMD_MAY_REPLICATE (1ULL << 16)
#define CMD_SENTINEL (1ULL << 17)
#define CMD_ONLY_SENTINEL (1ULL << 18)
#define CMD_NO_MANDATORY_KEYS (1ULL << 19)
#define CMD_PROTECTED (1ULL << 20)
#define CMD_NO_ASYNC_LOADING (1ULL << 23)
#define CMD_NO_MULTI (1ULL << 24)
#define CMD_MOVABLE_KEYS (1ULL << 25)
#define CMD_ALLOW_BUSY (1ULL << 26)
#define CMD_TOUCHES_ARBITRARY_KEYS (1ULL << 28)

typedef void serverCommandProc(client *c);
/* For commands whose keys are not at fixed positions: fills keyidx, returns count. */
typedef int serverGetKeysProc(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys);

/* One row of the declarative command table. `flags` is a space separated list
 * of Valkey flag names ("write denyoom fast"), `acl` the ACL categories
 * ("@string @fast"); both are parsed once at startup. Subcommands are rows in
 * `subcommands` (container rows have proc NULL). */
typedef struct serverCommandDef {
    const char *name;
    serverCommandProc *proc;
    int arity;
    const char *flags;
    int firstkey, lastkey, keystep;
    const char *group;     /* "string", "list", "generic", "server", "connection", ... */
    const char *summary;
    const char *since;
    const char *complexity;
    serverGetKeysProc *getkeys;
    const struct serverCommandDef *subcommands;
    const char *args;      /* argument synopsis used by COMMAND DOCS / cli hints, e.g. "key value [NX|XX]" */
} serverCommandDef;

typedef struct serverCommand {
    const serverCommandDef *def;
    char *fullname;            /* "config|get" for subcommands */
    const char *name;
    serverCommandProc *proc;
    int arity, firstkey, lastkey, keystep;
    uint64_t flags;
    uint64_t acl_categories;
    struct serverCommand *parent;
    hashtable *subcommands;    /* lowercase name -> serverCommand* */
    long long calls, failed_calls, rejected_calls;
    long long microseconds;
    struct histogram *latency_histogram; /* ns per call, created at the first call (latency-tracking) */
    int id;
} serverCommand;

/* Each command family file defines one NULL-terminated table with this name
 * pattern and registers it in commands/registry.c. */
serverCommand *lookupCommand(obj **argv, int argc);
serverCommand *lookupCommandByCString(const char *s);
void serverForEachCommand(void (*fn)(serverCommand *cmd, void *arg), void *arg);
int getKeysFromCommand(serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys);
/* ACL categories (commands/registry.c): bit i of serverCommand.acl_categories
 * is category i; the name has no '@'. Index lookup is case-insensitive, -1 if
 * unknown; the name of an index past the last one is NULL. */
int commandAclCategoryIndex(const char *name);
const char *commandAclCategoryName(int idx);

/* ---------- ACL (security/acl.c) ---------- */
void aclInit(void);                 /* after initCommandTable: default user, user lines / aclfile (exits on errors) */
int aclAuthenticate(client *c, obj *username, obj *password);  /* 1: c now runs as that user; 0: logged failure */
int aclAuthRequired(client *c);      /* c must AUTH before running commands */
int aclNewClientIsAuthenticated(void);  /* default user is on and nopass */
int aclDefaultUserNoPass(void);
int aclUserExists(const char *name, size_t len);
int aclCheckClientCommand(client *c);   /* 1 allowed; 0 rejected (NOPERM reply sent, transaction flagged) */
/* For callers that run commands on a user's behalf (scripts): 1 allowed; 0
 * denied, logged to ACL LOG, *msg = a new bstr such as "User u has no
 * permissions to run the 'set' command" (no error code prefix). */
int aclCheckCommandPerm(client *c, serverCommand *cmd, obj **argv, int argc, int from_script, bstr *msg);
/* EXEC re-checks each queued command (rules may have changed since it was
 * queued): NULL if allowed, else the reason text for the NOPERM reply. */
const char *aclExecDenialReason(client *c);
void aclUpdateDefaultUserPassword(const char *pass);  /* requirepass: NULL = nopass */
/* CONFIG REWRITE: "user <name> <rules>" lines for every user, sorted by name
 * (*lines is a new array of new bstrs); 0 lines when an aclfile is in use. */
int aclUserConfigLines(bstr **lines);
/* INFO stats: denials so far by reason (1 command, 2 key, 3 auth, 4 channel). */
long long aclDeniedCount(int reason);

/* ---------- server state ---------- */
#define LL_DEBUG 0
#define LL_VERBOSE 1
#define LL_NOTICE 2
#define LL_WARNING 3
#define LL_NOTHING 4
#define LL_RAW (1 << 10)

/* Enumerated config values (server/config.c parses and prints them). */
#define SUPERVISED_NONE 0
#define SUPERVISED_AUTODETECT 1
#define SUPERVISED_SYSTEMD 2
#define SUPERVISED_UPSTART 3
#define AOF_FSYNC_NO 0
#define AOF_FSYNC_ALWAYS 1
#define AOF_FSYNC_EVERYSEC 2
#define REPL_DISKLESS_LOAD_DISABLED 0
#define REPL_DISKLESS_LOAD_WHEN_DB_EMPTY 1
#define REPL_DISKLESS_LOAD_SWAPDB 2
#define SANITIZE_DUMP_NO 0
#define SANITIZE_DUMP_YES 1
#define SANITIZE_DUMP_CLIENTS 2
#define PROTECTED_ACTION_ALLOWED_NO 0
#define PROTECTED_ACTION_ALLOWED_YES 1
#define PROTECTED_ACTION_ALLOWED_LOCAL 2
#define OOM_SCORE_ADJ_NO 0
#define OOM_SCORE_RELATIVE 1
#define OOM_SCORE_ADJ_ABSOLUTE 2
#define CONFIG_OOM_PRIMARY 0
#define CONFIG_OOM_REPLICA 1
#define CONFIG_OOM_BGCHILD 2
#define CONFIG_OOM_COUNT 3
#define PROPAGATION_ERR_BEHAVIOR_IGNORE 0
#define PROPAGATION_ERR_BEHAVIOR_PANIC 1
#define PROPAGATION_ERR_BEHAVIOR_PANIC_ON_REPLICAS 2
/* shutdown-on-sigint / shutdown-on-sigterm and SHUTDOWN's flags */
#define SHUTDOWN_NOFLAGS 0
#define SHUTDOWN_SAVE 1
#define SHUTDOWN_NOSAVE 2
#define SHUTDOWN_NOW 4
#define SHUTDOWN_FORCE 8
#define CONFIG_MIN_HZ 1
#define CONFIG_MAX_HZ 500
#define CONFIG_DEFAULT_HZ 10

/* Policy values carry flags in the low bits (what the object's lru field
 * tracks, whether keys without TTL are candidates) and an ordinal above. */
#define MAXMEMORY_FLAG_LRU (1 << 0)
#define MAXMEMORY_FLAG_LFU (1 << 1)
#define MAXMEMORY_FLAG_ALLKEYS (1 << 2)
#define MAXMEMORY_FLAG_NO_SHARED_INTEGERS (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU)
#define MAXMEMORY_VOLATILE_LRU ((0 << 8) | MAXMEMORY_FLAG_LRU)
#define MAXMEMORY_VOLATILE_LFU ((1 << 8) | MAXMEMORY_FLAG_LFU)
#define MAXMEMORY_VOLATILE_TTL (2 << 8)
#define MAXMEMORY_VOLATILE_RANDOM (3 << 8)
#define MAXMEMORY_ALLKEYS_LRU ((4 << 8) | MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_ALLKEYS_LFU ((5 << 8) | MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_ALLKEYS_RANDOM ((6 << 8) | MAXMEMORY_FLAG_ALLKEYS)
#define MAXMEMORY_NO_EVICTION (7 << 8)

#define CLIENT_TYPE_NORMAL 0
#define CLIENT_TYPE_REPLICA 1
#define CLIENT_TYPE_PUBSUB 2
#define CLIENT_TYPE_PRIMARY 3
#define CLIENT_TYPE_OBUF_COUNT 3

typedef struct clientBufferLimitsConfig {
    unsigned long long hard_limit_bytes, soft_limit_bytes;
    time_t soft_limit_seconds;
} clientBufferLimitsConfig;

#define CONFIG_BINDADDR_MAX 16
#define CONFIG_RUN_ID_SIZE 40

typedef struct saveparam { time_t seconds; int changes; } saveparam;

struct valkeyServer {
    /* general */
    pid_t pid;
    char *executable, *configfile, **exec_argv;
    int hz, config_hz;
    int dbnum;
    serverDb *db;
    hashtable *commands;         /* lowercase name -> serverCommand* */
    hashtable *orig_commands;
    eventLoop *el;
    _Atomic unsigned int lruclock;
    volatile int shutdown_asap;
    int shutdown_flags;
    int cronloops;
    char runid[CONFIG_RUN_ID_SIZE + 1];
    int sentinel_mode;
    time_t stat_starttime;
    mstime_t mstime;             /* cached, updated each loop iteration and command */
    ustime_t ustime;
    time_t unixtime;
    long long dirty;
    long long dirty_before_bgsave;
    int in_exec, in_script, loading, async_loading;
    int propagate_no_multi;
    client *current_client, *executing_client;
    int execution_nesting;
    /* networking */
    int port, tcp_backlog;
    char *bindaddr[CONFIG_BINDADDR_MAX];
    int bindaddr_count;
    char *unixsocket;
    unsigned int unixsocketperm;
    int ipfd[CONFIG_BINDADDR_MAX], ipfd_count;
    int tlsfd[CONFIG_BINDADDR_MAX], tlsfd_count;   /* tls-port listeners (core/tls.c) */
    int sofd;
    int tcpkeepalive;
    int protected_mode;
    int maxidletime;
    unsigned int maxclients;
    list *clients;
    list *clients_to_close;
    list *clients_pending_write;
    list *unblocked_clients;
    list *replicas, *monitors;
    hashtable *clients_index;    /* id -> client, for CLIENT KILL ID / UNBLOCK */
    uint64_t next_client_id;
    unsigned long blocked_clients, blocked_clients_by_type[8];
    list *ready_keys;            /* readyList* signalled since last handled */
    size_t client_max_querybuf_len;
    long long proto_max_bulk_len;
    clientBufferLimitsConfig client_obuf_limits[CLIENT_TYPE_OBUF_COUNT];
    int io_threads_num;
    int tcp_nodelay_disabled;
    /* logging */
    char *logfile;
    int verbosity;
    int syslog_enabled;
    char *syslog_ident;
    char *pidfile;
    int daemonize;
    int supervised, supervised_mode;
    char *proc_title_template;
    int always_show_logo;
    int crashlog_enabled;
    /* security */
    char *requirepass;
    int enable_debug_cmd, enable_config_cmd, enable_protected_configs, enable_module_cmd;
    /* limits & memory */
    unsigned long long maxmemory;
    int maxmemory_policy;
    int maxmemory_samples;
    int lfu_log_factor, lfu_decay_time;
    size_t stat_peak_memory;
    int active_expire_enabled;
    int active_expire_effort;
    int lazyfree_lazy_eviction, lazyfree_lazy_expire, lazyfree_lazy_server_del;
    int lazyfree_lazy_user_del, lazyfree_lazy_user_flush;
    int activerehashing;
    /* encodings */
    size_t hash_max_listpack_entries, hash_max_listpack_value;
    size_t set_max_intset_entries, set_max_listpack_entries, set_max_listpack_value;
    size_t zset_max_listpack_entries, zset_max_listpack_value;
    int list_max_listpack_size, list_compress_depth;
    size_t stream_node_max_bytes;
    long long stream_node_max_entries;
    /* persistence */
    char *dbfilename, *rdb_filename_dir;
    saveparam *saveparams;
    int saveparamslen;
    int rdb_compression, rdb_checksum, rdb_del_sync_files;
    int stop_writes_on_bgsave_err;
    int sanitize_dump_payload;
    pid_t child_pid;
    int child_type;
    time_t lastsave, lastbgsave_try;
    int lastbgsave_status;
    time_t rdb_save_time_start;
    time_t rdb_save_time_last;
    int rdb_child_type;
    int rdb_bgsave_scheduled;
    long long stat_rdb_saves;
    int appendonly;
    char *appendfilename, *appenddirname;
    int appendfsync;
    /* loading progress */
    off_t loading_total_bytes, loading_loaded_bytes;
    time_t loading_start_time;
    long long loading_process_events_interval_bytes;
    /* replication (state owned by repl/) */
    char *primary_host;
    int primary_port;
    char *primary_auth, *primary_user;
    int repl_state;
    char replid[CONFIG_RUN_ID_SIZE + 1];
    char replid2[CONFIG_RUN_ID_SIZE + 1];
    long long primary_repl_offset;
    long long second_replid_offset;
    int replica_seldb;
    long long repl_backlog_size;
    time_t repl_backlog_time_limit;
    int repl_timeout, repl_ping_replica_period;
    int repl_diskless_sync, repl_diskless_sync_delay, repl_diskless_sync_max_replicas;
    int repl_diskless_load;
    int dual_channel_replication;
    int repl_serve_stale_data, repl_replica_ro;
    int repl_min_replicas_to_write, repl_min_replicas_max_lag, repl_good_replicas_count;
    int replica_priority, replica_announced;
    char *replica_announce_ip;
    int replica_announce_port;
    int repl_disable_tcp_nodelay;
    client *primary;             /* the link to our primary when we are a replica */
    void *repl_priv;             /* repl/ module's global state */
    /* stats */
    long long stat_numcommands, stat_numconnections, stat_rejected_conn;
    long long stat_expiredkeys, stat_evictedkeys, stat_keyspace_hits, stat_keyspace_misses;
    long long stat_expired_stale_perc;
    long long stat_net_input_bytes, stat_net_output_bytes;
    long long stat_net_repl_input_bytes, stat_net_repl_output_bytes;
    long long stat_total_error_replies, stat_unexpected_error_replies;
    long long stat_client_qbuf_limit_disconnections, stat_client_outbuf_limit_disconnections;
    long long stat_sync_full, stat_sync_partial_ok, stat_sync_partial_err;
    long long stat_fork_time, stat_total_forks;
    long long stat_io_reads_processed, stat_io_writes_processed;
    long long stat_expire_cycle_time_used;
    size_t stat_current_cow_bytes;
    hashtable *errors;           /* error prefix -> count */
    /* notifications */
    int notify_keyspace_events;
    hashtable *pubsub_channels;
    hashtable *pubsub_patterns;
    /* slowlog / latency */
    list *slowlog;
    long long slowlog_entry_id, slowlog_log_slower_than;
    unsigned long slowlog_max_len;
    long long latency_monitor_threshold;
    /* misc */
    int lazyfree_lazy_user_flush_;
    int cluster_enabled;
    char *ignore_warnings;
    long long busy_reply_threshold;
    int set_proc_title;
    int jemalloc_bg_thread;
    int oom_score_adj;
    int disable_thp;
    char *locale_collate;
    int latency_tracking_enabled;
    size_t tracking_table_max_keys;
    unsigned long tracking_clients;    /* clients with CLIENT_TRACKING */
    int tracking_active;               /* any tracking state at all: the hot-path hooks test only this */
    int watching_clients;
    /* Config values no other field holds yet (server/config.c owns their
     * parsing; most are accepted and stored until a module acts on them). */
    int dynamic_hz;
    int syslog_facility;
    char *acl_filename;
    int acl_pubsub_default;
    unsigned long acllog_max_len;
    int io_threads_do_reads;
    int prefetch_batch_max_size;
    unsigned int max_new_conns_per_cycle, max_new_tls_conns_per_cycle;
    unsigned int socket_mark_id;
    char *unixsocketgroup;
    char *bind_source_addr;
    char *server_cpulist, *bio_cpulist, *aof_rewrite_cpulist, *bgsave_cpulist;
    char *availability_zone;
    int hide_user_data_from_log;
    int extended_redis_compat;
    int memcheck_enabled;
    int use_exit_on_panic;
    int debug_assert_enabled;
    int shutdown_timeout;
    int shutdown_on_sigint, shutdown_on_sigterm;
    int propagation_error_behavior;
    int maxmemory_eviction_tenacity;
    long long maxmemory_clients;       /* bytes, or -percent of maxmemory */
    size_t hll_sparse_max_bytes;
    int oom_score_adj_values[CONFIG_OOM_COUNT];
    double *latency_tracking_info_percentiles;
    int latency_tracking_info_percentiles_len;
    int watchdog_period;
    int rdb_key_save_delay, key_load_delay;  /* test hooks: slow down save/load per key (us) */
    int rdb_save_incremental_fsync;
    int repl_replica_lazy_flush, repl_replica_ignore_maxmemory, repl_ignore_disk_write_error;
    /* AOF */
    int aof_rewrite_perc;
    long long aof_rewrite_min_size;
    int aof_rewrite_incremental_fsync, aof_no_fsync_on_rewrite, aof_load_truncated;
    int aof_use_rdb_preamble, aof_timestamp_enabled, aof_disable_auto_gc;
    /* active defrag */
    int active_defrag_enabled;
    size_t active_defrag_ignore_bytes;
    int active_defrag_threshold_lower, active_defrag_threshold_upper;
    int active_defrag_cycle_min, active_defrag_cycle_max;
    unsigned long active_defrag_max_scan_fields;
    /* cluster (accepted; cluster mode is not implemented) */
    char *cluster_configfile;
    long long cluster_node_timeout, cluster_ping_interval;
    int cluster_port, cluster_announce_port, cluster_announce_bus_port, cluster_announce_tls_port;
    char *cluster_announce_ip, *cluster_announce_hostname, *cluster_announce_human_nodename;
    char *cluster_announce_client_ipv4, *cluster_announce_client_ipv6;
    int cluster_replica_validity_factor, cluster_migration_barrier;
    int cluster_require_full_coverage, cluster_replica_no_failover;
    int cluster_allow_reads_when_down, cluster_allow_pubsubshard_when_down;
    int cluster_allow_replica_migration, cluster_preferred_endpoint_type;
    int cluster_slot_stats_enabled;
    unsigned long long cluster_link_msg_queue_limit_bytes;
    /* TLS (accepted and stored; see docs/CONFIG.md) */
    int tls_port, tls_cluster, tls_replication, tls_auth_clients;
    int tls_prefer_server_ciphers, tls_session_caching;
    int tls_session_cache_size, tls_session_cache_timeout;
    char *tls_cert_file, *tls_key_file, *tls_key_file_pass, *tls_client_cert_file;
    char *tls_client_key_file, *tls_client_key_file_pass, *tls_dh_params_file;
    char *tls_ca_cert_file, *tls_ca_cert_dir, *tls_protocols, *tls_ciphers, *tls_ciphersuites;
    /* Directives only the config file knows (kept for the modules that use them). */
    list *config_user_lines;           /* bstr: arguments of each "user" line, space joined */
    list *config_renamed_commands;     /* bstr pairs: old name, new name ("" = removed) */
};

extern struct valkeyServer server;

/* Objects shared to avoid allocations in hot replies. */
struct sharedObjectsStruct {
    obj *crlf, *ok, *err, *emptybulk, *czero, *cone, *pong, *space, *queued, *null[4], *nullarray[4],
        *emptymap[4], *emptyset[4], *emptyarray, *wrongtypeerr, *nokeyerr, *syntaxerr, *sameobjecterr,
        *outofrangeerr, *noscripterr, *loadingerr, *slowevalerr, *slowscripterr, *bgsaveerr,
        *primarydownerr, *roreplicaerr, *execaborterr, *noautherr, *noreplicaserr, *busykeyerr,
        *oomerr, *plus, *messagebulk, *pmessagebulk, *subscribebulk, *unsubscribebulk,
        *psubscribebulk, *punsubscribebulk, *del, *unlink, *rpop, *lpop, *lpush, *rpoplpush,
        *lmove, *blmove, *zpopmin, *zpopmax, *emptyscan, *multi, *exec, *left, *right, *hset,
        *srem, *xgroup, *xclaim, *script, *replconf, *eval, *persist, *set, *pexpireat, *pexpire,
        *time, *pxat, *absttl, *retrycount, *force, *justid, *entriesread, *lastid, *ping,
        *setid, *keepttl, *load, *createconsumer, *getack, *special_asterick, *special_equals,
        *default_username, *redacted, *ssubscribebulk, *sunsubscribebulk, *smessagebulk,
        *select[16], *integers[OBJ_SHARED_INTEGERS], *mbulkhdr[32], *bulkhdr[32], *maphdr[32],
        *sethdr[32];
    bstr minstring, maxstring;
};
extern struct sharedObjectsStruct shared;

/* ---------- logging ---------- */
void serverLog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void serverLogRaw(int level, const char *msg);
void serverPanic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define serverAssert(e) ((e) ? (void)0 : serverPanic("Assertion failed: %s (%s:%d)", #e, __FILE__, __LINE__))

/* ---------- time ---------- */
ustime_t ustime(void);
mstime_t mstime(void);
mstime_t commandTimeSnapshot(void);   /* stable "now" for expiry during one command */
void updateCachedTime(void);
unsigned int getLRUClock(void);
unsigned int LRU_CLOCK(void);
unsigned long long estimateObjectIdleTime(obj *o);
/* LFU (db/db.c): the lru field holds 16 bits of minutes and an 8-bit log counter. */
#define LFU_INIT_VAL 5
unsigned long lfuTimeInMinutes(void);
unsigned long objectGetLFUFrequency(obj *o);   /* counter after decay */

/* ---------- reply building (protocol/reply.c) ---------- */
void addReply(client *c, obj *o);
void addReplyProto(client *c, const char *s, size_t len);
void addReplyBstr(client *c, bstr s);            /* raw protocol, takes ownership */
void addReplyBulk(client *c, obj *o);
void addReplyBulkCString(client *c, const char *s);
void addReplyBulkCBuffer(client *c, const void *p, size_t len);
void addReplyBulkBstr(client *c, bstr s);        /* takes ownership */
void addReplyBulkLongLong(client *c, long long ll);
void addReplyLongLong(client *c, long long ll);
void addReplyDouble(client *c, double d);       /* RESP3 double, RESP2 bulk */
void addReplyHumanLongDouble(client *c, long double d);
void addReplyBigNum(client *c, const char *num, size_t len);
void addReplyNull(client *c);                    /* $-1 / _ */
void addReplyNullArray(client *c);               /* *-1 / _ */
void addReplyBool(client *c, int b);             /* RESP2 :1/:0 */
void addReplyVerbatim(client *c, const char *s, size_t len, const char *ext);
void addReplyStatus(client *c, const char *status);
void addReplyStatusLength(client *c, const char *s, size_t len);
void addReplyStatusFormat(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Errors: the full text including the code, without '-' and CRLF, e.g.
 * addReplyError(c, "ERR syntax error"). Newlines are replaced by spaces. */
void addReplyError(client *c, const char *err);
void addReplyErrorLength(client *c, const char *err, size_t len);
void addReplyErrorFormat(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void addReplyErrorObject(client *c, obj *err);
void addReplyErrorArity(client *c);
void addReplyErrorExpireTime(client *c);
void addReplyErrorSdsSafe(client *c, bstr err);  /* takes ownership */
void addReplyArrayLen(client *c, long length);
void addReplyMapLen(client *c, long length);     /* RESP2: array of 2*length */
void addReplySetLen(client *c, long length);     /* RESP2: array */
void addReplyAttributeLen(client *c, long length);
void addReplyPushLen(client *c, long length);    /* RESP2: array */
void addReplyHelp(client *c, const char **help); /* NULL terminated lines */
void addReplySubcommandSyntaxError(client *c);
void addReplyLongLongWithPrefix(client *c, long long ll, char prefix);
/* Deferred lengths: reserve a slot, fill it once the count is known. */
void *addReplyDeferredLen(client *c);
void setDeferredArrayLen(client *c, void *node, long length);
void setDeferredMapLen(client *c, void *node, long length);
void setDeferredSetLen(client *c, void *node, long length);
void setDeferredReplyBulkBstr(client *c, void *node, bstr s);
void addReplyKeyValue(client *c, obj *key, obj *val);  /* helper for map entries */
size_t getClientOutputBufferMemoryUsage(client *c);
void copyReplicaOutputBuffer(client *dst, client *src);

/* Argument parsing helpers (reply the Valkey error and return -1 on failure, 0 ok). */
int getLongLongFromObjectOrReply(client *c, obj *o, long long *target, const char *msg);
int getLongFromObjectOrReply(client *c, obj *o, long *target, const char *msg);
int getIntFromObjectOrReply(client *c, obj *o, int *target, const char *msg);
int getRangeLongFromObjectOrReply(client *c, obj *o, long min, long max, long *target, const char *msg);
int getPositiveLongFromObjectOrReply(client *c, obj *o, long *target, const char *msg);
int getDoubleFromObjectOrReply(client *c, obj *o, double *target, const char *msg);
int getLongDoubleFromObjectOrReply(client *c, obj *o, long double *target, const char *msg);
/* Blocking timeouts: seconds as a double (fractional ok). Sets *timeout to the
 * absolute deadline in ms (0 = forever). */
int getTimeoutFromObjectOrReply(client *c, obj *o, mstime_t *timeout);

/* ---------- clients (protocol/networking.c) ---------- */
client *createClient(int fd);
void freeClient(client *c);
void freeClientAsync(client *c);
void resetClient(client *c);
void freeClientArgv(client *c);
void processInputBuffer(client *c);
void readQueryFromClient(eventLoop *el, int fd, void *privdata, int mask);
int writeToClient(client *c, int handler_installed);
int handleClientsWithPendingWrites(void);
int clientHasPendingReplies(client *c);
void clientInstallWriteHandlerIfNeeded(client *c);
const char *getClientPeerId(client *c);
const char *getClientSockname(client *c);
void unblockClientOnFree(client *c);
void pubsubUnsubscribeAllForClient(client *c);
int pubsubClientShardCount(client *c);
size_t pubsubShardChannelCount(void);
void afterErrorReply(client *c, const char *s, size_t len);
void replaceClientCommandVector(client *c, int argc, obj **argv);
void rewriteClientCommandVector(client *c, int argc, ...);
void rewriteClientCommandArgument(client *c, int i, obj *newval);
client *lookupClientByID(uint64_t id);
bstr catClientInfoString(bstr s, client *c);
int getClientType(client *c);
const char *getClientTypeName(int type);
int checkClientOutputBufferLimits(client *c);
void closeClientOnOutputBufferLimitReached(client *c, int async);
void disconnectReplicas(void);
void protectClient(client *c);
void unprotectClient(client *c);
void clientsCron(void);
void processEventsWhileBlocked(void);
int processCommand(client *c);   /* 0 when the client was freed */
void commandProcessed(client *c);
int anetNonBlock(int fd);

/* ---------- execution & propagation (server/call.c) ---------- */
#define CMD_CALL_NONE 0
#define CMD_CALL_PROPAGATE_AOF (1 << 0)
#define CMD_CALL_PROPAGATE_REPL (1 << 1)
#define CMD_CALL_PROPAGATE (CMD_CALL_PROPAGATE_AOF | CMD_CALL_PROPAGATE_REPL)
#define CMD_CALL_FULL CMD_CALL_PROPAGATE
#define PROPAGATE_NONE 0
#define PROPAGATE_AOF 1
#define PROPAGATE_REPL 2
void call(client *c, int flags);
/* Queue an extra command to propagate (as the effect of the current one). */
void alsoPropagate(int dbid, obj **argv, int argc, int target);
/* Do not propagate the current command verbatim (its effects were propagated via alsoPropagate). */
void preventCommandPropagation(client *c);
void propagatePendingCommands(void);
void postExecutionUnitOperations(void);
int mustObeyClient(client *c);
/* Propagation sink used by repl/ (and AOF): receives every command of one
 * execution unit, already wrapped in MULTI/EXEC when there is more than one. */
void replicationFeedReplicas(int dictid, obj **argv, int argc);
void feedAppendOnlyFile(int dictid, obj **argv, int argc);
void replicationFeedMonitors(client *c, list *monitors, int dictid, obj **argv, int argc);
/* Called (replica side) with the exact bytes of the primary's stream once applied. */
void replicationProxyPrimaryStream(client *c, const char *buf, long long len);
/* Called when a client with replication state is freed. */
void replicationClientFreed(client *c);

/* ---------- keyspace (db/db.c) ---------- */
#define LOOKUP_NONE 0
#define LOOKUP_NOTOUCH (1 << 0)
#define LOOKUP_NONOTIFY (1 << 1)
#define LOOKUP_NOSTATS (1 << 2)
#define LOOKUP_WRITE (1 << 3)
#define LOOKUP_NOEXPIRE (1 << 4)

#define SETKEY_KEEPTTL 1
#define SETKEY_NO_SIGNAL 2
#define SETKEY_ALREADY_EXIST 4
#define SETKEY_DOESNT_EXIST 8
#define SETKEY_ADD_OR_UPDATE 16

obj *lookupKey(serverDb *db, obj *key, int flags);
obj *lookupKeyRead(serverDb *db, obj *key);
obj *lookupKeyWrite(serverDb *db, obj *key);
obj *lookupKeyReadOrReply(client *c, obj *key, obj *reply);
obj *lookupKeyWriteOrReply(client *c, obj *key, obj *reply);
obj *lookupKeyReadWithFlags(serverDb *db, obj *key, int flags);
obj *lookupKeyWriteWithFlags(serverDb *db, obj *key, int flags);
/* A keyspace entry stores the key inside the value's allocation when it can:
 * after dbAdd/dbOverwrite/setKey, the stored object may be a copy of val, so
 * re-fetch with lookupKey* instead of keeping val to mutate it. */
bstr dbEntryKey(const void *entry);
obj *dbEntryVal(const void *entry);
/* Bytes the entry adds beyond what objectComputeSize counts for its value. */
size_t dbEntryKeyOverhead(const void *entry);
extern kvtType dbKeysType;
extern htType dbExpiresType;
void dbAdd(serverDb *db, obj *key, obj *val);   /* key must not exist; val ref is taken */
/* Consumes key and val when added (1); consumes nothing and returns 0 if the key exists. */
int dbAddRDBLoad(serverDb *db, bstr key, obj *val);
void dbOverwrite(serverDb *db, obj *key, obj *val);
void setKey(client *c, serverDb *db, obj *key, obj *val, int flags);
int dbExists(serverDb *db, obj *key);
obj *dbRandomKey(serverDb *db);
int dbDelete(serverDb *db, obj *key);
int dbSyncDelete(serverDb *db, obj *key);
int dbAsyncDelete(serverDb *db, obj *key);
int dbGenericDelete(serverDb *db, obj *key, int async, int flags);
obj *dbUnshareStringValue(serverDb *db, obj *key, obj *o);
long long emptyData(int dbnum, int flags, void(callback)(hashtable *));
/* scripting/function.c: drops every function library (weak: may be absent). */
void functionsFlushAll(void) __attribute__((weak));
long long dbTotalServerKeyCount(void);
size_t dbSize(serverDb *db);
int selectDb(client *c, int id);
int checkType(client *c, obj *o, int type);     /* replies WRONGTYPE, returns 1 if mismatched */
void signalModifiedKey(client *c, serverDb *db, obj *key);
void signalFlushedDb(int dbid, int async);
void touchWatchedKey(serverDb *db, obj *key);
void touchAllWatchedKeysInDb(serverDb *emptied, serverDb *replaced_with);
int isWatchedKeyExpired(client *c);
void unwatchAllKeys(client *c);
/* Expiry */
void setExpire(client *c, serverDb *db, obj *key, long long when);
int removeExpire(serverDb *db, obj *key);
long long getExpire(serverDb *db, obj *key);   /* -1 if none */
int keyIsExpired(serverDb *db, obj *key);
int expireIfNeeded(serverDb *db, obj *key, int flags);
void deleteExpiredKeyAndPropagate(serverDb *db, obj *keyobj);
void propagateDeletion(serverDb *db, obj *key, int lazy);
void activeExpireCycle(int type);
#define ACTIVE_EXPIRE_CYCLE_SLOW 0
#define ACTIVE_EXPIRE_CYCLE_FAST 1
int checkAlreadyExpired(long long when);
void flushAllDataAndResetRDB(int flags);
#define EMPTYDB_NO_FLAGS 0
#define EMPTYDB_ASYNC (1 << 0)
#define EMPTYDB_NOFUNCTIONS (1 << 1)
void freeObjAsync(obj *key, obj *o, int dbid);
int lazyfreeWouldDefer(obj *o);   /* freeObjAsync would hand o to the lazyfree thread */
void emptyDbAsync(serverDb *db);
size_t lazyfreeGetPendingObjectsCount(void);
size_t lazyfreeGetFreedObjectsCount(void);

/* SCAN cursors (commands/keys.c): replies "ERR invalid cursor" and returns -1
 * on a bad one. HSCAN/SSCAN/ZSCAN are served by their type owners. */
int parseScanCursorOrReply(client *c, obj *o, unsigned long *cursor);
/* Key lookup for OBJECT/DEBUG/MEMORY: no LRU touch, no notifications. */
obj *objectCommandLookup(client *c, obj *key);

/* Keyspace notifications (db/notify.c) */
#define NOTIFY_KEYSPACE (1 << 0)
#define NOTIFY_KEYEVENT (1 << 1)
#define NOTIFY_GENERIC (1 << 2)
#define NOTIFY_STRING (1 << 3)
#define NOTIFY_LIST (1 << 4)
#define NOTIFY_SET (1 << 5)
#define NOTIFY_HASH (1 << 6)
#define NOTIFY_ZSET (1 << 7)
#define NOTIFY_EXPIRED (1 << 8)
#define NOTIFY_EVICTED (1 << 9)
#define NOTIFY_STREAM (1 << 10)
#define NOTIFY_KEY_MISS (1 << 11)
#define NOTIFY_LOADED (1 << 12)
#define NOTIFY_MODULE (1 << 13)
#define NOTIFY_NEW (1 << 14)
#define NOTIFY_ALL (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)
void notifyKeyspaceEvent(int type, const char *event, obj *key, int dbid);
int keyspaceEventsStringToFlags(const char *classes);
bstr keyspaceEventsFlagsToString(int flags);
int pubsubPublishMessage(obj *channel, obj *message, int sharded);

/* ---------- blocking (db/blocking.c) ----------
 * A command that cannot be served now calls blockForKeys() and returns without
 * replying. When a key it waits on is signalled ready (signalKeyAsReady, called
 * by pushes/adds and by key creation), the blocked clients are re-run in FIFO
 * order by re-executing their command: if the command blocks again the client
 * keeps its place in the queue. Timeouts reply a null array (RESP2 *-1). */
void blockForKeys(client *c, int btype, obj **keys, int numkeys, mstime_t timeout, int unblock_on_nokey);
void blockClient(client *c, int btype);
void unblockClient(client *c, int queue_for_reprocessing);
void replyToBlockedClientTimedOut(client *c);
void signalKeyAsReady(serverDb *db, obj *key, int type);
void signalDeletedKeyAsReady(serverDb *db, obj *key, int type);
void handleClientsBlockedOnKeys(void);
void handleBlockedClientsTimeout(void);
void processUnblockedClients(void);
void disconnectAllBlockedClients(void);
int blockedBeforeSleep(void);
int clientIsBlockedOnReprocess(client *c);
void blockedClientTimeoutCheck(void);
void updateStatsOnUnblock(client *c, long blocked_us, long reply_us, int had_errors);
void unblockClientOnTimeout(client *c);
void unblockClientOnError(client *c, const char *err_str);
void totalNumberOfStatefulKeys(unsigned long *blocking_keys, unsigned long *blocking_keys_on_nokey, unsigned long *watched_keys);
void blockPostponeClient(client *c);
void unblockPostponedClients(void);

/* ---------- latency monitor (server/latency.c) ----------
 * Events ("command", "fast-command", "expire-cycle", ...) record a sample only
 * when latency-monitor-threshold is set and the duration reaches it. */
void latencyAddSample(const char *event, mstime_t latency_ms);
void latencyAddSampleIfNeeded(const char *event, mstime_t latency_ms);

/* ---------- client pause (server/pause.c) ----------
 * CLIENT PAUSE: while a pause is on, a client's command that the pause covers
 * (all commands, or only writes and may-replicate ones) is postponed as a
 * BLOCKED_POSTPONE client and re-run when the pause ends. Expiry and eviction
 * stand still during any pause, so the dataset cannot change under it. */
#define PAUSE_NONE 0
#define PAUSE_WRITE 1
#define PAUSE_ALL 2
void pauseClients(mstime_t end, int type);
void unpauseClients(void);
int pauseActiveType(void);            /* PAUSE_NONE once the end time passed */
int pauseDatasetFrozen(void);         /* expiry/eviction must not touch keys */
int pauseShouldPostpone(client *c, int may_replicate);
void pauseCheckEnd(void);             /* before sleep: resume clients once over */
void pauseForFailover(int on);        /* FAILOVER's write pause, apart from CLIENT PAUSE */
/* Per-command latency histograms (server/latency.c): LATENCY HISTOGRAM, INFO latencystats. */
void latencyTrackCommand(serverCommand *cmd, ustime_t duration_us);
void latencyResetCommandHistogram(serverCommand *cmd);
bstr latencyInfoStats(bstr info);
void failoverCron(void);              /* repl/failover.c, every server cron tick */

/* ---------- client-side caching (server/tracking.c) ----------
 * Default mode remembers, per key name (not per database, as in Valkey), the
 * ids of tracking clients that read it; the first write to the key sends them
 * one invalidation and forgets the entry. BCAST clients instead get every
 * modified key under their prefixes, batched once per event-loop pass.
 * Callers test server.tracking_active before calling the hooks. */
void clientTrackingCommand(client *c);       /* CLIENT TRACKING */
void clientCachingCommand(client *c);        /* CLIENT CACHING */
void clientGetredirCommand(client *c);       /* CLIENT GETREDIR */
void clientTrackingInfoCommand(client *c);   /* CLIENT TRACKINGINFO */
void disableTracking(client *c);
void trackingAfterCall(client *c);           /* call(): remember read keys, flush own invalidations */
void trackingInvalidateKey(client *c, obj *key, int bcast);
void trackingInvalidateKeysOnFlush(int async);
void trackingBroadcastInvalidations(void);   /* before sleep */
void trackingLimitUsedSlots(void);           /* tracking-table-max-keys */
void trackingResetCachingFlag(client *c);    /* the CACHING flag covers one command or transaction */
unsigned long long trackingGetTotalItems(void);
unsigned long long trackingGetTotalKeys(void);
unsigned long long trackingGetTotalPrefixes(void);

/* MULTI (commands/multi.c) */
void initClientMultiState(client *c);
void freeClientMultiState(client *c);
void queueMultiCommand(client *c, uint64_t cmd_flags);
void discardTransaction(client *c);
void flagTransaction(client *c);
void execCommandAbort(client *c, bstr error);

/* ---------- config (server/config.c) ---------- */
void loadServerConfig(char *filename, char config_from_stdin, char *options);
void initConfigValues(void);
/* Sets one directive as CONFIG SET would (apply hooks included, immutability
 * ignored). 0 on success, -1 with *err set (a new bstr the caller frees). */
int configSetFromString(const char *name, const char *value, bstr *err);
/* Returns the CONFIG GET value of a directive as a new bstr, NULL if unknown. */
bstr configGetValueString(const char *name);
const char *evictPolicyToString(void);
int yesnotoi(const char *s);
/* Hooks the core implements (config.c calls them weakly; missing = not supported):
 * rebind the TCP listener(s) after CONFIG SET port/bind; 0 ok, -1 failed
 * (the old listener must be left untouched on failure). */
int changeListenPort(int port);
int changeBindAddr(void);
void resetServerStats(void);   /* CONFIG RESETSTAT */

/* ---------- hooks that later layers implement (weak no-ops until then) ---------- */
bstr genInfoPersistence(bstr info);
bstr genInfoReplication(bstr info);
void replicationCron(void);
void replFlushReplicaStreams(void);   /* repl/primary.c, before the event loop sleeps */
void rdbCron(void);
void checkChildrenDone(void);
int rdbLoadAtStartup(void);      /* 0 ok or no file, -1 fatal */
int rdbSaveOnShutdown(void);     /* 0 ok */
int hasActiveChildProcess(void);
void replicationStartFromConfig(void);
void killRDBChild(void);

/* ---------- eviction (db/evict.c) ----------
 * performEvictions: 0 under maxmemory (or eviction continues from a timer),
 * -1 when still over it after trying (deny-oom commands then get OOM). */
int performEvictions(void);
size_t freeMemoryGetNotCountedMemory(void);
void evictStartTimeProc(void);     /* evict in the background (CONFIG SET maxmemory) */
long long evictExceededTimeMs(int current);   /* INFO: total (0) / current (1) */

/* ---------- misc ---------- */
int stringmatchlen(const char *pattern, int patternLen, const char *string, int stringLen, int nocase);
int stringmatch(const char *pattern, const char *string, int nocase);
void bytesToHuman(char *s, size_t size, unsigned long long n);
bstr genValkeyInfoString(bstr section);
long long getInstantaneousMetric(int metric);
#define serverCommandNotFound(c)

#endif
