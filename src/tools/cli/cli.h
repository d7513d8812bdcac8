/* valkey-cli internals shared by the files of src/tools/cli/. The CLI is a
 * plain blocking client: one connection (cliConn), one global configuration
 * (cliCfg), replies parsed by protocol/resp_reader. It never touches server state. */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H
#include <stddef.h>
#include <sys/types.h> /* bstr.h uses ssize_t */
#include "ds/bstr.h"
#include "protocol/resp_reader.h"

#include "core/version.h"
#define CLI_VERSION VALKEY_VERSION

enum cliOutput { CLI_OUT_STANDARD, CLI_OUT_RAW, CLI_OUT_CSV, CLI_OUT_JSON, CLI_OUT_QUOTED_JSON };

typedef struct cliConfig {
    char *hostip;
    int hostport;
    char *hostsocket;
    char *user;
    char *auth;
    int askpass;
    int no_auth_warning;
    int dbnum;          /* requested db (-n, URI, SELECT in the REPL) */
    int input_dbnum;    /* db the connection currently uses */
    long long repeat;
    double interval;    /* seconds between repeats, and for --stat/--latency-history */
    int interactive;
    int output;
    int output_explicit;/* --raw/--no-raw/--csv/--json given */
    char *mb_delim;     /* -d: between elements in raw output */
    char *cmd_delim;    /* -D: between replies in raw output */
    int stdin_lastarg;  /* -x */
    int stdin_tag_arg;  /* -X tag */
    char *stdin_tag_name;
    int exit_on_error;  /* -e */
    int resp3;          /* -3 (or HELLO 3 typed at the prompt) */
    int resp_current;   /* protocol the connection is speaking now */
    int in_multi;
    int pubsub_mode;
    int hints;
    int verbose;
    /* Tool modes. */
    int pipe_mode;
    int pipe_timeout;
    int scan_mode;
    char *pattern;
    int quoted_pattern;
    long long count;
    int bigkeys, memkeys, keystats, hotkeys;
    long long memkeys_samples;
    int stat_mode;
    int latency_mode, latency_history, latency_dist;
    int rdb_mode, functions_rdb;
    char *rdb_filename;
    int replica_mode;
    char *eval_file;
    int eval_ldb;
    int lru_test;
    long long lru_test_size;
    int intrinsic_latency;
    int intrinsic_seconds;
    int last_reply_error;
    /* TLS (BUILD_TLS=yes only): --tls and friends, or a valkeys:// URI. */
    int tls, insecure;
    char *sni, *cacert, *cacertdir, *cert, *key, *tls_ciphers, *tls_ciphersuites;
} cliConfig;

extern cliConfig cliCfg;

/* Connection (cli_conn.c). */
typedef struct cliConn {
    int fd;
    respReader *reader;
    void *ssl;   /* SSL* when the link is TLS, else NULL */
} cliConn;

extern cliConn *cliLink;

cliConn *cliConnect(const char *host, int port, const char *sock, int quiet);
void cliConnClose(cliConn *c);
int cliWriteAll(cliConn *c, const char *buf, size_t len);
/* read(2)/write(2) on the link, through TLS when it is one (errno EAGAIN when it would block). */
ssize_t cliConnRead(cliConn *c, void *buf, size_t len);
ssize_t cliConnWrite(cliConn *c, const void *buf, size_t len);
/* Blocks until one reply arrives. NULL on I/O or protocol error (errno-ish text printed). */
respValue *cliReadReply(cliConn *c);
respValue *cliCommandArgv(cliConn *c, int argc, const char **argv, const size_t *lens);
respValue *cliCommandf(cliConn *c, const char *fmt, ...);
/* Connects with the configured credentials/db/protocol; 0 ok, -1 failure. */
int cliConnectConfigured(int force, int quiet);

/* Output formatting (cli_format.c). */
bstr cliFormatReply(const respValue *v, int output);
bstr cliFormatTTY(const respValue *v, const char *prefix);
bstr cliFormatJSONString(bstr out, const char *s, size_t len, int quoted);

/* Help table and completion (cli_help.c). */
void cliHelpInit(void);
void cliHelpLoadFromServer(void);
void cliHelpCommand(int argc, bstr *argv);
const char *cliHelpCompletion(const char *prefix, int idx);
const char *cliHelpHint(const char *line);

/* Interactive mode (cli_repl.c). */
void cliRepl(void);
int cliIssueCommand(int argc, bstr *argv, long long repeat, double interval);

/* Tool modes (cli_tools.c). */
int cliPipeMode(void);
int cliScanMode(void);
int cliFindBigKeys(int memkeys);
int cliKeyStats(void);
int cliHotKeys(void);
int cliStatMode(void);
int cliLatencyMode(void);
int cliLatencyDistMode(void);
int cliRdbMode(void);
int cliReplicaMode(void);
int cliEvalMode(int argc, char **argv);
int cliIntrinsicLatency(void);

/* Shared helpers. */
void cliPrintError(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long cliMsNow(void);
long long cliUsNow(void);
#endif
