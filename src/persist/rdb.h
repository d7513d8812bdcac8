/* rdb: RDB snapshots: the writer (version 11, as Valkey 8 writes), the loader
 * (versions 1..11), SAVE/BGSAVE/LASTSAVE, the `save` schedule and INFO
 * persistence. Invariant: dump.rdb is only ever replaced by rename() of a
 * fully written and fsynced temp file. */
#ifndef PERSIST_RDB_H
#define PERSIST_RDB_H
#include "server/server.h"
#include "persist/rio.h"
#include "persist/rdb_codec.h"

#define RDB_OK 0
#define RDB_ERR -1

/* rdbflags */
#define RDBFLAGS_NONE 0
#define RDBFLAGS_AOF_PREAMBLE (1 << 0)
#define RDBFLAGS_REPLICATION (1 << 1)   /* loading from / saving for a primary-replica sync */
#define RDBFLAGS_ALLOW_DUP (1 << 2)     /* a duplicate key replaces the existing one */
#define RDBFLAGS_KEEP_EXPIRED (1 << 3)  /* do not drop keys whose TTL passed */
#define RDBFLAGS_STARTUP (1 << 4)       /* serve events (LOADING replies) while loading */
#define RDBFLAGS_CHECK_ONLY (1 << 5)    /* valkey-check-rdb: parse, do not touch the keyspace */

/* fork children */
#define CHILD_TYPE_NONE 0
#define CHILD_TYPE_RDB 1
#define CHILD_TYPE_AOF 2
#define CHILD_TYPE_LDB 3
#define CHILD_TYPE_MODULE 4
#define RDB_CHILD_TYPE_NONE 0
#define RDB_CHILD_TYPE_DISK 1     /* writes dbfilename */
#define RDB_CHILD_TYPE_SOCKET 2   /* streams to replicas (repl/ owns the other end) */

/* Replication position saved in / restored from aux fields. */
typedef struct rdbReplInfo {
    int repl_stream_db;
    char repl_id[41];
    long long repl_offset;
} rdbReplInfo;

/* What the last load found in aux fields (for repl/ after a restart). */
extern rdbReplInfo rdb_loaded_repl_info;
extern int rdb_loaded_repl_info_valid;

/* Version written in the header when non-zero (repl/ sets it for old replicas). */
extern int rdb_save_version_override;

/* Whole-dataset streaming, used by files and by replication. */
int rdbSaveRio(rio *r, int rdbflags, rdbReplInfo *ri);
int rdbLoadRio(rio *r, int rdbflags, rdbReplInfo *ri);
/* File save: temp file, fsync, rename. RDB_OK / RDB_ERR (logged). */
int rdbSave(const char *filename);
int rdbSaveToFileWithReplInfo(const char *filename, int rdbflags, rdbReplInfo *ri);
/* File load into the current keyspace (does not empty it first). On error
 * errno is ENOENT for a missing file, otherwise the load failed midway. */
int rdbLoad(const char *filename, rdbReplInfo *ri, int rdbflags);
int rdbSaveBackground(const char *filename, rdbReplInfo *ri);
/* Forks for an RDB child and does the bookkeeping; returns like fork(). */
pid_t rdbForkChild(int rdb_child_type);
void rdbRemoveTempFile(pid_t childpid);
const char *rdbLastLoadError(void);

/* Values (shared with DUMP/RESTORE and the checker). */
int rdbSaveObjectType(rio *r, obj *o);
ssize_t rdbSaveObject(rio *r, obj *o);
#define RDB_LOAD_ERR_EMPTY_KEY 1
#define RDB_LOAD_ERR_OTHER 2
/* deep: validate compact blobs entry by entry (sanitize-dump-payload). */
obj *rdbLoadObject(int rdbtype, rio *r, int deep, int *error);
ssize_t rdbSaveKeyValuePair(rio *r, bstr key, obj *val, long long expiretime, int dbid);
void rdbSetLoadError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* LRU/LFU metadata as saved/loaded (object.c keeps the clocks). */
void rdbObjectSetLRUOrLFU(obj *o, long long lfu_freq, long long lru_idle);

/* processCommand asks this before running a write command; when it returns 1
 * reply with rdbWritesRefusedError() (the MISCONF text). */
int rdbWritesRefused(void);
const char *rdbWritesRefusedError(void);

/* Hooks for repl/: called when an RDB child ends (weak, may be absent). */
void updateReplicasWaitingBgsave(int bgsaveerr, int type);

void saveCommand(client *c);
void bgsaveCommand(client *c);
void lastsaveCommand(client *c);
/* Function libraries as FUNCTION2 records (opcode + code string), as Valkey
 * writes them after the aux fields. 0, or -1 on a write error. */
int rdbSaveFunctions(rio *r);

/* DUMP-style payloads: version (2 bytes LE) + CRC64 (8 bytes LE) footer. */
int dumpVerifyPayload(const unsigned char *p, size_t len);
bstr dumpFunctionsPayload(void);
int dumpForEachFunctionRecord(const char *p, size_t len,
                              int (*cb)(void *priv, const char *code, size_t len, bstr *err), void *priv,
                              bstr *err);

void dumpCommand(client *c);
void restoreCommand(client *c);
extern const serverCommandDef rdbCommandTable[];

/* Observer the checker installs to report what the loader walks over. */
typedef struct rdbLoadObserver {
    void (*on_version)(int rdbver, size_t offset);
    void (*on_aux)(const char *key, size_t klen, const char *val, size_t vlen, size_t offset);
    void (*on_db)(int dbid, size_t offset);
    void (*on_resize)(uint64_t keys, uint64_t expires, size_t offset);
    void (*on_key)(int type, const char *key, size_t klen, size_t offset, long long expire, long long now);
    void (*on_opcode)(const char *what, size_t offset);
    void (*on_checksum)(uint64_t stored, size_t offset);
    void (*on_function)(size_t offset);   /* a FUNCTION2 record starts */
} rdbLoadObserver;
extern rdbLoadObserver *rdb_load_observer;
extern size_t rdb_load_error_offset;

int checkRdbMain(int argc, char **argv);
#endif
