/* checkaof: valkey-check-aof. Validates a manifest's files or a single AOF
 * (RESP commands, optionally after an RDB preamble); --fix truncates the last
 * file at the end of its last complete command (or before an unfinished
 * MULTI), --truncate-to-timestamp cuts at the first later #TS annotation. */
#include "persist/aof.h"
#include "persist/rdb.h"
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct chkState {
    off_t ok_up_to;         /* end of the last complete command outside MULTI */
    long long line;
    int in_multi;
    long long truncate_ts;  /* 0: off */
    int ts_hit;
} chkState;

static void chkError(const char *path, off_t pos, const char *msg) {
    (void)path;
    printf("0x%16llx: %s\n", (long long)pos, msg);
}

/* Walks the RESP stream from the current position; fills st. 0 when the
 * stream ended cleanly, 1 when it did not. */
static int chkScanCommands(FILE *fp, const char *path, chkState *st) {
    st->ok_up_to = ftello(fp);
    for (;;) {
        aofCommand ac;
        off_t before = ftello(fp);
        int r = aofReadCommand(fp, &ac);
        if (r == AOF_READ_EOF) break;
        if (r == AOF_READ_ANNOTATION) {
            st->line += ac.lines;
            if (st->truncate_ts && !strncmp(ac.annotation, "TS:", 3) && strtoll(ac.annotation + 3, NULL, 10) > st->truncate_ts) {
                st->ts_hit = 1;
                st->ok_up_to = before;
                return 1;
            }
            if (!st->in_multi) {
                st->ok_up_to = ftello(fp);
            }
            continue;
        }
        if (r != AOF_READ_OK) {
            st->line += ac.lines;
            chkError(path, ac.error_pos, ac.error);
            return 1;
        }
        st->line += ac.lines;
        const char *name = ac.argv[0];
        if (!strcasecmp(name, "multi")) {
            if (st->in_multi) {
                aofCommandFree(&ac);
                chkError(path, ftello(fp), "Unexpected MULTI");
                return 1;
            }
            st->in_multi = 1;
        } else if (!strcasecmp(name, "exec")) {
            if (!st->in_multi) {
                aofCommandFree(&ac);
                chkError(path, ftello(fp), "Unexpected EXEC");
                return 1;
            }
            st->in_multi = 0;
        }
        aofCommandFree(&ac);
        if (!st->in_multi) {
            st->ok_up_to = ftello(fp);
        }
    }
    if (st->in_multi) {
        chkError(path, ftello(fp), "Reached EOF before reading EXEC for MULTI");
        return 1;
    }
    return 0;
}

static int chkRdbPreamble(FILE *fp) {
    rio r;
    rioInitWithFile(&r, fp);
    rdbReplInfo ri;
    memset(&ri, 0, sizeof(ri));
    if (rdbLoadRio(&r, RDBFLAGS_CHECK_ONLY | RDBFLAGS_AOF_PREAMBLE, &ri) != RDB_OK) return -1;
    return 0;
}

static int chkStartsWithRdb(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    char sig[5];
    int yes = fread(sig, 1, 5, fp) == 5 && !memcmp(sig, "REDIS", 5);
    fclose(fp);
    return yes;
}

static int chkConfirm(void) {
    char buf[8];
    printf("Continue? [y/N]: ");
    fflush(stdout);
    return fgets(buf, sizeof(buf), stdin) && (buf[0] == 'y' || buf[0] == 'Y');
}

/* Checks one file; returns the process exit status it implies (0 ok). */
static int chkFile(const char *path, int fix, long long ts, int last, const char *kind) {
    FILE *fp = fopen(path, "r+");
    if (!fp) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (fstat(fileno(fp), &sb) == -1 || sb.st_size == 0) {
        printf("Empty file: %s\n", path);
        fclose(fp);
        return sb.st_size == 0 ? 0 : 1;
    }
    off_t size = sb.st_size;
    if (chkStartsWithRdb(path)) {
        printf("The AOF appears to start with an RDB preamble.\nChecking the RDB preamble to start:\n");
        if (chkRdbPreamble(fp) != 0) {
            printf("RDB preamble of AOF file is not sane, aborting.\n");
            fclose(fp);
            return 1;
        }
        printf("RDB preamble is OK, proceeding with AOF tail...\n");
    }
    chkState st = {.truncate_ts = ts, .line = 1};
    chkScanCommands(fp, path, &st);
    fclose(fp);
    off_t diff = size - st.ok_up_to;
    if (ts && diff == 0) {
        printf("Truncate nothing in AOF %s to timestamp %lld\n", path, ts);
        return 0;
    }
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n", path,
           (long long)size, (long long)st.ok_up_to, st.line, (long long)diff);
    if (diff == 0) {
        printf("%s %s is valid\n", kind, path);
        return 0;
    }
    if (!fix && !ts) {
        printf("%s %s is not valid. Use the --fix option to try fixing it.\n", kind, path);
        return 1;
    }
    if (!last) {
        printf("Failed to truncate AOF %s because it is not the last file\n", path);
        return 1;
    }
    if (fix) {
        printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n", path, (long long)size,
               (long long)diff, (long long)st.ok_up_to);
        if (!chkConfirm()) {
            printf("Aborting...\n");
            return 1;
        }
    }
    if (truncate(path, st.ok_up_to) == -1) {
        printf("Failed to truncate AOF %s\n", path);
        return 1;
    }
    if (ts) printf("Successfully truncated AOF %s to timestamp %lld\n", path, ts);
    else printf("Successfully truncated AOF %s\n", path);
    return 0;
}

typedef struct chkManifestFile {
    char name[1024];
    char type;
} chkManifestFile;

/* Minimal manifest reader for the tool (the server's lives in aof.c). */
static int chkReadManifest(const char *path, chkManifestFile **files, int *count) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1100];
    *files = NULL;
    *count = 0;
    int bad = 0, bases = 0;
    while (!bad && fgets(line, sizeof(line), fp)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        int argc;
        bstr *argv = bstrSplitArgs(line, &argc);
        chkManifestFile f = {{0}, 0};
        for (int i = 0; argv && i + 1 < argc; i += 2) {
            if (!strcmp(argv[i], "file")) snprintf(f.name, sizeof(f.name), "%s", argv[i + 1]);
            else if (!strcmp(argv[i], "type") && bstrLen(argv[i + 1]) == 1) f.type = argv[i + 1][0];
        }
        if (argv) bstrFreeSplit(argv, argc);
        if (!f.name[0] || (f.type != 'b' && f.type != 'i' && f.type != 'h')) bad = 1;
        if (f.type == 'b' && ++bases > 1) bad = 1;
        if (bad || f.type == 'h') continue;
        *files = zrealloc(*files, sizeof(chkManifestFile) * (size_t)(*count + 1));
        (*files)[(*count)++] = f;
    }
    fclose(fp);
    if (bad || *count == 0) {
        printf("Invalid AOF manifest file format\n");
        zfree(*files);
        return -1;
    }
    return 0;
}

static int chkManifest(const char *mpath, int fix, long long ts) {
    chkManifestFile *files;
    int count;
    printf("Start checking Multi Part AOF\n");
    if (chkReadManifest(mpath, &files, &count) != 0) return 1;
    char *copy = zstrdup(mpath);
    const char *dir = dirname(copy);
    int rc = 0, base_done = 0, incr_started = 0;
    for (int i = 0; rc == 0 && i < count; i++) {
        bstr path = bstrCatPrintf(bstrEmpty(), "%s/%s", dir, files[i].name);
        int last = i == count - 1;
        if (files[i].type == 'b' && !base_done) {
            printf("Start to check BASE AOF (%s format).\n", chkStartsWithRdb(path) ? "RDB" : "RESP");
            rc = chkFile(path, fix, ts, last, "BASE AOF");
            base_done = 1;
        } else {
            if (!incr_started) printf("Start to check INCR files.\n");
            incr_started = 1;
            rc = chkFile(path, fix, ts, last, "INCR AOF");
        }
        bstrFree(path);
    }
    if (rc == 0) printf("All AOF files and manifest are valid\n");
    zfree(copy);
    zfree(files);
    return rc;
}

static int endsWith(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int checkAofMain(int argc, char **argv) {
    const char *file = NULL;
    int fix = 0;
    long long ts = 0;
    if (argc == 2) {
        file = argv[1];
    } else if (argc == 3 && !strcmp(argv[1], "--fix")) {
        fix = 1;
        file = argv[2];
    } else if (argc == 4 && !strcmp(argv[1], "--truncate-to-timestamp")) {
        char *end;
        ts = strtoll(argv[2], &end, 10);
        if (*end || ts <= 0) {
            printf("Invalid timestamp: %s\n", argv[2]);
            return 1;
        }
        file = argv[3];
    } else {
        printf("Usage: %s [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>\n", argv[0]);
        return 1;
    }
    initConfigValues();
    if (server.dbnum <= 0) server.dbnum = 16;
    if (endsWith(file, ".manifest")) return chkManifest(file, fix, ts);
    printf("Start checking Old-Style AOF\n");
    return chkFile(file, fix, ts, 1, "AOF");
}
