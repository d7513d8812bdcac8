/* valkey-check-rdb: runs the real loader over a file in check-only mode and
 * prints what it walks over, then the verdict. Exit status 0 = valid. */
#include "persist/rdb.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct {
    long long keys, expires, already_expired;
    const char *doing;
    bstr key;
    int type;
} chk;

static const char *chkTypeName(int type) {
    static const char *names[] = {"string", "list-linked", "set-hashtable", "zset-v1", "hash-hashtable", "zset-v2",
                                  "module-pre-release", "module-value", "", "hash-zipmap", "list-ziplist",
                                  "set-intset", "zset-ziplist", "hash-ziplist", "quicklist", "stream",
                                  "hash-listpack", "zset-listpack", "quicklist-v2", "stream-v2", "set-listpack",
                                  "stream-v3"};
    if (type >= 0 && type < (int)(sizeof(names) / sizeof(names[0]))) return names[type];
    return "unknown";
}

static void chkOnVersion(int ver, size_t off) { (void)ver; (void)off; chk.doing = "read-type"; }

static void chkOnAux(const char *k, size_t klen, const char *v, size_t vlen, size_t off) {
    printf("[offset %zu] AUX FIELD %.*s = '%.*s'\n", off, (int)klen, k, (int)vlen, v);
}

static void chkOnDb(int dbid, size_t off) { printf("[offset %zu] Selecting DB ID %d\n", off, dbid); }

static void chkOnResize(uint64_t keys, uint64_t expires, size_t off) {
    (void)keys; (void)expires; (void)off;
}

static void chkOnKey(int type, const char *key, size_t klen, size_t off, long long expire, long long now) {
    (void)off;
    chk.keys++;
    if (expire != -1) {
        chk.expires++;
        if (expire < now) chk.already_expired++;
    }
    if (chk.key) bstrFree(chk.key);
    chk.key = bstrNewLen(key, klen);
    chk.type = type;
    chk.doing = "read-object-value";
}

static void chkOnOpcode(const char *what, size_t off) { printf("[offset %zu] %s\n", off, what); }

/* Like Valkey's checker: libraries are read, not listed; only an error names them. */
static void chkOnFunction(size_t off) {
    (void)off;
    chk.doing = "read-functions";
}

static void chkOnChecksum(uint64_t stored, size_t off) {
    if (stored == 0) printf("[offset %zu] RDB file was saved with checksum disabled: no check performed.\n", off);
    else printf("[offset %zu] Checksum OK\n", off);
}

static void chkPrintCounts(void) {
    printf("[info] %lld keys read\n", chk.keys);
    printf("[info] %lld expires\n", chk.expires);
    printf("[info] %lld already expired\n", chk.already_expired);
}

int checkRdbMain(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "Usage: %s <rdb-file-name>\n", argv[0]);
        return 1;
    }
    const char *file = argv[1];
    rdbLoadObserver obs = {chkOnVersion, chkOnAux, chkOnDb, chkOnResize, chkOnKey, chkOnOpcode, chkOnChecksum, chkOnFunction};
    memset(&chk, 0, sizeof(chk));
    chk.type = -1;
    chk.doing = "start";
    initConfigValues();
    if (server.dbnum <= 0) server.dbnum = 16;
    if (server.rdb_checksum == 0) server.rdb_checksum = 1;
    printf("[offset 0] Checking RDB file %s\n", file);
    FILE *fp = fopen(file, "r");
    if (!fp) {
        printf("Cannot check RDB that is a directory or unreadable: %s\n", strerror(errno));
        return 1;
    }
    fclose(fp);
    rdb_load_observer = &obs;
    int rc = rdbLoad(file, NULL, RDBFLAGS_CHECK_ONLY);
    rdb_load_observer = NULL;
    if (rc == RDB_OK) {
        printf("[offset %zu] \\o/ RDB looks OK! \\o/\n", rdb_load_error_offset);
        chkPrintCounts();
        if (chk.key) bstrFree(chk.key);
        return 0;
    }
    printf("--- RDB ERROR DETECTED ---\n");
    printf("[offset %zu] %s\n", rdb_load_error_offset, rdbLastLoadError());
    printf("[additional info] While doing: %s\n", chk.doing);
    if (chk.key) printf("[additional info] Reading key '%s'\n", chk.key);
    if (chk.type != -1) printf("[additional info] Reading type %d (%s)\n", chk.type, chkTypeName(chk.type));
    chkPrintCounts();
    if (chk.key) bstrFree(chk.key);
    return 1;
}
