/* RDB file framing, whole-dataset save/load, background saves and the
 * persistence commands. Value encodings live in rdb_object.c. */
#include "persist/rdb.h"
#include "persist/crc64.h"
#include "scripting/script.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RDB_AUTOSYNC_BYTES (1024 * 1024 * 4)
#define RDB_BGSAVE_RETRY_DELAY 5   /* seconds before a failed scheduled BGSAVE is retried */
#define RDB_RESIZE_HINT_MAX (1 << 20)

rdbReplInfo rdb_loaded_repl_info;
int rdb_loaded_repl_info_valid = 0;

static char rdb_load_error[512];
static int rdb_load_flags = 0;
static long long rdb_last_load_keys_expired = 0, rdb_last_load_keys_loaded = 0;
static time_t rdb_last_bgsave_duration = -1;

rdbLoadObserver *rdb_load_observer = NULL;
size_t rdb_load_error_offset = 0;

void rdbSetLoadError(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rdb_load_error, sizeof(rdb_load_error), fmt, ap);
    va_end(ap);
}

const char *rdbLastLoadError(void) { return rdb_load_error; }

/* ------------------------------------------------------------------ saving */

static ssize_t rdbSaveAuxField(rio *r, const char *key, const void *val, size_t vlen) {
    ssize_t n1, n2;
    if (rdbSaveType(r, RDB_OPCODE_AUX) == -1) return -1;
    if ((n1 = rdbSaveRawString(r, key, strlen(key))) == -1) return -1;
    if ((n2 = rdbSaveRawString(r, val, vlen)) == -1) return -1;
    return 1 + n1 + n2;
}

static ssize_t rdbSaveAuxFieldStr(rio *r, const char *key, const char *val) {
    return rdbSaveAuxField(r, key, val, strlen(val));
}

static ssize_t rdbSaveAuxFieldLongLong(rio *r, const char *key, long long v) {
    char buf[LONG_STR_SIZE + 1];
    int len = ll2string(buf, sizeof(buf), v);
    return rdbSaveAuxField(r, key, buf, (size_t)len);
}

static int rdbSaveInfoAuxFields(rio *r, int rdbflags, rdbReplInfo *ri) {
    if (rdbSaveAuxFieldStr(r, "valkey-ver", VALKEY_VERSION) == -1) return -1;
    if (rdbSaveAuxFieldLongLong(r, "redis-bits", sizeof(void *) == 8 ? 64 : 32) == -1) return -1;
    if (rdbSaveAuxFieldLongLong(r, "ctime", (long long)time(NULL)) == -1) return -1;
    if (rdbSaveAuxFieldLongLong(r, "used-mem", (long long)zmalloc_used_memory()) == -1) return -1;
    if (ri) {
        if (rdbSaveAuxFieldLongLong(r, "repl-stream-db", ri->repl_stream_db) == -1) return -1;
        if (rdbSaveAuxFieldStr(r, "repl-id", ri->repl_id) == -1) return -1;
        if (rdbSaveAuxFieldLongLong(r, "repl-offset", ri->repl_offset) == -1) return -1;
    }
    if (rdbSaveAuxFieldLongLong(r, "aof-base", (rdbflags & RDBFLAGS_AOF_PREAMBLE) != 0) == -1) return -1;
    return 0;
}

static int rdbPolicyIsLFU(void) {
    return server.maxmemory_policy == MAXMEMORY_ALLKEYS_LFU || server.maxmemory_policy == MAXMEMORY_VOLATILE_LFU;
}

static int rdbPolicyIsLRU(void) {
    return server.maxmemory_policy == MAXMEMORY_ALLKEYS_LRU || server.maxmemory_policy == MAXMEMORY_VOLATILE_LRU;
}

ssize_t rdbSaveKeyValuePair(rio *r, bstr key, obj *val, long long expiretime, int dbid) {
    (void)dbid;
    if (expiretime != -1) {
        if (rdbSaveType(r, RDB_OPCODE_EXPIRETIME_MS) == -1) return -1;
        if (rdbSaveMillisecondTime(r, expiretime) == -1) return -1;
    }
    /* Eviction metadata is only meaningful (and only saved) under the policy using it. */
    if (rdbPolicyIsLRU()) {
        uint64_t idle = estimateObjectIdleTime(val) / 1000;
        if (rdbSaveType(r, RDB_OPCODE_IDLE) == -1 || rdbSaveLen(r, idle) == -1) return -1;
    } else if (rdbPolicyIsLFU()) {
        unsigned char freq = (unsigned char)(val->lru & 0xFF);
        if (rdbSaveType(r, RDB_OPCODE_FREQ) == -1 || rioWrite(r, &freq, 1) == 0) return -1;
    }
    if (rdbSaveObjectType(r, val) == -1) return -1;
    if (rdbSaveRawString(r, key, bstrLen(key)) == -1) return -1;
    if (rdbSaveObject(r, val) == -1) return -1;
    if (server.rdb_key_save_delay > 0) usleep((useconds_t)server.rdb_key_save_delay);
    return 1;
}

/* Saving walks entries scattered over the whole heap, and each one used to
 * cost dependent cache misses (the entry, the value object it points to, the
 * value's bytes) before any work could start: about 40% of a 1 GB snapshot's
 * time. The window fetches entries SAVE_AHEAD ahead of the one being saved
 * and prefetches one level deeper at each stage (entry on entering, value
 * object at VAL_AT, value bytes at DATA_AT entries before its turn), so the
 * misses overlap the serialization and compression of the entries before. */
#define SAVE_AHEAD 16
#define VAL_AT 10
#define DATA_AT 5
typedef struct saveWindow {
    void *ring[SAVE_AHEAD];
    unsigned head, count;
} saveWindow;

static void saveWindowPush(saveWindow *w, kvtIterator *it) {
    void *e = kvtNext(it);
    if (!e) return;
    __builtin_prefetch(e);
    w->ring[(w->head + w->count++) % SAVE_AHEAD] = e;
}

static void saveWindowInit(saveWindow *w, kvtIterator *it) {
    w->head = w->count = 0;
    for (int i = 0; i < SAVE_AHEAD; i++) saveWindowPush(w, it);
}

static void *saveWindowNext(saveWindow *w, kvtIterator *it) {
    if (w->count == 0) return NULL;
    void *e = w->ring[w->head];
    w->head = (w->head + 1) % SAVE_AHEAD;
    w->count--;
    if (w->count > VAL_AT) __builtin_prefetch(dbEntryVal(w->ring[(w->head + VAL_AT) % SAVE_AHEAD]));
    if (w->count > DATA_AT) {
        obj *v = dbEntryVal(w->ring[(w->head + DATA_AT) % SAVE_AHEAD]);
        if (v->encoding == OBJ_ENCODING_RAW) __builtin_prefetch(objPtr(v));
    }
    saveWindowPush(w, it);
    return e;
}

static int rdbSaveDb(rio *r, int dbid) {
    serverDb *db = server.db + dbid;
    size_t keys = kvtSize(db->keys);
    if (keys == 0) return 0;
    if (rdbSaveType(r, RDB_OPCODE_SELECTDB) == -1 || rdbSaveLen(r, (uint64_t)dbid) == -1) return -1;
    if (rdbSaveType(r, RDB_OPCODE_RESIZEDB) == -1 || rdbSaveLen(r, keys) == -1 ||
        rdbSaveLen(r, htSize(db->expires)) == -1)
        return -1;
    kvtIterator it;
    void *e;
    kvtInitIterator(&it, db->keys);
    saveWindow w;
    saveWindowInit(&w, &it);
    int rc = 0;
    while ((e = saveWindowNext(&w, &it)) != NULL) {
        bstr key = dbEntryKey(e);
        long long expire = -1;
        if (htSize(db->expires)) {
            htEntry *ee = htFind(db->expires, key);
            if (ee) expire = ee->v.s64;
        }
        if (rdbSaveKeyValuePair(r, key, dbEntryVal(e), expire, dbid) == -1) {
            rc = -1;
            break;
        }
    }
    kvtResetIterator(&it);
    return rc;
}

static int rdbSaveFunctionCb(void *priv, const char *code, size_t len) {
    rio *r = priv;
    if (rdbSaveType(r, RDB_OPCODE_FUNCTION2) == -1) return -1;
    return rdbSaveRawString(r, code, len) == -1 ? -1 : 0;
}

int rdbSaveFunctions(rio *r) { return functionsForEachLibrary(rdbSaveFunctionCb, r); }

/* repl/ lowers this in a fork child that feeds a replica announcing an older
 * version (Redis 7.0 loads RDB <= 10); 0 = RDB_VERSION. */
int rdb_save_version_override = 0;

int rdbSaveRio(rio *r, int rdbflags, rdbReplInfo *ri) {
    char magic[16];
    rdb_codec_compression = server.rdb_compression;
    if (!server.rdb_checksum) r->update_cksum = NULL;
    snprintf(magic, sizeof(magic), "REDIS%04d", rdb_save_version_override ? rdb_save_version_override : RDB_VERSION);
    if (rioWrite(r, magic, 9) == 0) return RDB_ERR;
    if (rdbSaveInfoAuxFields(r, rdbflags, ri) == -1) return RDB_ERR;
    if (rdbSaveFunctions(r) == -1) return RDB_ERR;
    for (int j = 0; j < server.dbnum; j++)
        if (rdbSaveDb(r, j) == -1) return RDB_ERR;
    if (rdbSaveType(r, RDB_OPCODE_EOF) == -1) return RDB_ERR;
    uint64_t ck = server.rdb_checksum ? r->cksum : 0;
    unsigned char trailer[8];
    for (int i = 0; i < 8; i++) trailer[i] = (unsigned char)(ck >> (8 * i));
    if (rioWrite(r, trailer, 8) == 0) return RDB_ERR;
    return RDB_OK;
}

/* fsync the directory so the rename itself survives a crash. */
static void rdbFsyncDirOf(const char *filename) {
    char *copy = zstrdup(filename);
    int fd = open(dirname(copy), O_RDONLY);
    if (fd != -1) {
        fsync(fd);
        close(fd);
    }
    zfree(copy);
}

int rdbSaveToFileWithReplInfo(const char *filename, int rdbflags, rdbReplInfo *ri) {
    char tmpfile[256], cwd[1024];
    snprintf(tmpfile, sizeof(tmpfile), "temp-%d.rdb", (int)getpid());
    FILE *fp = fopen(tmpfile, "w");
    if (!fp) {
        int err = errno;
        const char *cwdp = getcwd(cwd, sizeof(cwd));
        serverLog(LL_WARNING, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmpfile,
                  cwdp ? cwdp : "unknown", strerror(err));
        errno = err;
        return RDB_ERR;
    }
    rio r;
    rioInitWithFile(&r, fp);
    if (server.rdb_save_incremental_fsync) rioSetAutoSync(&r, RDB_AUTOSYNC_BYTES);
    int ok = rdbSaveRio(&r, rdbflags, ri) == RDB_OK;
    if (ok && fflush(fp) != 0) ok = 0;
    if (ok && fsync(fileno(fp)) != 0) ok = 0;
    int err = errno;
    if (fclose(fp) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    if (!ok) {
        serverLog(LL_WARNING, "Write error saving DB on disk: %s", strerror(err));
        unlink(tmpfile);
        errno = err;
        return RDB_ERR;
    }
    if (rename(tmpfile, filename) == -1) {
        err = errno;
        const char *cwdp = getcwd(cwd, sizeof(cwd));
        serverLog(LL_WARNING, "Error moving temp DB file %s on the final destination %s (in server root dir %s): %s",
                  tmpfile, filename, cwdp ? cwdp : "unknown", strerror(err));
        unlink(tmpfile);
        errno = err;
        return RDB_ERR;
    }
    rdbFsyncDirOf(filename);
    return RDB_OK;
}

/* repl/ fills the replication position so a restarted replica can PSYNC. */
rdbReplInfo *replicationPopulateSaveInfo(rdbReplInfo *ri) __attribute__((weak));

int rdbSave(const char *filename) {
    rdbReplInfo ri;
    rdbReplInfo *rip = replicationPopulateSaveInfo ? replicationPopulateSaveInfo(&ri) : NULL;
    if (rdbSaveToFileWithReplInfo(filename, RDBFLAGS_NONE, rip) != RDB_OK) return RDB_ERR;
    serverLog(LL_NOTICE, "DB saved on disk");
    server.dirty = 0;
    server.lastsave = time(NULL);
    server.lastbgsave_status = RDB_OK;
    server.stat_rdb_saves++;
    return RDB_OK;
}

/* ----------------------------------------------------------------- loading */

void rdbObjectSetLRUOrLFU(obj *o, long long lfu_freq, long long lru_idle) {
    if (lfu_freq != -1 && rdbPolicyIsLFU()) {
        unsigned long minutes = (unsigned long)(time(NULL) / 60) & 65535;
        o->lru = (unsigned)((minutes << 8) | (unsigned long)(lfu_freq & 0xFF));
    } else if (lru_idle != -1 && rdbPolicyIsLRU()) {
        long long clock = LRU_CLOCK();
        long long ticks = lru_idle * 1000 / LRU_CLOCK_RESOLUTION;
        long long when = clock - ticks;
        if (when < 0) when += LRU_CLOCK_MAX + 1;   /* the clock wraps */
        if (when < 0) when = 0;
        o->lru = (unsigned)when & LRU_CLOCK_MAX;
    }
}

static void rdbLoadProgress(rio *r, const void *buf, size_t len) {
    if (server.rdb_checksum) rioGenericUpdateChecksum(r, buf, len);
    long long interval = server.loading_process_events_interval_bytes;
    if (interval <= 0) interval = 2 * 1024 * 1024;
    if ((r->processed_bytes + len) / (size_t)interval > r->processed_bytes / (size_t)interval) {
        server.loading_loaded_bytes = (off_t)(r->processed_bytes + len);
        if (rdb_load_flags & RDBFLAGS_STARTUP) processEventsWhileBlocked();
    }
}

static void rdbHandleAux(const char *k, size_t klen, const char *v, size_t vlen, rdbReplInfo *ri, int *has_repl) {
    if (klen == 14 && !memcmp(k, "repl-stream-db", 14)) {
        if (ri) ri->repl_stream_db = atoi(v);
        *has_repl = 1;
    } else if (klen == 7 && !memcmp(k, "repl-id", 7)) {
        if (ri && vlen == 40) {
            memcpy(ri->repl_id, v, 40);
            ri->repl_id[40] = '\0';
        }
        *has_repl = 1;
    } else if (klen == 11 && !memcmp(k, "repl-offset", 11)) {
        if (ri) ri->repl_offset = strtoll(v, NULL, 10);
        *has_repl = 1;
    } else if ((klen == 10 && !memcmp(k, "valkey-ver", 10)) || (klen == 9 && !memcmp(k, "redis-ver", 9))) {
        if (!(rdb_load_flags & RDBFLAGS_CHECK_ONLY)) serverLog(LL_NOTICE, "Loading RDB produced by version %s", v);
    } else if (klen == 5 && !memcmp(k, "ctime", 5)) {
        time_t age = time(NULL) - strtol(v, NULL, 10);
        if (age < 0) age = 0;
        if (!(rdb_load_flags & RDBFLAGS_CHECK_ONLY)) serverLog(LL_NOTICE, "RDB age %ld seconds", (long)age);
    } else if (klen == 8 && !memcmp(k, "used-mem", 8)) {
        if (!(rdb_load_flags & RDBFLAGS_CHECK_ONLY))
            serverLog(LL_NOTICE, "RDB memory usage when created %.2f Mb", (double)strtoll(v, NULL, 10) / (1024 * 1024));
    } else if ((klen == 8 && !memcmp(k, "aof-base", 8)) || (klen == 10 && !memcmp(k, "redis-bits", 10)) ||
               (klen == 3 && !memcmp(k, "lua", 3)) || (klen == 9 && !memcmp(k, "slot-info", 9))) {
        /* Known, nothing to restore. */
    } else {
        /* Forward compatibility: unknown aux fields are skipped. */
        if (!(rdb_load_flags & RDBFLAGS_CHECK_ONLY))
            serverLog(LL_DEBUG, "Unrecognized RDB AUX field: '%.*s'", (int)klen, k);
    }
}

/* Adds one loaded key; consumes key and val in every case. */
static int rdbLoadInsertKey(serverDb *db, bstr key, obj *val, long long expiretime, int rdbflags) {
    if (rdbflags & RDBFLAGS_CHECK_ONLY) {
        bstrFree(key);
        decrRefCount(val);
        return RDB_OK;
    }
    /* A key object only for the rare paths that need one (a replaced
     * duplicate, an expire): most keys are loaded without it. */
    obj *keyobj = expiretime != -1 ? createStringObject(key, bstrLen(key)) : NULL;
    if (!dbAddRDBLoad(db, key, val)) {
        if (rdbflags & RDBFLAGS_ALLOW_DUP) {
            if (!keyobj) keyobj = createStringObject(key, bstrLen(key));
            dbSyncDelete(db, keyobj);
            dbAddRDBLoad(db, key, val);   /* the failed add consumed nothing */
        } else {
            rdbSetLoadError("Duplicate key '%.*s' found in RDB file", (int)bstrLen(key), key);
            serverLog(LL_WARNING, "RDB has duplicated key '%.*s' in DB %d", (int)bstrLen(key), key, db->id);
            bstrFree(key);
            decrRefCount(val);
            if (keyobj) decrRefCount(keyobj);
            return RDB_ERR;
        }
    }
    if (keyobj) {
        setExpire(NULL, db, keyobj, expiretime);
        decrRefCount(keyobj);
    }
    return RDB_OK;
}

#define RDB_OBS(fn, ...) \
    do { if (rdb_load_observer && rdb_load_observer->fn) rdb_load_observer->fn(__VA_ARGS__); } while (0)

static int rdbShouldDeepSanitize(int rdbflags) {
    if (rdbflags & RDBFLAGS_CHECK_ONLY) return 1;
    return server.sanitize_dump_payload == SANITIZE_DUMP_YES;
}

/* A FUNCTION2 record: the library is created as FUNCTION LOAD would (a
 * duplicate replaces the existing one only under RDBFLAGS_ALLOW_DUP). The
 * checker only reads the record, as Valkey's does. */
static int rdbLoadFunction(const char *code, size_t len, int rdbflags) {
    if (rdbflags & RDBFLAGS_CHECK_ONLY) return 0;
    bstr err = NULL;
    if (functionsCreateLibrary(code, len, (rdbflags & RDBFLAGS_ALLOW_DUP) != 0, &err, NULL) == 0) return 0;
    rdbSetLoadError("Failed loading library, %s", err ? err : "Failed creating the library");
    serverLog(LL_WARNING, "%s", rdb_load_error);
    bstrFree(err);
    return -1;
}

/* The body of a load, after the header. RDB_OK at a valid EOF + checksum. */
static int rdbLoadBody(rio *r, int rdbver, int rdbflags, rdbReplInfo *ri) {
    serverDb *db = server.db;
    long long expiretime = -1, lfu_freq = -1, lru_idle = -1;
    long long now = mstime();
    int has_repl = 0, deep = rdbShouldDeepSanitize(rdbflags);
    rdb_last_load_keys_expired = rdb_last_load_keys_loaded = 0;
    for (;;) {
        size_t type_offset = r->processed_bytes;
        int type = rdbLoadType(r);
        if (type == -1) goto short_read;
        if (type == RDB_OPCODE_EXPIRETIME) {
            int32_t t = rdbLoadTime(r);
            if (rioGetReadError(r)) goto short_read;
            expiretime = (long long)t * 1000;
            continue;
        } else if (type == RDB_OPCODE_EXPIRETIME_MS) {
            expiretime = rdbLoadMillisecondTime(r, rdbver);
            if (rioGetReadError(r)) goto short_read;
            continue;
        } else if (type == RDB_OPCODE_FREQ) {
            unsigned char f;
            if (rioRead(r, &f, 1) == 0) goto short_read;
            lfu_freq = f;
            continue;
        } else if (type == RDB_OPCODE_IDLE) {
            uint64_t idle = rdbLoadLen(r, NULL);
            if (idle == RDB_LENERR) goto short_read;
            lru_idle = (long long)idle;
            continue;
        } else if (type == RDB_OPCODE_EOF) {
            break;
        } else if (type == RDB_OPCODE_SELECTDB) {
            uint64_t dbid = rdbLoadLen(r, NULL);
            if (dbid == RDB_LENERR) goto short_read;
            if (dbid >= (uint64_t)server.dbnum) {
                rdbSetLoadError("FATAL: Data file was created with a server configured to handle more than %d "
                                "databases. Exiting", server.dbnum);
                serverLog(LL_WARNING, "%s", rdb_load_error);
                return RDB_ERR;
            }
            db = server.db + dbid;
            RDB_OBS(on_db, (int)dbid, r->processed_bytes);
            continue;
        } else if (type == RDB_OPCODE_RESIZEDB) {
            uint64_t dbsize, expsize;
            if ((dbsize = rdbLoadLen(r, NULL)) == RDB_LENERR) goto short_read;
            if ((expsize = rdbLoadLen(r, NULL)) == RDB_LENERR) goto short_read;
            RDB_OBS(on_resize, dbsize, expsize, r->processed_bytes);
            /* A hint only: capped so a corrupt header cannot reserve gigabytes. */
            if (!(rdbflags & RDBFLAGS_CHECK_ONLY) && dbsize && kvtSize(db->keys) == 0)
                kvtExpand(db->keys, dbsize > RDB_RESIZE_HINT_MAX ? RDB_RESIZE_HINT_MAX : dbsize);
            continue;
        } else if (type == RDB_OPCODE_AUX) {
            size_t klen, vlen;
            char *k = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &klen);
            if (!k) goto short_read;
            char *v = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &vlen);
            if (!v) {
                zfree(k);
                goto short_read;
            }
            RDB_OBS(on_aux, k, klen, v, vlen, r->processed_bytes);
            rdbHandleAux(k, klen, v, vlen, ri, &has_repl);
            zfree(k);
            zfree(v);
            continue;
        } else if (type == RDB_OPCODE_MODULE_AUX) {
            rdbSetLoadError("The RDB file contains AUX module data I can't load: no matching module");
            serverLog(LL_WARNING, "%s", rdb_load_error);
            return RDB_ERR;
        } else if (type == RDB_OPCODE_FUNCTION_PRE_GA) {
            rdbSetLoadError("Pre-release function format not supported.");
            serverLog(LL_WARNING, "%s", rdb_load_error);
            return RDB_ERR;
        } else if (type == RDB_OPCODE_FUNCTION2) {
            RDB_OBS(on_function, r->processed_bytes);
            size_t flen;
            char *code = rdbGenericLoadStringRaw(r, RDB_LOAD_PLAIN, &flen);
            if (!code) goto short_read;
            if (rdbLoadFunction(code, flen, rdbflags) == -1) {
                zfree(code);
                return RDB_ERR;
            }
            zfree(code);
            continue;
        }
        if (!rdbIsObjectType(type)) {
            rdbSetLoadError("Unknown RDB encoding type %d", type);
            serverLog(LL_WARNING, "%s", rdb_load_error);
            return RDB_ERR;
        }
        /* A key-value pair. */
        size_t klen;
        bstr key = rdbGenericLoadStringRaw(r, RDB_LOAD_BSTR, &klen);
        if (!key) goto short_read;
        RDB_OBS(on_key, type, key, klen, type_offset, expiretime, now);
        if (!(rdbflags & RDBFLAGS_CHECK_ONLY)) kvtPrefetch(db->keys, key);   /* overlaps decoding the value */
        int error = 0;
        obj *val = rdbLoadObject(type, r, deep, &error);
        if (!val) {
            if (error == RDB_LOAD_ERR_EMPTY_KEY) {
                serverLog(LL_WARNING, "rdbLoadObject skipping empty key: %.*s", (int)klen, key);
                bstrFree(key);
                expiretime = lfu_freq = lru_idle = -1;
                continue;
            }
            if (!rdb_load_error[0]) rdbSetLoadError("Bad data format loading key '%.*s'", (int)klen, key);
            if (!(rdbflags & RDBFLAGS_CHECK_ONLY)) serverLog(LL_WARNING, "Error loading key '%.*s' (type %d): %s", (int)klen, key, type, rdb_load_error);
            bstrFree(key);
            return RDB_ERR;
        }
        rdbObjectSetLRUOrLFU(val, lfu_freq, lru_idle);
        int expired = server.primary_host == NULL && !(rdbflags & (RDBFLAGS_AOF_PREAMBLE | RDBFLAGS_KEEP_EXPIRED |
                                                                    RDBFLAGS_CHECK_ONLY)) &&
                      expiretime != -1 && expiretime < now;
        if (expired) {
            bstrFree(key);
            decrRefCount(val);
            rdb_last_load_keys_expired++;
        } else {
            if (rdbLoadInsertKey(db, key, val, expiretime, rdbflags) != RDB_OK) return RDB_ERR;
            rdb_last_load_keys_loaded++;
        }
        if (server.key_load_delay > 0) usleep((useconds_t)server.key_load_delay);
        expiretime = lfu_freq = lru_idle = -1;
    }
    /* The trailer: version 5+ files end with the CRC64 of everything before. */
    if (rdbver >= 5) {
        uint64_t expected = r->cksum;
        unsigned char buf[8];
        if (rioRead(r, buf, 8) == 0) goto short_read;
        uint64_t stored = 0;
        for (int i = 7; i >= 0; i--) stored = (stored << 8) | buf[i];
        if (server.rdb_checksum && !(rdbflags & RDBFLAGS_AOF_PREAMBLE)) {
            if (stored == 0) {
                if (!(rdbflags & RDBFLAGS_CHECK_ONLY))
                    serverLog(LL_NOTICE, "RDB file was saved with checksum disabled: no check performed.");
            } else if (stored != expected) {
                rdb_load_error_offset = r->processed_bytes;
                rdbSetLoadError("Wrong RDB checksum expected: (%llx) got (%llx). Aborting now.",
                                (unsigned long long)stored, (unsigned long long)expected);
                serverLog(LL_WARNING, "%s", rdb_load_error);
                return RDB_ERR;
            }
        }
        RDB_OBS(on_checksum, stored, r->processed_bytes);
    }
    if (has_repl && ri) {
        rdb_loaded_repl_info = *ri;
        rdb_loaded_repl_info_valid = 1;
    }
    return RDB_OK;

short_read:
    if (!rdb_load_error[0])
        rdbSetLoadError("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    serverLog(LL_WARNING, "Internal error in RDB reading offset %zu: %s", r->processed_bytes, rdb_load_error);
    return RDB_ERR;
}

void aofStopForFullSync(void) __attribute__((weak)); /* persist/aof.c */

int rdbLoadRio(rio *r, int rdbflags, rdbReplInfo *ri) {
    char buf[10];
    /* A replica replacing its dataset: the AOF restarts with a rewrite afterwards. */
    if ((rdbflags & RDBFLAGS_REPLICATION) && aofStopForFullSync) aofStopForFullSync();
    rdb_load_error[0] = '\0';
    rdb_load_error_offset = 0;
    rdb_load_flags = rdbflags;
    r->update_cksum = rdbLoadProgress;
    if (rioRead(r, buf, 9) == 0) {
        rdbSetLoadError("Short read or OOM loading DB. Unrecoverable error, aborting now.");
        serverLog(LL_WARNING, "%s", rdb_load_error);
        return RDB_ERR;
    }
    buf[9] = '\0';
    if (memcmp(buf, "REDIS", 5) != 0) {
        rdbSetLoadError("Wrong signature trying to load DB from file");
        serverLog(LL_WARNING, "%s", rdb_load_error);
        errno = EINVAL;
        return RDB_ERR;
    }
    int rdbver = atoi(buf + 5);
    if (rdbver < 1 || rdbver > RDB_VERSION) {
        rdbSetLoadError("Can't handle RDB format version %d", rdbver);
        serverLog(LL_WARNING, "%s", rdb_load_error);
        errno = EINVAL;
        return RDB_ERR;
    }
    RDB_OBS(on_version, rdbver, r->processed_bytes);
    int rc = rdbLoadBody(r, rdbver, rdbflags, ri);
    if (rc == RDB_OK || !rdb_load_error_offset) rdb_load_error_offset = r->processed_bytes;
    rdb_load_flags = 0;
    return rc;
}

static void rdbStartLoading(off_t size) {
    server.loading = 1;
    server.loading_start_time = time(NULL);
    server.loading_loaded_bytes = 0;
    server.loading_total_bytes = size;
}

static void rdbStopLoading(void) {
    server.loading = 0;
}

int rdbLoad(const char *filename, rdbReplInfo *ri, int rdbflags) {
    FILE *fp = fopen(filename, "r");
    if (!fp) return RDB_ERR;
    struct stat sb;
    off_t size = fstat(fileno(fp), &sb) == 0 ? sb.st_size : 0;
    rdbReplInfo local;
    if (!ri) {
        memset(&local, 0, sizeof(local));
        local.repl_stream_db = -1;
        ri = &local;
    }
    rio r;
    rioInitWithFile(&r, fp);
    if (!(rdbflags & RDBFLAGS_CHECK_ONLY)) rdbStartLoading(size);
    int rc = rdbLoadRio(&r, rdbflags, ri);
    if (!(rdbflags & RDBFLAGS_CHECK_ONLY)) rdbStopLoading();
    fclose(fp);
    if (rc != RDB_OK) errno = errno == ENOENT ? EINVAL : errno;
    return rc;
}

/* --------------------------------------------------------- background save */

void rdbRemoveTempFile(pid_t childpid) {
    char tmpfile[256];
    snprintf(tmpfile, sizeof(tmpfile), "temp-%d.rdb", (int)childpid);
    unlink(tmpfile);
}

pid_t rdbForkChild(int rdb_child_type) {
    long long start = ustime();
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: give up the resizing policy to keep pages shared. */
        signal(SIGUSR1, SIG_DFL);
        return 0;
    }
    if (pid == -1) return -1;
    server.stat_fork_time = ustime() - start;
    server.stat_total_forks++;
    server.child_pid = pid;
    server.child_type = CHILD_TYPE_RDB;
    server.rdb_child_type = rdb_child_type;
    server.rdb_save_time_start = time(NULL);
    htSetResizeEnabled(0);
    kvtSetResizeEnabled(0);
    return pid;
}

int rdbSaveBackground(const char *filename, rdbReplInfo *ri) {
    if (hasActiveChildProcess()) return RDB_ERR;
    server.dirty_before_bgsave = server.dirty;
    server.lastbgsave_try = time(NULL);
    pid_t pid = rdbForkChild(RDB_CHILD_TYPE_DISK);
    if (pid == 0) {
        int rc = rdbSaveToFileWithReplInfo(filename, RDBFLAGS_NONE, ri);
        _exit(rc == RDB_OK ? 0 : 1);
    }
    if (pid == -1) {
        server.lastbgsave_status = RDB_ERR;
        serverLog(LL_WARNING, "Can't save in background: fork: %s", strerror(errno));
        return RDB_ERR;
    }
    serverLog(LL_NOTICE, "Background saving started by pid %ld", (long)pid);
    return RDB_OK;
}

__attribute__((weak)) void updateReplicasWaitingBgsave(int bgsaveerr, int type) {
    (void)bgsaveerr;
    (void)type;
}

static void rdbResetChildState(void) {
    server.child_pid = -1;
    server.child_type = CHILD_TYPE_NONE;
    server.rdb_child_type = RDB_CHILD_TYPE_NONE;
    server.rdb_save_time_last = time(NULL) - server.rdb_save_time_start;
    rdb_last_bgsave_duration = server.rdb_save_time_last;
    server.rdb_save_time_start = -1;
    htSetResizeEnabled(1);
    kvtSetResizeEnabled(1);
}

static void rdbBackgroundSaveDone(pid_t pid, int exitcode, int bysignal) {
    int type = server.rdb_child_type;
    int err = 0;
    if (type == RDB_CHILD_TYPE_DISK) {
        if (!bysignal && exitcode == 0) {
            serverLog(LL_NOTICE, "Background saving terminated with success");
            server.dirty -= server.dirty_before_bgsave;
            server.lastsave = time(NULL);
            server.lastbgsave_status = RDB_OK;
            server.stat_rdb_saves++;
        } else if (!bysignal) {
            serverLog(LL_WARNING, "Background saving error");
            server.lastbgsave_status = RDB_ERR;
            err = 1;
        } else {
            serverLog(LL_WARNING, "Background saving terminated by signal %d", bysignal);
            rdbRemoveTempFile(pid);
            /* SIGUSR1 is how we cancel a child on purpose: not a save failure. */
            if (bysignal != SIGUSR1) server.lastbgsave_status = RDB_ERR;
            err = 1;
        }
    } else {
        if (!bysignal && exitcode == 0)
            serverLog(LL_NOTICE, "Background RDB transfer terminated with success");
        else if (!bysignal)
            serverLog(LL_WARNING, "Background transfer error");
        else
            serverLog(LL_WARNING, "Background transfer terminated by signal %d", bysignal);
        err = bysignal || exitcode;
    }
    rdbResetChildState();
    updateReplicasWaitingBgsave(err ? RDB_ERR : RDB_OK, type);
}

/* persist/aof.c, when linked in. */
void aofBackgroundRewriteDone(pid_t pid, int exitcode, int bysignal) __attribute__((weak));
int aofLoadAtStartup(void) __attribute__((weak));
bstr aofGenInfoStatus(bstr info) __attribute__((weak));
bstr aofGenInfoSizes(bstr info) __attribute__((weak));

void checkChildrenDone(void) {
    if (server.child_pid <= 0) return;
    int status;
    pid_t pid = waitpid(server.child_pid, &status, WNOHANG);
    if (pid <= 0) return;
    int exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (server.child_type == CHILD_TYPE_RDB) {
        rdbBackgroundSaveDone(pid, exitcode, bysignal);
    } else {
        int type = server.child_type;
        server.child_pid = -1;
        server.child_type = CHILD_TYPE_NONE;
        htSetResizeEnabled(1);
        kvtSetResizeEnabled(1);
        if (type == CHILD_TYPE_AOF && aofBackgroundRewriteDone) aofBackgroundRewriteDone(pid, exitcode, bysignal);
    }
}

int hasActiveChildProcess(void) { return server.child_pid > 0; }

void killRDBChild(void) {
    if (server.child_pid <= 0 || server.child_type != CHILD_TYPE_RDB) return;
    pid_t pid = server.child_pid;
    kill(pid, SIGUSR1);
    int status;
    waitpid(pid, &status, 0);
    if (server.rdb_child_type == RDB_CHILD_TYPE_DISK) rdbRemoveTempFile(pid);
    int type = server.rdb_child_type;
    rdbResetChildState();
    updateReplicasWaitingBgsave(RDB_ERR, type);
}

void rdbCron(void) {
    if (hasActiveChildProcess()) return;
    time_t now = time(NULL);
    if (server.rdb_bgsave_scheduled) {
        if (rdbSaveBackground(server.dbfilename, NULL) == RDB_OK) server.rdb_bgsave_scheduled = 0;
        return;
    }
    for (int j = 0; j < server.saveparamslen; j++) {
        saveparam *sp = server.saveparams + j;
        /* After a failed BGSAVE, retry only after a delay. */
        if (server.dirty >= sp->changes && now - server.lastsave > sp->seconds &&
            (now - server.lastbgsave_try > RDB_BGSAVE_RETRY_DELAY || server.lastbgsave_status == RDB_OK)) {
            serverLog(LL_NOTICE, "%d changes in %d seconds. Saving...", sp->changes, (int)sp->seconds);
            rdbSaveBackground(server.dbfilename, NULL);
            break;
        }
    }
}

int rdbLoadAtStartup(void) {
    /* With AOF on, the AOF files are the dataset; dump.rdb is ignored (as Valkey). */
    if (server.appendonly && aofLoadAtStartup) return aofLoadAtStartup();
    long long start = ustime();
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    ri.repl_stream_db = -1;
    errno = 0;
    if (rdbLoad(server.dbfilename, &ri, RDBFLAGS_STARTUP) == RDB_OK) {
        serverLog(LL_NOTICE, "Done loading RDB, keys loaded: %lld, keys expired: %lld.", rdb_last_load_keys_loaded,
                  rdb_last_load_keys_expired);
        serverLog(LL_NOTICE, "DB loaded from disk: %.3f seconds", (double)(ustime() - start) / 1000000);
        return 0;
    }
    if (errno == ENOENT) return 0;
    serverLog(LL_WARNING, "Fatal error loading the DB, check server logs. Exiting.");
    return -1;
}

int rdbSaveOnShutdown(void) {
    if (server.child_type == CHILD_TYPE_RDB) {
        serverLog(LL_WARNING, "There is a child saving an .rdb. Killing it!");
        killRDBChild();
    }
    serverLog(LL_NOTICE, "Saving the final RDB snapshot before exiting.");
    if (rdbSave(server.dbfilename) != RDB_OK) {
        serverLog(LL_WARNING, "Error trying to save the DB, can't exit.");
        return -1;
    }
    return 0;
}

int rdbWritesRefused(void) {
    return server.stop_writes_on_bgsave_err && server.saveparamslen > 0 && server.lastbgsave_status != RDB_OK;
}

const char *rdbWritesRefusedError(void) {
    return "MISCONF Valkey is configured to save RDB snapshots, but it's currently unable to persist to disk. "
           "Commands that may modify the data set are disabled, because this instance is configured to report "
           "errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the "
           "Valkey logs for details about the RDB error.";
}

/* ------------------------------------------------------------------- INFO */

bstr genInfoPersistence(bstr info) {
    time_t now = time(NULL);
    int bgsave = server.child_type == CHILD_TYPE_RDB && server.child_pid > 0;
    info = bstrCatPrintf(info,
                         "# Persistence\r\n"
                         "loading:%d\r\n"
                         "async_loading:%d\r\n"
                         "current_cow_peak:0\r\n"
                         "current_cow_size:0\r\n"
                         "current_cow_size_age:0\r\n"
                         "current_fork_perc:0.00\r\n"
                         "current_save_keys_processed:0\r\n"
                         "current_save_keys_total:0\r\n",
                         server.loading && !server.async_loading, server.async_loading);
    if (server.loading) {
        double perc = 0;
        off_t loaded = server.loading_loaded_bytes;
        if (server.loading_total_bytes) perc = ((double)loaded / (double)server.loading_total_bytes) * 100;
        time_t elapsed = now - server.loading_start_time;
        long eta = (elapsed == 0 || loaded == 0)
                       ? 1
                       : (long)((server.loading_total_bytes - loaded) / ((double)loaded / (double)elapsed));
        info = bstrCatPrintf(info,
                             "loading_start_time:%jd\r\n"
                             "loading_total_bytes:%lld\r\n"
                             "loading_rdb_used_mem:0\r\n"
                             "loading_loaded_bytes:%lld\r\n"
                             "loading_loaded_perc:%.2f\r\n"
                             "loading_eta_seconds:%ld\r\n",
                             (intmax_t)server.loading_start_time, (long long)server.loading_total_bytes,
                             (long long)loaded, perc, eta);
    }
    const char *status = server.lastbgsave_status == RDB_OK ? "ok" : "err";
    info = bstrCatPrintf(info,
                         "rdb_changes_since_last_save:%lld\r\n"
                         "rdb_bgsave_in_progress:%d\r\n"
                         "rdb_last_save_time:%jd\r\n"
                         "rdb_last_bgsave_status:%s\r\n"
                         "rdb_last_bgsave_time_sec:%jd\r\n"
                         "rdb_current_bgsave_time_sec:%jd\r\n"
                         "rdb_saves:%lld\r\n"
                         "rdb_last_cow_size:0\r\n"
                         "rdb_last_load_keys_expired:%lld\r\n"
                         "rdb_last_load_keys_loaded:%lld\r\n",
                         server.dirty, bgsave, (intmax_t)server.lastsave, status,
                         (intmax_t)rdb_last_bgsave_duration,
                         (intmax_t)(bgsave ? now - server.rdb_save_time_start : -1), server.stat_rdb_saves,
                         rdb_last_load_keys_expired, rdb_last_load_keys_loaded);
    if (aofGenInfoStatus) info = aofGenInfoStatus(info);
    else info = bstrCatPrintf(info, "aof_enabled:%d\r\n", server.appendonly ? 1 : 0);
    info = bstrCat(info, "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
    if (aofGenInfoSizes) info = aofGenInfoSizes(info);
    return info;
}

/* --------------------------------------------------------------- commands */

void saveCommand(client *c) {
    if (server.child_type == CHILD_TYPE_RDB && server.child_pid > 0) {
        addReplyError(c, "ERR Background save already in progress");
        return;
    }
    if (rdbSave(server.dbfilename) == RDB_OK) {
        addReply(c, shared.ok);
    } else {
        addReplyError(c, "ERR");
    }
}

void bgsaveCommand(client *c) {
    int schedule = 0;
    if (c->argc > 1) {
        if (c->argc == 2 && !strcasecmp(objPtr(c->argv[1]), "schedule")) {
            schedule = 1;
        } else {
            addReplyError(c, "ERR syntax error");
            return;
        }
    }
    if (server.child_type == CHILD_TYPE_RDB && server.child_pid > 0) {
        addReplyError(c, "ERR Background save already in progress");
    } else if (hasActiveChildProcess() || server.in_exec) {
        if (schedule || server.in_exec) {
            server.rdb_bgsave_scheduled = 1;
            addReplyStatus(c, "Background saving scheduled");
        } else {
            addReplyError(c, "ERR Another child process is active (AOF?): can't BGSAVE right now. "
                             "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
    } else if (rdbSaveBackground(server.dbfilename, NULL) == RDB_OK) {
        addReplyStatus(c, "Background saving started");
    } else {
        addReplyError(c, "ERR");
    }
}

void lastsaveCommand(client *c) { addReplyLongLong(c, (long long)server.lastsave); }

const serverCommandDef rdbCommandTable[] = {
    {"save", saveCommand, 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "server",
     "Synchronously saves the database(s) to disk.", "1.0.0", "O(N) where N is the total number of keys in all databases",
     NULL, NULL, ""},
    {"bgsave", bgsaveCommand, -1, "admin noscript no_async_loading", 0, 0, 0, "server",
     "Asynchronously saves the database(s) to disk.", "1.0.0", "O(1)", NULL, NULL, "[SCHEDULE]"},
    {"lastsave", lastsaveCommand, 1, "loading stale fast", 0, 0, 0, "server",
     "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", "O(1)", NULL, NULL, ""},
    {"dump", dumpCommand, 2, "readonly", 1, 1, 1, "generic",
     "Returns a serialized representation of the value stored at a key.", "2.6.0",
     "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Valkey objects "
     "composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) "
     "where M is small, so simply O(1).",
     NULL, NULL, "key"},
    {"restore", restoreCommand, -4, "write denyoom", 1, 1, 1, "generic",
     "Creates a key from the serialized representation of a value.", "2.6.0",
     "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of "
     "Valkey objects composing the value and M their average size. For small string values the time complexity is "
     "thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is "
     "O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
     NULL, NULL, "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"},
    {0}};
