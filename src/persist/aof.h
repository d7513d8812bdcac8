/* aof: the multi-part append-only file (Valkey 7+ layout): a manifest in
 * `appenddirname` names one base (RDB with aof-base=1, or RESP commands) and
 * the incr files of RESP commands written since. Invariants: the manifest is
 * only replaced by rename() of a fully written, fsynced temp file; every file
 * it names exists; the incr file we append to is the manifest's last one,
 * except during the first rewrite after CONFIG SET appendonly yes. */
#ifndef PERSIST_AOF_H
#define PERSIST_AOF_H
#include "server/server.h"
#include <stdio.h>

#define AOF_STATE_OFF 0
#define AOF_STATE_ON 1
#define AOF_STATE_WAIT_REWRITE 2 /* enabled at runtime, base not written yet */

/* Core hooks (weak defaults in server/hooks.c or weak references). */
void feedAppendOnlyFile(int dictid, obj **argv, int argc);
void flushAppendOnlyFile(int force);
void aofCron(void);
void aofPrepareShutdown(void);
void aofStopForFullSync(void);
int aofLoadAtStartup(void);
int aofConfigChanged(const char **err);
void aofBackgroundRewriteDone(pid_t pid, int exitcode, int bysignal);
bstr aofGenInfoStatus(bstr info);
bstr aofGenInfoSizes(bstr info);
int aofRewriteBackground(void);

/* RESP command reader shared by the loader and valkey-check-aof. */
#define AOF_READ_OK 0
#define AOF_READ_EOF 1       /* clean end, at a command boundary */
#define AOF_READ_TRUNCATED 2 /* the file ends inside a command */
#define AOF_READ_BAD 3       /* not RESP */
#define AOF_READ_ANNOTATION 4
typedef struct aofCommand {
    bstr *argv;
    int argc;
    long long lines;       /* lines consumed (headers and payloads) */
    char annotation[128];  /* AOF_READ_ANNOTATION: the line without '#' and CRLF */
    const char *error;     /* AOF_READ_BAD / TRUNCATED: why */
    off_t error_pos;       /* where the failing read started */
    char errbuf[96];
} aofCommand;
int aofReadCommand(FILE *fp, aofCommand *cmd);
void aofCommandFree(aofCommand *cmd);

void bgrewriteaofCommand(client *c);
int checkAofMain(int argc, char **argv);
extern const serverCommandDef aofCommandTable[];
#endif
