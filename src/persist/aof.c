/* aof: propagation into the incr file, fsync policy, loading at startup,
 * BGREWRITEAOF (fork child writes a new RDB base) and the manifest. See aof.h
 * for the invariants. */
#include "persist/aof.h"
#include "persist/rdb.h"
#include "scripting/script.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void htSetResizeEnabled(int enabled);
void kvtSetResizeEnabled(int enabled);
bstr dumpCreatePayload(obj *o);

/* ------------------------------------------------------------ manifest */

typedef struct aofFile {
    bstr name;
    long long seq;
} aofFile;

typedef struct aofManifest {
    aofFile base;  /* name NULL when there is no base */
    aofFile *incr;
    int nincr;
    long long base_seq, incr_seq; /* highest sequence numbers ever used */
} aofManifest;

static struct {
    int state;
    int fd;                 /* incr file we append to, -1 when none */
    bstr buf;               /* propagated, not yet written */
    int selected_db;
    aofManifest *am;
    long long current_size, base_size;
    time_t last_fsync;
    int unsynced;           /* bytes written since the last fsync */
    int last_write_ok;
    int rewrite_scheduled;
    time_t rewrite_start;
    time_t last_rewrite_secs;
    int last_rewrite_ok;
    long long rewrites, rewrite_failures;
    long long rewrite_incr_seq; /* incr opened at fork time; 0 when none */
    int rewrite_rdb;            /* the running rewrite writes an RDB base (else RESP) */
    time_t last_ts_annotation;
} aof = {.fd = -1, .selected_db = -1, .last_write_ok = 1, .last_rewrite_ok = 1, .last_rewrite_secs = -1};

static aofManifest *manifestNew(void) { return zcalloc(sizeof(aofManifest)); }

static void manifestFree(aofManifest *am) {
    if (!am) return;
    if (am->base.name) bstrFree(am->base.name);
    for (int i = 0; i < am->nincr; i++) bstrFree(am->incr[i].name);
    zfree(am->incr);
    zfree(am);
}

static void manifestAddIncr(aofManifest *am, bstr name, long long seq) {
    am->incr = zrealloc(am->incr, sizeof(aofFile) * (size_t)(am->nincr + 1));
    am->incr[am->nincr].name = name;
    am->incr[am->nincr].seq = seq;
    am->nincr++;
    if (seq > am->incr_seq) am->incr_seq = seq;
}

static bstr aofPath(const char *name) { return bstrCatPrintf(bstrEmpty(), "%s/%s", server.appenddirname, name); }
static bstr manifestName(void) { return bstrCatPrintf(bstrEmpty(), "%s.manifest", server.appendfilename); }

/* Parses one "file <name> seq <n> type <b|h|i>" line into am. 0 ok, -1 bad. */
static int manifestParseLine(aofManifest *am, const char *line) {
    int argc;
    bstr *argv = bstrSplitArgs(line, &argc);
    if (!argv) return -1;
    bstr name = NULL;
    long long seq = -1;
    char type = 0;
    int ok = argc >= 6 && argc % 2 == 0;
    for (int i = 0; ok && i < argc; i += 2) {
        if (!strcmp(argv[i], "file")) name = argv[i + 1];
        else if (!strcmp(argv[i], "seq")) seq = strtoll(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "type")) type = bstrLen(argv[i + 1]) == 1 ? argv[i + 1][0] : 0;
    }
    ok = ok && name && bstrLen(name) && seq > 0 && (type == 'b' || type == 'i' || type == 'h');
    if (ok && type == 'b') {
        if (am->base.name) ok = 0;
        else {
            am->base.name = bstrDup(name);
            am->base.seq = seq;
            if (seq > am->base_seq) am->base_seq = seq;
        }
    } else if (ok && type == 'i') {
        manifestAddIncr(am, bstrDup(name), seq);
    }
    /* History files ('h') are leftovers of a finished rewrite: nothing to load. */
    bstrFreeSplit(argv, argc);
    return ok ? 0 : -1;
}

/* 0 ok, -1 missing (errno ENOENT), -2 invalid. */
static int manifestLoad(const char *path, aofManifest **out) {
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    aofManifest *am = manifestNew();
    char line[1024 + 2];
    int rc = 0, lines = 0;
    while (fgets(line, sizeof(line), fp)) {
        size_t len = strlen(line);
        if (len && line[len - 1] != '\n' && !feof(fp)) { rc = -2; break; }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        if (manifestParseLine(am, line) != 0) { rc = -2; break; }
        lines++;
    }
    fclose(fp);
    if (rc == 0 && lines == 0) rc = -2;
    if (rc != 0) {
        manifestFree(am);
        return rc;
    }
    *out = am;
    return 0;
}

static bstr manifestCatFile(bstr s, const aofFile *f, char type) {
    s = bstrCat(s, "file ");
    if (strpbrk(f->name, " \t\"'\\\r\n")) s = bstrCatRepr(s, f->name, bstrLen(f->name));
    else s = bstrCatBstr(s, f->name);
    return bstrCatPrintf(s, " seq %lld type %c\n", f->seq, type);
}

static bstr manifestToString(const aofManifest *am) {
    bstr s = bstrEmpty();
    if (am->base.name) s = manifestCatFile(s, &am->base, 'b');
    for (int i = 0; i < am->nincr; i++) s = manifestCatFile(s, &am->incr[i], 'i');
    return s;
}

static void fsyncDir(const char *dir) {
    int fd = open(dir, O_RDONLY);
    if (fd == -1) return;
    fsync(fd);
    close(fd);
}

static int writeAll(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Atomic replacement: temp file, fsync, rename, fsync the directory. */
static int manifestPersist(const aofManifest *am) {
    bstr name = manifestName();
    bstr tmpname = bstrCatPrintf(bstrEmpty(), "temp-%s", name);
    bstr path = aofPath(name), tmp = aofPath(tmpname);
    bstr content = manifestToString(am);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd != -1) {
        if (writeAll(fd, content, bstrLen(content)) == 0 && fsync(fd) == 0) rc = 0;
        close(fd);
        if (rc == 0 && rename(tmp, path) == -1) rc = -1;
        if (rc != 0) unlink(tmp);
    }
    if (rc == 0) fsyncDir(server.appenddirname);
    else serverLog(LL_WARNING, "Error trying to write the AOF manifest file %s: %s", path, strerror(errno));
    bstrFree(name);
    bstrFree(tmpname);
    bstrFree(path);
    bstrFree(tmp);
    bstrFree(content);
    return rc;
}

static bstr incrName(long long seq) { return bstrCatPrintf(bstrEmpty(), "%s.%lld.incr.aof", server.appendfilename, seq); }
static bstr baseName(long long seq, int rdb) {
    return bstrCatPrintf(bstrEmpty(), "%s.%lld.base.%s", server.appendfilename, seq, rdb ? "rdb" : "aof");
}

static long long fileSize(const char *name) {
    bstr path = aofPath(name);
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
    bstrFree(path);
    return size;
}

static long long manifestTotalSize(const aofManifest *am) {
    long long total = am->base.name ? fileSize(am->base.name) : 0;
    for (int i = 0; i < am->nincr; i++) total += fileSize(am->incr[i].name);
    return total;
}

static int ensureAofDir(void) {
    struct stat sb;
    if (mkdir(server.appenddirname, 0755) == 0) return 0;
    if (errno == EEXIST && stat(server.appenddirname, &sb) == 0 && S_ISDIR(sb.st_mode)) return 0;
    if (errno == EEXIST) errno = ENOTDIR;
    serverLog(LL_WARNING, "Can't open or create append-only dir %s: %s", server.appenddirname, strerror(errno));
    return -1;
}

static int openIncr(const char *name, int truncate) {
    bstr path = aofPath(name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | (truncate ? O_TRUNC : 0), 0644);
    if (fd == -1) serverLog(LL_WARNING, "Can't open the append-only file %s: %s", path, strerror(errno));
    bstrFree(path);
    return fd;
}

/* ------------------------------------------------------- propagation */

static bstr catCommand(bstr buf, obj **argv, int argc) {
    buf = bstrCatPrintf(buf, "*%d\r\n", argc);
    for (int j = 0; j < argc; j++) {
        obj *o = argv[j];
        if (sdsEncodedObject(o)) {
            buf = bstrCatPrintf(buf, "$%zu\r\n", bstrLen(objPtr(o)));
            buf = bstrCatLen(buf, objPtr(o), bstrLen(objPtr(o)));
        } else {
            char num[32];
            int n = snprintf(num, sizeof(num), "%ld", (long)objPtr(o));
            buf = bstrCatPrintf(buf, "$%d\r\n%s", n, num);
        }
        buf = bstrCatLen(buf, "\r\n", 2);
    }
    return buf;
}

void feedAppendOnlyFile(int dictid, obj **argv, int argc) {
    if (aof.state == AOF_STATE_OFF || aof.fd == -1) return; /* a pending rewrite's snapshot has it */
    if (!aof.buf) aof.buf = bstrEmpty();
    if (server.aof_timestamp_enabled && server.unixtime != aof.last_ts_annotation) {
        aof.buf = bstrCatPrintf(aof.buf, "#TS:%lld\r\n", (long long)server.unixtime);
        aof.last_ts_annotation = server.unixtime;
    }
    if (dictid != aof.selected_db) {
        char num[24];
        snprintf(num, sizeof(num), "%d", dictid);
        aof.buf = bstrCatPrintf(aof.buf, "*2\r\n$6\r\nSELECT\r\n$%zu\r\n%s\r\n", strlen(num), num);
        aof.selected_db = dictid;
    }
    aof.buf = catCommand(aof.buf, argv, argc);
}

static void aofFsync(void) {
    if (aof.fd == -1) return;
    if (fdatasync(aof.fd) == -1 && errno != EINVAL) {
        serverLog(LL_WARNING, "Can't persist the AOF (fsync): %s", strerror(errno));
        aof.last_write_ok = 0;
        return;
    }
    aof.unsynced = 0;
    aof.last_fsync = time(NULL);
}

/* everysec fsyncs run on one background thread so a slow disk does not stall
 * the event loop. It works on a dup() of the fd: the main thread may close or
 * switch its own fd (rewrite) at any time. One job at a time. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started;
    int pending_fd; /* -1: none */
    int busy;
    int failed;     /* last background fsync failed (read by the main thread) */
} fsyncer = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, 0, 0};

static void *fsyncThreadMain(void *arg) {
    (void)arg;
    pthread_mutex_lock(&fsyncer.mu);
    for (;;) {
        while (fsyncer.pending_fd == -1) pthread_cond_wait(&fsyncer.cv, &fsyncer.mu);
        int fd = fsyncer.pending_fd;
        fsyncer.pending_fd = -1;
        fsyncer.busy = 1;
        pthread_mutex_unlock(&fsyncer.mu);
        int failed = fdatasync(fd) == -1 && errno != EINVAL;
        close(fd);
        pthread_mutex_lock(&fsyncer.mu);
        fsyncer.busy = 0;
        fsyncer.failed = failed;
    }
    return NULL;
}

static int bgFsyncInProgress(void) {
    pthread_mutex_lock(&fsyncer.mu);
    int r = fsyncer.busy || fsyncer.pending_fd != -1;
    if (fsyncer.failed) {
        fsyncer.failed = 0;
        if (aof.last_write_ok) serverLog(LL_WARNING, "Can't persist the AOF (background fsync failed)");
        aof.last_write_ok = 0;
    }
    pthread_mutex_unlock(&fsyncer.mu);
    return r;
}

/* 0 when the job was handed over; -1: the caller fsyncs inline. */
static int bgFsyncSubmit(int fd) {
    if (!fsyncer.started) {
        pthread_t tid;
        if (pthread_create(&tid, NULL, fsyncThreadMain, NULL) != 0) return -1;
        pthread_detach(tid);
        fsyncer.started = 1;
    }
    int dupfd = dup(fd);
    if (dupfd == -1) return -1;
    pthread_mutex_lock(&fsyncer.mu);
    fsyncer.pending_fd = dupfd;
    pthread_cond_signal(&fsyncer.cv);
    pthread_mutex_unlock(&fsyncer.mu);
    return 0;
}

static void aofFsyncEverysec(void) {
    if (time(NULL) - aof.last_fsync < 1 || bgFsyncInProgress()) return;
    if (bgFsyncSubmit(aof.fd) != 0) {
        aofFsync();
        return;
    }
    aof.unsynced = 0;
    aof.last_fsync = time(NULL);
}

/* Writes the buffer; fsync per appendfsync (force: always fsync what is
 * written, used before a rewrite and at shutdown). Called before replies go
 * out, so with 'always' a client never sees an OK that is not on disk. */
static void aofFollowConfig(void);

void flushAppendOnlyFile(int force) {
    if (!force) aofFollowConfig();
    if (aof.fd == -1) return;
    if (aof.buf && bstrLen(aof.buf)) {
        ssize_t n = write(aof.fd, aof.buf, bstrLen(aof.buf));
        if (n < 0) {
            if (aof.last_write_ok) serverLog(LL_WARNING, "Error writing to the AOF file: %s", strerror(errno));
            aof.last_write_ok = 0;
            return;
        }
        aof.current_size += n;
        aof.unsynced = 1;
        if ((size_t)n < bstrLen(aof.buf)) {
            bstrRange(aof.buf, n, -1);
            aof.last_write_ok = 0;
            return;
        }
        /* One huge command must not pin its buffer forever. */
        if (bstrAlloc(aof.buf) > 64 * 1024) {
            bstrFree(aof.buf);
            aof.buf = bstrEmpty();
        } else {
            bstrClear(aof.buf);
        }
        if (!aof.last_write_ok) serverLog(LL_NOTICE, "AOF write error looks solved, the server can write again.");
        aof.last_write_ok = 1;
    }
    if (!aof.unsynced) return;
    int child_rewriting = server.child_pid > 0 && server.aof_no_fsync_on_rewrite;
    if (force || server.appendfsync == AOF_FSYNC_ALWAYS) aofFsync();
    else if (server.appendfsync == AOF_FSYNC_EVERYSEC && !child_rewriting) aofFsyncEverysec();
}

/* ---------------------------------------------------------- RESP reader */

void aofCommandFree(aofCommand *cmd) {
    if (cmd->argv) {
        for (int i = 0; i < cmd->argc; i++) bstrFree(cmd->argv[i]);
        zfree(cmd->argv);
    }
    cmd->argv = NULL;
    cmd->argc = 0;
}

/* 1 a CRLF-terminated line, 0 EOF before any byte, -1 truncated, -2 bad. */
static int readHeaderLine(FILE *fp, char *buf, size_t size) {
    if (!fgets(buf, (int)size, fp)) return 0;
    size_t len = strlen(buf);
    if (len == 0 || buf[len - 1] != '\n') return feof(fp) ? -1 : -2;
    if (len < 2 || buf[len - 2] != '\r') return -2;
    buf[len - 2] = '\0';
    return 1;
}

static int readFail(aofCommand *cmd, int rc, const char *why) {
    aofCommandFree(cmd);
    cmd->error = why;
    return rc;
}

int aofReadCommand(FILE *fp, aofCommand *cmd) {
    char line[128];
    memset(cmd, 0, sizeof(*cmd));
    int rc = readHeaderLine(fp, line, sizeof(line));
    if (rc == 0) return AOF_READ_EOF;
    if (rc == -1) return readFail(cmd, AOF_READ_TRUNCATED, "Unexpected EOF reading the command header");
    cmd->lines = 1;
    cmd->error_pos = ftello(fp);
    if (rc == 1 && line[0] == '#') {
        snprintf(cmd->annotation, sizeof(cmd->annotation), "%s", line + 1);
        return AOF_READ_ANNOTATION;
    }
    if (rc < 0 || line[0] != '*') return readFail(cmd, AOF_READ_BAD, "Wrong header, expected '*'");
    char *end;
    long argc = strtol(line + 1, &end, 10);
    if (*end || argc < 1 || argc > 1024 * 1024) return readFail(cmd, AOF_READ_BAD, "Invalid number of arguments");
    cmd->argv = zcalloc(sizeof(bstr) * (size_t)argc);
    for (long j = 0; j < argc; j++) {
        cmd->error_pos = ftello(fp);
        rc = readHeaderLine(fp, line, sizeof(line));
        if (rc == 1) cmd->lines++;
        if (rc == 0 || rc == -1) return readFail(cmd, AOF_READ_TRUNCATED, "Unexpected EOF reading an argument length");
        if (rc < 0 || line[0] != '$') return readFail(cmd, AOF_READ_BAD, "Wrong argument header, expected '$'");
        long long len = strtoll(line + 1, &end, 10);
        if (*end || len < 0 || len > 512LL * 1024 * 1024) return readFail(cmd, AOF_READ_BAD, "Invalid argument length");
        bstr arg = bstrNewLen(NULL, (size_t)len + 2);
        cmd->argv[cmd->argc++] = arg;
        cmd->error_pos = ftello(fp);
        size_t got = fread(arg, 1, (size_t)len + 2, fp);
        if (got != (size_t)len + 2) {
            snprintf(cmd->errbuf, sizeof(cmd->errbuf), "Expected to read %lld bytes, got %zu bytes", len + 2, got);
            return readFail(cmd, AOF_READ_TRUNCATED, cmd->errbuf);
        }
        if (arg[len] != '\r' || arg[len + 1] != '\n') return readFail(cmd, AOF_READ_BAD, "Argument not followed by CRLF");
        bstrSetLen(arg, (size_t)len);
        cmd->lines++;
    }
    return AOF_READ_OK;
}

/* -------------------------------------------------------------- loading */

#define AOF_LOAD_OK 0
#define AOF_LOAD_FAILED -1

static client *aofFakeClient(void) {
    client *c = createClient(-1);
    c->flags |= CLIENT_FAKE | CLIENT_REPLY_OFF;
    return c;
}

static void freeFakeClient(client *c) {
    if (c->flags & CLIENT_MULTI) discardTransaction(c);
    freeClient(c);
}

static int isCommandNamed(serverCommand *cmd, const char *name) { return cmd && !strcasecmp(cmd->name, name); }

/* Runs one parsed command on the fake client; -1 for an unknown command. */
static int aofExecute(client *fc, aofCommand *ac) {
    fc->argv = zmalloc(sizeof(obj *) * (size_t)ac->argc);
    fc->argc = ac->argc;
    for (int i = 0; i < ac->argc; i++) {
        fc->argv[i] = createStringObjectFromBstr(ac->argv[i]);
        ac->argv[i] = NULL;
    }
    ac->argc = 0;
    serverCommand *cmd = lookupCommand(fc->argv, fc->argc);
    if (!cmd) {
        serverLog(LL_WARNING, "Unknown command '%s' reading the append only file", (char *)objPtr(fc->argv[0]));
        freeClientArgv(fc);
        zfree(fc->argv);
        fc->argv = NULL;
        return -1;
    }
    fc->cmd = fc->lastcmd = cmd;
    if ((fc->flags & CLIENT_MULTI) && !isCommandNamed(cmd, "exec") && !isCommandNamed(cmd, "multi") &&
        !isCommandNamed(cmd, "discard"))
        queueMultiCommand(fc, cmd->flags);
    else
        call(fc, CMD_CALL_NONE);
    if (fc->argv) {
        freeClientArgv(fc);
        zfree(fc->argv);
        fc->argv = NULL;
    }
    fc->argc = 0;
    return 0;
}

static int aofTruncatedTail(const char *path, off_t valid_up_to, int last, const char *what) {
    if (!last || !server.aof_load_truncated) {
        serverLog(LL_WARNING,
                  "Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF "
                  "file, then use ./valkey-check-aof --fix <filename.manifest>. 2) Alternatively you can set the "
                  "'aof-load-truncated' configuration option to yes and restart the server.",
                  path);
        return AOF_LOAD_FAILED;
    }
    serverLog(LL_WARNING, "!!! Warning: %s while loading the AOF file %s!!!", what, path);
    serverLog(LL_WARNING, "!!! Truncating the AOF %s at offset %lld !!!", path, (long long)valid_up_to);
    if (truncate(path, valid_up_to) == -1) {
        serverLog(LL_WARNING, "Error truncating the AOF file %s: %s", path, strerror(errno));
        return AOF_LOAD_FAILED;
    }
    serverLog(LL_WARNING, "AOF %s loaded anyway because aof-load-truncated is enabled", path);
    return AOF_LOAD_OK;
}

static off_t aof_loaded_before; /* bytes of the files already loaded */

static int aofLoadCommands(FILE *fp, const char *path, int last) {
    client *fc = aofFakeClient();
    off_t valid_up_to = ftello(fp);
    long long count = 0;
    int rc = AOF_LOAD_OK;
    for (;;) {
        aofCommand ac;
        int r = aofReadCommand(fp, &ac);
        if (r == AOF_READ_EOF) break;
        if (r == AOF_READ_ANNOTATION) {
            if (!(fc->flags & CLIENT_MULTI)) valid_up_to = ftello(fp);
            continue;
        }
        if (r == AOF_READ_TRUNCATED) {
            freeFakeClient(fc);
            return aofTruncatedTail(path, valid_up_to, last, "short read");
        }
        if (r == AOF_READ_BAD) {
            serverLog(LL_WARNING,
                      "Bad file format reading the append only file %s: make a backup of your AOF file, then use "
                      "./valkey-check-aof --fix <filename.manifest>",
                      path);
            rc = AOF_LOAD_FAILED;
            break;
        }
        int ex = aofExecute(fc, &ac);
        aofCommandFree(&ac);
        if (ex != 0) {
            rc = AOF_LOAD_FAILED;
            break;
        }
        if (!(fc->flags & CLIENT_MULTI)) valid_up_to = ftello(fp);
        if (++count % 1024 == 0) {
            server.loading_loaded_bytes = aof_loaded_before + ftello(fp);
            processEventsWhileBlocked();
        }
    }
    if (rc == AOF_LOAD_OK && (fc->flags & CLIENT_MULTI)) {
        serverLog(LL_WARNING, "Revert incomplete MULTI/EXEC transaction in AOF file %s", path);
        freeFakeClient(fc);
        return aofTruncatedTail(path, valid_up_to, last, "incomplete MULTI/EXEC");
    }
    freeFakeClient(fc);
    return rc;
}

/* One file of the set: an RDB (base with preamble) or RESP commands. */
static int aofLoadFile(const char *name, int last) {
    bstr path = aofPath(name);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        serverLog(LL_WARNING, "Fatal error: can't open the append log file %s for reading: %s", path, strerror(errno));
        bstrFree(path);
        return AOF_LOAD_FAILED;
    }
    char sig[5];
    int rc = AOF_LOAD_OK;
    size_t n = fread(sig, 1, 5, fp);
    rewind(fp);
    if (n == 5 && !memcmp(sig, "REDIS", 5)) {
        rio r;
        rioInitWithFile(&r, fp);
        rdbReplInfo ri;
        memset(&ri, 0, sizeof(ri));
        ri.repl_stream_db = -1;
        serverLog(LL_NOTICE, "Reading RDB base file on AOF loading...");
        if (rdbLoadRio(&r, RDBFLAGS_AOF_PREAMBLE, &ri) != RDB_OK) {
            serverLog(LL_WARNING, "Error reading the RDB base file %s, AOF loading aborted", path);
            rc = AOF_LOAD_FAILED;
        } else {
            serverLog(LL_NOTICE, "Reading the remaining AOF tail...");
        }
    }
    if (rc == AOF_LOAD_OK) rc = aofLoadCommands(fp, path, last);
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0) aof_loaded_before += sb.st_size;
    server.loading_loaded_bytes = aof_loaded_before;
    fclose(fp);
    if (rc == AOF_LOAD_OK) serverLog(LL_NOTICE, "DB loaded from file %s", name);
    bstrFree(path);
    return rc;
}

static int aofLoadManifestFiles(aofManifest *am) {
    server.loading = 1;
    server.loading_start_time = time(NULL);
    server.loading_loaded_bytes = 0;
    server.loading_total_bytes = manifestTotalSize(am);
    aof_loaded_before = 0;
    int rc = AOF_LOAD_OK;
    if (am->base.name) rc = aofLoadFile(am->base.name, am->nincr == 0);
    for (int i = 0; rc == AOF_LOAD_OK && i < am->nincr; i++) rc = aofLoadFile(am->incr[i].name, i == am->nincr - 1);
    server.loading = 0;
    /* Replaying the log is not a change that needs saving. */
    server.dirty = 0;
    return rc;
}

/* aof-use-rdb-preamble no: the base is RESP, one RESTORE (DUMP payload of
 * the value, absolute TTL) per key, so it loads like any command stream. */
static bstr catBulk(bstr s, const char *p, size_t len) {
    s = bstrCatPrintf(s, "$%zu\r\n", len);
    s = bstrCatLen(s, p, len);
    return bstrCatLen(s, "\r\n", 2);
}

static int writeRespDb(FILE *fp, int dbid) {
    serverDb *db = server.db + dbid;
    if (kvtSize(db->keys) == 0) return 0;
    bstr out = bstrCatPrintf(bstrEmpty(), "*2\r\n$6\r\nSELECT\r\n");
    char num[24];
    int n = snprintf(num, sizeof(num), "%d", dbid);
    out = catBulk(out, num, (size_t)n);
    kvtIterator it;
    void *e;
    int rc = 0;
    kvtInitIterator(&it, db->keys);
    while (rc == 0 && (e = kvtNext(&it)) != NULL) {
        bstr key = dbEntryKey(e);
        htEntry *ee = htSize(db->expires) ? htFind(db->expires, key) : NULL;
        bstr payload = dumpCreatePayload(dbEntryVal(e));
        if (!payload) { rc = -1; break; }
        n = snprintf(num, sizeof(num), "%lld", ee ? (long long)ee->v.s64 : 0LL);
        out = bstrCat(out, ee ? "*5\r\n$7\r\nRESTORE\r\n" : "*4\r\n$7\r\nRESTORE\r\n");
        out = catBulk(out, key, bstrLen(key));
        out = catBulk(out, num, (size_t)n);
        out = catBulk(out, payload, bstrLen(payload));
        if (ee) out = catBulk(out, "ABSTTL", 6);
        bstrFree(payload);
        if (bstrLen(out) > 64 * 1024) {
            if (fwrite(out, 1, bstrLen(out), fp) != bstrLen(out)) rc = -1;
            bstrClear(out);
        }
    }
    kvtResetIterator(&it);
    if (rc == 0 && bstrLen(out) && fwrite(out, 1, bstrLen(out), fp) != bstrLen(out)) rc = -1;
    bstrFree(out);
    return rc;
}

/* Libraries come first, as FUNCTION LOAD commands (what Valkey writes). */
static int writeRespFunction(void *priv, const char *code, size_t len) {
    FILE *fp = priv;
    bstr out = bstrNew("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n");
    out = catBulk(out, code, len);
    int rc = fwrite(out, 1, bstrLen(out), fp) == bstrLen(out) ? 0 : -1;
    bstrFree(out);
    return rc;
}

static int writeRespBase(const char *path) {
    FILE *fp = fopen(path, "w");
    if (!fp) {
        serverLog(LL_WARNING, "Failed opening the temp AOF base %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = functionsForEachLibrary(writeRespFunction, fp);
    for (int j = 0; rc == 0 && j < server.dbnum; j++) rc = writeRespDb(fp, j);
    if (rc == 0 && (fflush(fp) != 0 || fsync(fileno(fp)) != 0)) rc = -1;
    if (fclose(fp) != 0) rc = -1;
    if (rc != 0) serverLog(LL_WARNING, "Write error writing the AOF base %s: %s", path, strerror(errno));
    return rc;
}

/* The base of the current dataset, written to path (RDB or RESP). */
static int writeBase(const char *path, int rdb) {
    if (rdb) return rdbSaveToFileWithReplInfo(path, RDBFLAGS_AOF_PREAMBLE, NULL) == RDB_OK ? 0 : -1;
    return writeRespBase(path);
}

/* First start with appendonly yes: an empty base and incr #1, as Valkey does. */
static int aofCreateInitialFiles(void) {
    aofManifest *am = aof.am;
    if (!am->base.name) {
        long long seq = am->base_seq + 1;
        bstr name = baseName(seq, server.aof_use_rdb_preamble);
        bstr path = aofPath(name);
        serverLog(LL_NOTICE, "Creating AOF base file %s on server start", name);
        int rc = writeBase(path, server.aof_use_rdb_preamble);
        bstrFree(path);
        if (rc != 0) {
            bstrFree(name);
            return -1;
        }
        am->base.name = name;
        am->base.seq = am->base_seq = seq;
    }
    return 0;
}

static int aofOpenOnStart(void) {
    if (ensureAofDir() != 0) return -1;
    if (!aof.am->base.name && aof.am->nincr == 0 && aofCreateInitialFiles() != 0) return -1;
    if (aof.am->nincr == 0) {
        long long seq = aof.am->incr_seq + 1;
        bstr name = incrName(seq);
        serverLog(LL_NOTICE, "Creating AOF incr file %s on server start", name);
        aof.fd = openIncr(name, 1);
        if (aof.fd == -1) {
            bstrFree(name);
            return -1;
        }
        manifestAddIncr(aof.am, name, seq);
        if (manifestPersist(aof.am) != 0) return -1;
    } else {
        aof.fd = openIncr(aof.am->incr[aof.am->nincr - 1].name, 0);
        if (aof.fd == -1) return -1;
    }
    aof.state = AOF_STATE_ON;
    aof.selected_db = -1;
    aof.last_fsync = time(NULL);
    aof.current_size = aof.base_size = manifestTotalSize(aof.am);
    return 0;
}

/* A single-file AOF from before the multi-part layout becomes the base of a
 * new manifest. The manifest goes first: a crash in between fails loudly
 * (missing base) instead of silently starting empty. 1 upgraded, 0 none. */
static int aofUpgradeLegacy(aofManifest **out) {
    struct stat sb;
    if (stat(server.appendfilename, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    if (ensureAofDir() != 0) return -1;
    serverLog(LL_NOTICE, "Creating AOF manifest for the old-style AOF %s", server.appendfilename);
    aofManifest *am = manifestNew();
    am->base.name = bstrNew(server.appendfilename);
    am->base.seq = am->base_seq = 1;
    bstr dst = aofPath(server.appendfilename);
    int rc = manifestPersist(am) == 0 && rename(server.appendfilename, dst) == 0 ? 1 : -1;
    if (rc == 1) {
        fsyncDir(server.appenddirname);
        fsyncDir(".");
        serverLog(LL_NOTICE, "Successfully migrated an old-style AOF into the AOF directory");
        *out = am;
    } else {
        serverLog(LL_WARNING, "Error moving the old-style AOF %s into %s: %s", server.appendfilename, dst, strerror(errno));
        manifestFree(am);
    }
    bstrFree(dst);
    return rc;
}

int aofLoadAtStartup(void) {
    long long start = ustime();
    bstr mname = manifestName();
    bstr mpath = aofPath(mname);
    aofManifest *am = NULL;
    int rc = manifestLoad(mpath, &am);
    if (rc == -2) {
        serverLog(LL_WARNING, "Invalid AOF manifest file format: %s", mpath);
        bstrFree(mname);
        bstrFree(mpath);
        return -1;
    }
    bstrFree(mname);
    bstrFree(mpath);
    if (rc == -1) {
        int up = aofUpgradeLegacy(&am);
        if (up < 0) return -1;
        if (up == 1) rc = 0;
        else am = manifestNew();
    }
    manifestFree(aof.am);
    aof.am = am;
    if (rc == 0) {
        if (aofLoadManifestFiles(am) != AOF_LOAD_OK) {
            serverLog(LL_WARNING, "Fatal error loading the DB, check server logs. Exiting.");
            return -1;
        }
        serverLog(LL_NOTICE, "DB loaded from append only file: %.3f seconds", (double)(ustime() - start) / 1000000);
    }
    if (aofOpenOnStart() != 0) return -1;
    return 0;
}

/* ------------------------------------------------------------- rewrite */

static bstr rewriteTempName(pid_t pid) {
    return bstrCatPrintf(bstrEmpty(), "%s/temp-rewriteaof-bg-%d.aof", server.appenddirname, (int)pid);
}

static void ensureManifestInMemory(void) {
    if (aof.am) return;
    bstr mname = manifestName(), mpath = aofPath(mname);
    if (manifestLoad(mpath, &aof.am) != 0) aof.am = manifestNew();
    bstrFree(mname);
    bstrFree(mpath);
}

static void unlinkAofFile(const char *name);

static void dropUnnamedIncr(void) {
    if (!aof.rewrite_incr_seq) return;
    for (int i = 0; i < aof.am->nincr; i++)
        if (aof.am->incr[i].seq == aof.rewrite_incr_seq) return;
    bstr name = incrName(aof.rewrite_incr_seq);
    unlinkAofFile(name);
    bstrFree(name);
    aof.rewrite_incr_seq = 0;
}

/* Switches appends to a fresh incr file so the child's snapshot plus this
 * file cover everything. While AOF is ON the manifest names it at once. */
static int rewriteOpenNewIncr(void) {
    flushAppendOnlyFile(1);
    long long seq = aof.am->incr_seq + 1;
    bstr name = incrName(seq);
    int fd = openIncr(name, 1);
    if (fd == -1) {
        bstrFree(name);
        return -1;
    }
    /* An incr a failed first rewrite opened is named nowhere: drop it. */
    if (aof.state == AOF_STATE_WAIT_REWRITE) dropUnnamedIncr();
    if (aof.state == AOF_STATE_ON) {
        manifestAddIncr(aof.am, bstrDup(name), seq);
        if (manifestPersist(aof.am) != 0) {
            aof.am->nincr--;
            bstrFree(aof.am->incr[aof.am->nincr].name);
            close(fd);
            bstr path = aofPath(name);
            unlink(path);
            bstrFree(path);
            bstrFree(name);
            return -1;
        }
    } else {
        aof.am->incr_seq = seq; /* reserve the number; named at rewrite end */
    }
    bstrFree(name);
    if (aof.fd != -1) close(aof.fd);
    aof.fd = fd;
    aof.selected_db = -1;
    aof.unsynced = 0;
    aof.rewrite_incr_seq = seq;
    return 0;
}

int aofRewriteBackground(void) {
    if (hasActiveChildProcess()) return -1;
    if (ensureAofDir() != 0) return -1;
    ensureManifestInMemory();
    /* With AOF off the snapshot alone is the new dataset: no incr follows it. */
    if (aof.state == AOF_STATE_OFF) aof.rewrite_incr_seq = 0;
    if (aof.state != AOF_STATE_OFF && rewriteOpenNewIncr() != 0) {
        aof.last_rewrite_ok = 0;
        return -1;
    }
    long long start = ustime();
    aof.rewrite_rdb = server.aof_use_rdb_preamble;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGUSR1, SIG_DFL);
        if (aof.fd != -1) close(aof.fd);
        bstr tmp = rewriteTempName(getpid());
        _exit(writeBase(tmp, aof.rewrite_rdb) == 0 ? 0 : 1);
    }
    if (pid == -1) {
        serverLog(LL_WARNING, "Can't rewrite append only file in background: fork: %s", strerror(errno));
        aof.last_rewrite_ok = 0;
        return -1;
    }
    server.stat_fork_time = ustime() - start;
    server.stat_total_forks++;
    server.child_pid = pid;
    server.child_type = CHILD_TYPE_AOF;
    aof.rewrite_start = time(NULL);
    aof.rewrite_scheduled = 0;
    htSetResizeEnabled(0);
    kvtSetResizeEnabled(0);
    serverLog(LL_NOTICE, "Background append only file rewriting started by pid %ld", (long)pid);
    return 0;
}

static void unlinkAofFile(const char *name) {
    bstr path = aofPath(name);
    unlink(path);
    bstrFree(path);
}

/* New manifest: the new base plus the incr opened at fork time. Files of the
 * old manifest go only after the new one is durable. */
static int rewriteInstall(pid_t pid) {
    aofManifest *old = aof.am;
    aofManifest *am = manifestNew();
    am->base_seq = old->base_seq + 1;
    am->incr_seq = old->incr_seq;
    am->base.name = baseName(am->base_seq, aof.rewrite_rdb);
    am->base.seq = am->base_seq;
    if (aof.rewrite_incr_seq) manifestAddIncr(am, incrName(aof.rewrite_incr_seq), aof.rewrite_incr_seq);
    bstr tmp = rewriteTempName(pid), dst = aofPath(am->base.name);
    int rc = rename(tmp, dst);
    if (rc == -1) serverLog(LL_WARNING, "Error trying to rename the temporary AOF base file %s into %s: %s", tmp, dst, strerror(errno));
    if (rc == 0 && manifestPersist(am) != 0) {
        unlink(dst);
        rc = -1;
    }
    bstrFree(tmp);
    bstrFree(dst);
    if (rc != 0) {
        manifestFree(am);
        return -1;
    }
    if (old->base.name && strcmp(old->base.name, am->base.name)) unlinkAofFile(old->base.name);
    for (int i = 0; i < old->nincr; i++)
        if (old->incr[i].seq != aof.rewrite_incr_seq) unlinkAofFile(old->incr[i].name);
    manifestFree(old);
    aof.am = am;
    return 0;
}

void aofBackgroundRewriteDone(pid_t pid, int exitcode, int bysignal) {
    aof.last_rewrite_secs = time(NULL) - aof.rewrite_start;
    aof.rewrite_start = 0;
    int ok = !bysignal && exitcode == 0;
    if (ok) {
        serverLog(LL_NOTICE, "Background AOF rewrite terminated with success");
        ok = rewriteInstall(pid) == 0;
    } else if (bysignal) {
        serverLog(LL_WARNING, "Background AOF rewrite terminated by signal %d", bysignal);
    } else {
        serverLog(LL_WARNING, "Background AOF rewrite terminated with error");
    }
    if (!ok) {
        bstr tmp = rewriteTempName(pid);
        unlink(tmp);
        bstrFree(tmp);
        if (bysignal != SIGUSR1) {
            aof.last_rewrite_ok = 0;
            aof.rewrite_failures++;
        }
        /* Without a base the runtime-enabled AOF is not usable yet: retry. */
        if (aof.state == AOF_STATE_WAIT_REWRITE) aof.rewrite_scheduled = 1;
        return;
    }
    if (aof.state == AOF_STATE_WAIT_REWRITE) aof.state = AOF_STATE_ON;
    aof.last_rewrite_ok = 1;
    aof.rewrite_failures = 0;
    aof.rewrites++;
    aof.current_size = aof.base_size = manifestTotalSize(aof.am);
    serverLog(LL_NOTICE, "Background AOF rewrite finished successfully");
}

static void killAofChild(void) {
    if (server.child_pid <= 0 || server.child_type != CHILD_TYPE_AOF) return;
    pid_t pid = server.child_pid;
    serverLog(LL_NOTICE, "Killing running AOF rewrite child: %ld", (long)pid);
    kill(pid, SIGUSR1);
    int status;
    waitpid(pid, &status, 0);
    bstr tmp = rewriteTempName(pid);
    unlink(tmp);
    bstrFree(tmp);
    server.child_pid = -1;
    server.child_type = CHILD_TYPE_NONE;
    aof.rewrite_start = 0;
    htSetResizeEnabled(1);
    kvtSetResizeEnabled(1);
}

/* -------------------------------------------------------- on / off / cron */

static void stopAppendOnly(void) {
    flushAppendOnlyFile(1);
    killAofChild();
    if (aof.fd != -1) close(aof.fd);
    aof.fd = -1;
    if (aof.state == AOF_STATE_WAIT_REWRITE) dropUnnamedIncr();
    aof.state = AOF_STATE_OFF;
    aof.rewrite_scheduled = 0;
    if (aof.buf) bstrClear(aof.buf);
    serverLog(LL_NOTICE, "Calling fsync() on the AOF file.");
}

static int startAppendOnly(void) {
    ensureManifestInMemory();
    aof.state = AOF_STATE_WAIT_REWRITE;
    if (hasActiveChildProcess()) {
        aof.rewrite_scheduled = 1;
        serverLog(LL_NOTICE, "AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        return 0;
    }
    if (aofRewriteBackground() != 0) {
        aof.state = AOF_STATE_OFF;
        serverLog(LL_WARNING, "Valkey needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return -1;
    }
    return 0;
}

/* CONFIG SET applies through aofConfigChanged; this catches every other way
 * server.appendonly and the state can differ (a replica's full sync stopped
 * the AOF), once loading is over. */
static void aofFollowConfig(void) {
    if (server.loading || (server.appendonly != 0) == (aof.state != AOF_STATE_OFF)) return;
    const char *err = NULL;
    /* A start that failed is reverted like a refused CONFIG SET, not retried every loop. */
    if (!aofConfigChanged(&err)) server.appendonly = 0;
}

int aofConfigChanged(const char **err) {
    if (server.appendonly && aof.state == AOF_STATE_OFF) {
        if (startAppendOnly() != 0) {
            *err = "Unable to turn on AOF. Check server logs.";
            return 0;
        }
    } else if (!server.appendonly && aof.state != AOF_STATE_OFF) {
        stopAppendOnly();
    }
    return 1;
}

void aofCron(void) {
    flushAppendOnlyFile(0);
    if (hasActiveChildProcess()) return;
    if (aof.rewrite_scheduled) {
        aofRewriteBackground();
        return;
    }
    if (aof.state != AOF_STATE_ON || !server.aof_rewrite_perc || aof.current_size < server.aof_rewrite_min_size) return;
    long long base = aof.base_size ? aof.base_size : 1;
    long long growth = (aof.current_size * 100 / base) - 100;
    if (growth >= server.aof_rewrite_perc) {
        serverLog(LL_NOTICE, "Starting automatic rewriting of AOF on %lld%% growth", growth);
        aofRewriteBackground();
    }
}

/* Called before a replica replaces its dataset: the old files describe a
 * dataset that is going away. aofFollowConfig starts a rewrite afterwards. */
void aofStopForFullSync(void) {
    if (aof.state == AOF_STATE_OFF) return;
    serverLog(LL_NOTICE, "Stopping AOF before loading the primary's dataset");
    stopAppendOnly();
}

void aofPrepareShutdown(void) {
    if (server.child_type == CHILD_TYPE_AOF && server.child_pid > 0) {
        serverLog(LL_WARNING, "There is a child rewriting the AOF. Killing it!");
        killAofChild();
    }
    if (aof.state != AOF_STATE_OFF) {
        serverLog(LL_NOTICE, "Calling fsync() on the AOF file.");
        flushAppendOnlyFile(1);
    }
}

/* ------------------------------------------------------------------ INFO */

bstr aofGenInfoStatus(bstr info) {
    int rewriting = server.child_type == CHILD_TYPE_AOF && server.child_pid > 0;
    return bstrCatPrintf(info,
                         "aof_enabled:%d\r\n"
                         "aof_rewrite_in_progress:%d\r\n"
                         "aof_rewrite_scheduled:%d\r\n"
                         "aof_last_rewrite_time_sec:%jd\r\n"
                         "aof_current_rewrite_time_sec:%jd\r\n"
                         "aof_last_bgrewrite_status:%s\r\n"
                         "aof_rewrites:%lld\r\n"
                         "aof_rewrites_consecutive_failures:%lld\r\n"
                         "aof_last_write_status:%s\r\n"
                         "aof_last_cow_size:0\r\n",
                         aof.state != AOF_STATE_OFF, rewriting, aof.rewrite_scheduled, (intmax_t)aof.last_rewrite_secs,
                         (intmax_t)(rewriting ? time(NULL) - aof.rewrite_start : -1), aof.last_rewrite_ok ? "ok" : "err",
                         aof.rewrites, aof.rewrite_failures, aof.last_write_ok ? "ok" : "err");
}

bstr aofGenInfoSizes(bstr info) {
    if (aof.state == AOF_STATE_OFF) return info;
    return bstrCatPrintf(info,
                         "aof_current_size:%lld\r\n"
                         "aof_base_size:%lld\r\n"
                         "aof_pending_rewrite:%d\r\n"
                         "aof_buffer_length:%zu\r\n"
                         "aof_pending_bio_fsync:%d\r\n"
                         "aof_delayed_fsync:0\r\n",
                         aof.current_size, aof.base_size, aof.rewrite_scheduled, aof.buf ? bstrLen(aof.buf) : 0,
                         bgFsyncInProgress());
}

/* -------------------------------------------------------------- command */

void bgrewriteaofCommand(client *c) {
    if (server.child_type == CHILD_TYPE_AOF && server.child_pid > 0) {
        addReplyError(c, "ERR Background append only file rewriting already in progress");
    } else if (hasActiveChildProcess() || server.in_exec) {
        aof.rewrite_scheduled = 1;
        addReplyStatus(c, "Background append only file rewriting scheduled");
    } else if (aofRewriteBackground() == 0) {
        addReplyStatus(c, "Background append only file rewriting started");
    } else {
        addReplyError(c, "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
                         "information.");
    }
}

const serverCommandDef aofCommandTable[] = {
    {"bgrewriteaof", bgrewriteaofCommand, 1, "admin noscript no_async_loading", 0, 0, 0, "server",
     "Asynchronously rewrites the append-only file to disk.", "1.0.0", "O(1)", NULL, NULL, ""},
    {0}};
