/* valkey-cli entry point: option parsing, one-shot command execution (with
 * -r/-i repetition, -x/-X stdin arguments, -e exit codes) and dispatch to the
 * interactive REPL or to one of the tool modes. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

cliConfig cliCfg;

static void cliUsage(int status) {
    FILE *f = status ? stderr : stdout;
    fprintf(f,
"valkey-cli %s\n"
"\n"
"Usage: valkey-cli [OPTIONS] [cmd [arg [arg ...]]]\n"
"  -h <hostname>      Server hostname (default: 127.0.0.1).\n"
"  -p <port>          Server port (default: 6379).\n"
"  -s <socket>        Server socket (overrides hostname and port).\n"
"  -a <password>      Password used when connecting (see also --askpass).\n"
"  --user <username>  User name for ACL authentication (needs -a).\n"
"  --pass <password>  Same as -a.\n"
"  --askpass          Read the password from the terminal, without echo.\n"
"  -u <uri>           valkey://user:password@host:port/db (redis:// accepted).\n"
#ifdef USE_OPENSSL
"  --tls              Connect with TLS (a valkeys:// URI does too).\n"
"  --sni <host>       Server name indication for TLS.\n"
"  --cacert <file>    CA certificate file to verify the server with.\n"
"  --cacertdir <dir>  Directory of trusted CA certificates.\n"
"  --insecure         Do not verify the server's certificate.\n"
"  --cert <file>      Client certificate to authenticate with.\n"
"  --key <file>       Private key file of --cert.\n"
"  --tls-ciphers <list>       TLSv1.2 ciphers to offer.\n"
"  --tls-ciphersuites <list>  TLSv1.3 ciphersuites to offer.\n"
#endif
"  -r <repeat>        Run the command this many times (-1: forever).\n"
"  -i <interval>      Seconds to wait between repeats (decimals allowed).\n"
"  -n <db>            Database number.\n"
"  -2 / -3            Speak RESP2 (default) / RESP3 (sends HELLO 3).\n"
"  -x                 Use all of standard input as the last argument.\n"
"  -X <tag>           Use standard input for the argument equal to <tag>.\n"
"  -d <delimiter>     Separator of aggregate elements in raw output (default: \\n).\n"
"  -D <delimiter>     Separator of replies in raw output (default: \\n).\n"
"  -e                 Exit with status 1 when the command returns an error.\n"
"  --raw / --no-raw   Force raw / human output (default depends on whether stdout is a tty).\n"
"  --csv              CSV output.\n"
"  --json             JSON output.  --quoted-json  JSON with escaped binary strings.\n"
"  --show-pushes <yn> Print RESP3 push messages (default: yes on a tty).\n"
"  --stat             Rolling statistics of the server.\n"
"  --latency          Sample latency continuously.\n"
"  --latency-history  Like --latency, one line per -i interval (default 15 s).\n"
"  --latency-dist     Latency spectrum as text, one block per -i interval (default 1 s).\n"
"  --intrinsic-latency <sec>  Measure the latency of this machine.\n"
"  --rdb <filename>   Fetch an RDB snapshot from the server ('-' for stdout).\n"
"  --functions-rdb <filename>  Like --rdb, keeping only the functions.\n"
"  --replica          Act as a replica and print the replication stream.\n"
"  --pipe             Send raw RESP from stdin to the server (mass insertion).\n"
"  --pipe-timeout <n> Give up on --pipe after n seconds without replies (default 30, 0 = never).\n"
"  --bigkeys          Sample keys and report the biggest of each type.\n"
"  --memkeys          Sample keys and report the ones using most memory.\n"
"  --memkeys-samples <n>  MEMORY USAGE samples for --memkeys.\n"
"  --keystats         Key size statistics by type.\n"
"  --hotkeys          Sample keys by access frequency (needs an LFU maxmemory-policy).\n"
"  --scan             List keys with SCAN.  --pattern <pat>  --quoted-pattern <pat>  --count <n>\n"
"  --eval <file>      Run a Lua script: valkey-cli --eval f.lua key1 key2 , arg1 arg2\n"
"  --no-auth-warning  Do not warn about passwords given on the command line.\n"
"  --verbose          More details in some modes.\n"
"  --help             This text.\n"
"  -v, --version      Print the version.\n",
            CLI_VERSION);
    exit(status);
}

static void cliBadOption(const char *opt) {
    fprintf(stderr, "Unrecognized option or bad number of args for: '%s'\n", opt);
    exit(1);
}

static int cliHexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *cliPercentDecode(const char *p, size_t len) {
    char *out = zmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%' && i + 2 < len && cliHexDigit(p[i + 1]) >= 0 && cliHexDigit(p[i + 2]) >= 0) {
            out[o++] = (char)(cliHexDigit(p[i + 1]) * 16 + cliHexDigit(p[i + 2]));
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* valkey://[[user][:password]@]host[:port][/db] (redis:// too). */
static void cliParseUri(const char *uri) {
    const char *p = uri;
    if (!strncasecmp(p, "valkey://", 9)) p += 9;
    else if (!strncasecmp(p, "redis://", 8)) p += 8;
    else if (!strncasecmp(p, "valkeys://", 10) || !strncasecmp(p, "rediss://", 9)) {
#ifdef USE_OPENSSL
        cliCfg.tls = 1;
        p += (p[0] == 'v' || p[0] == 'V') ? 10 : 9;
#else
        fprintf(stderr, "Insecure URI scheme: this valkey-cli was built without TLS support\n");
        exit(1);
#endif
    } else {
        fprintf(stderr, "Invalid URI scheme\n");
        exit(1);
    }
    const char *end = p + strlen(p);
    const char *at = memrchr(p, '@', (size_t)(end - p));
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) {
            if (colon > p) cliCfg.user = cliPercentDecode(p, (size_t)(colon - p));
            cliCfg.auth = cliPercentDecode(colon + 1, (size_t)(at - colon - 1));
        } else {
            cliCfg.auth = cliPercentDecode(p, (size_t)(at - p));
        }
        p = at + 1;
    }
    const char *slash = strchr(p, '/');
    const char *hostend = slash ? slash : end;
    const char *colon = memrchr(p, ':', (size_t)(hostend - p));
    if (colon) {
        cliCfg.hostport = atoi(colon + 1);
        hostend = colon;
    }
    if (hostend > p) {
        zfree(cliCfg.hostip);
        cliCfg.hostip = cliPercentDecode(p, (size_t)(hostend - p));
    }
    if (slash && slash[1]) cliCfg.dbnum = atoi(slash + 1);
}

static char *cliAskPassword(void) {
    struct termios old, noecho;
    int istty = isatty(STDIN_FILENO);
    fprintf(stderr, "Please input password: ");
    fflush(stderr);
    if (istty && tcgetattr(STDIN_FILENO, &old) == 0) {
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &noecho);
    }
    char buf[1024];
    char *ok = fgets(buf, sizeof(buf), stdin);
    if (istty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    if (!ok) return zstrdup("");
    buf[strcspn(buf, "\r\n")] = '\0';
    return zstrdup(buf);
}

/* Turns "\n", "\t" etc. of -d/-D into the bytes they name. */
static char *cliUnescape(const char *s) {
    int argc;
    bstr quoted = bstrCatPrintf(bstrEmpty(), "\"%s\"", s);
    bstr *v = bstrSplitArgs(quoted, &argc);
    bstrFree(quoted);
    char *out = zstrdup(v && argc == 1 ? v[0] : s);
    if (v) bstrFreeSplit(v, argc);
    return out;
}

static int cliParseOptions(int argc, char **argv) {
    int i;
    int saw_auth_flag = 0;
    int resp_explicit = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
#define NEXT() (more ? argv[++i] : (cliBadOption(a), (char *)NULL))
        if (!strcmp(a, "-h") && more) { zfree(cliCfg.hostip); cliCfg.hostip = zstrdup(NEXT()); }
        else if (!strcmp(a, "-h")) cliUsage(0);
        else if (!strcmp(a, "--help")) cliUsage(0);
        else if (!strcmp(a, "-x")) cliCfg.stdin_lastarg = 1;
        else if (!strcmp(a, "-X")) { cliCfg.stdin_tag_arg = 1; cliCfg.stdin_tag_name = NEXT(); }
        else if (!strcmp(a, "-p")) cliCfg.hostport = atoi(NEXT());
        else if (!strcmp(a, "-s")) cliCfg.hostsocket = NEXT();
        else if (!strcmp(a, "-r")) cliCfg.repeat = strtoll(NEXT(), NULL, 10);
        else if (!strcmp(a, "-i")) cliCfg.interval = strtod(NEXT(), NULL);
        else if (!strcmp(a, "-n")) cliCfg.dbnum = atoi(NEXT());
        else if (!strcmp(a, "--no-auth-warning")) cliCfg.no_auth_warning = 1;
        else if (!strcmp(a, "--askpass")) cliCfg.askpass = 1;
        else if (!strcmp(a, "-a") || !strcmp(a, "--pass")) { cliCfg.auth = zstrdup(NEXT()); saw_auth_flag = 1; }
        else if (!strcmp(a, "--user")) cliCfg.user = zstrdup(NEXT());
#ifdef USE_OPENSSL
        else if (!strcmp(a, "--tls")) cliCfg.tls = 1;
        else if (!strcmp(a, "--sni")) cliCfg.sni = NEXT();
        else if (!strcmp(a, "--cacert")) cliCfg.cacert = NEXT();
        else if (!strcmp(a, "--cacertdir")) cliCfg.cacertdir = NEXT();
        else if (!strcmp(a, "--insecure")) cliCfg.insecure = 1;
        else if (!strcmp(a, "--cert")) cliCfg.cert = NEXT();
        else if (!strcmp(a, "--key")) cliCfg.key = NEXT();
        else if (!strcmp(a, "--tls-ciphers")) cliCfg.tls_ciphers = NEXT();
        else if (!strcmp(a, "--tls-ciphersuites")) cliCfg.tls_ciphersuites = NEXT();
#endif
        else if (!strcmp(a, "-u")) { cliParseUri(NEXT()); if (cliCfg.auth) saw_auth_flag = 1; }
        else if (!strcmp(a, "--raw")) { cliCfg.output = CLI_OUT_RAW; cliCfg.output_explicit = 1; }
        else if (!strcmp(a, "--no-raw")) { cliCfg.output = CLI_OUT_STANDARD; cliCfg.output_explicit = 1; }
        else if (!strcmp(a, "--csv")) { cliCfg.output = CLI_OUT_CSV; cliCfg.output_explicit = 1; }
        else if (!strcmp(a, "--json")) { cliCfg.output = CLI_OUT_JSON; cliCfg.output_explicit = 1; }
        else if (!strcmp(a, "--quoted-json")) { cliCfg.output = CLI_OUT_QUOTED_JSON; cliCfg.output_explicit = 1; }
        else if (!strcmp(a, "-d")) cliCfg.mb_delim = cliUnescape(NEXT());
        else if (!strcmp(a, "-D")) cliCfg.cmd_delim = cliUnescape(NEXT());
        else if (!strcmp(a, "-e")) cliCfg.exit_on_error = 1;
        else if (!strcmp(a, "-2")) { cliCfg.resp3 = 0; resp_explicit = 1; }
        else if (!strcmp(a, "-3")) { cliCfg.resp3 = 1; resp_explicit = 1; }
        else if (!strcmp(a, "-c") || !strcmp(a, "-4") || !strcmp(a, "-6")) { /* accepted; no cluster redirects */ }
        else if (!strcmp(a, "-t")) NEXT();
        else if (!strcmp(a, "--show-pushes")) NEXT();
        else if (!strcmp(a, "--verbose")) cliCfg.verbose = 1;
        else if (!strcmp(a, "--pipe")) cliCfg.pipe_mode = 1;
        else if (!strcmp(a, "--pipe-timeout")) cliCfg.pipe_timeout = atoi(NEXT());
        else if (!strcmp(a, "--scan")) cliCfg.scan_mode = 1;
        else if (!strcmp(a, "--pattern")) { cliCfg.pattern = NEXT(); cliCfg.quoted_pattern = 0; }
        else if (!strcmp(a, "--quoted-pattern")) { cliCfg.pattern = NEXT(); cliCfg.quoted_pattern = 1; }
        else if (!strcmp(a, "--count")) cliCfg.count = strtoll(NEXT(), NULL, 10);
        else if (!strcmp(a, "--bigkeys")) cliCfg.bigkeys = 1;
        else if (!strcmp(a, "--memkeys")) cliCfg.memkeys = 1;
        else if (!strcmp(a, "--memkeys-samples")) { cliCfg.memkeys = 1; cliCfg.memkeys_samples = strtoll(NEXT(), NULL, 10); }
        else if (!strcmp(a, "--keystats")) cliCfg.keystats = 1;
        else if (!strcmp(a, "--keystats-samples")) { cliCfg.keystats = 1; cliCfg.memkeys_samples = strtoll(NEXT(), NULL, 10); }
        else if (!strcmp(a, "--hotkeys")) cliCfg.hotkeys = 1;
        else if (!strcmp(a, "--stat")) cliCfg.stat_mode = 1;
        else if (!strcmp(a, "--latency")) cliCfg.latency_mode = 1;
        else if (!strcmp(a, "--latency-history")) { cliCfg.latency_mode = 1; cliCfg.latency_history = 1; }
        else if (!strcmp(a, "--latency-dist")) { cliCfg.latency_mode = 1; cliCfg.latency_dist = 1; }
        else if (!strcmp(a, "--intrinsic-latency")) { cliCfg.intrinsic_latency = 1; cliCfg.intrinsic_seconds = atoi(NEXT()); }
        else if (!strcmp(a, "--rdb")) { cliCfg.rdb_mode = 1; cliCfg.rdb_filename = NEXT(); }
        else if (!strcmp(a, "--functions-rdb")) { cliCfg.rdb_mode = 1; cliCfg.functions_rdb = 1; cliCfg.rdb_filename = NEXT(); }
        else if (!strcmp(a, "--replica") || !strcmp(a, "--slave")) cliCfg.replica_mode = 1;
        else if (!strcmp(a, "--eval")) cliCfg.eval_file = NEXT();
        else if (!strcmp(a, "--ldb") || !strcmp(a, "--ldb-sync-mode")) {
            fprintf(stderr, "--ldb is not supported by this valkey-cli\n");
            exit(1);
        }
        else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            printf("valkey-cli %s\n", CLI_VERSION);
            exit(0);
        }
        else if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) cliBadOption(a);
        else break;
#undef NEXT
    }
    /* JSON wants real maps and booleans: RESP3 unless -2 was asked for. */
    if (!resp_explicit && (cliCfg.output == CLI_OUT_JSON || cliCfg.output == CLI_OUT_QUOTED_JSON)) cliCfg.resp3 = 1;
    if (saw_auth_flag && !cliCfg.no_auth_warning)
        fprintf(stderr, "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n");
    return i;
}

static bstr cliReadAllStdin(void) {
    bstr s = bstrEmpty();
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) s = bstrCatLen(s, buf, n);
    return s;
}

/* Prints a reply in the configured format; errors go to stderr under -e. */
static void cliPrintReply(const respValue *v, int output) {
    if (v->type == RESP_T_ERROR && cliCfg.exit_on_error) {
        fprintf(stderr, "%s\n", v->str);
        return;
    }
    bstr out = cliFormatReply(v, output);
    fwrite(out, 1, bstrLen(out), stdout);
    fflush(stdout);
    bstrFree(out);
}

/* Tracks connection state a command changes: db for the prompt, MULTI, protocol. */
static void cliNoteCommandEffects(int argc, bstr *argv, const respValue *v) {
    if (v->type == RESP_T_ERROR || argc == 0) return;
    const char *cmd = argv[0];
    if (!strcasecmp(cmd, "select") && argc == 2) {
        cliCfg.dbnum = atoi(argv[1]);
        cliCfg.input_dbnum = cliCfg.dbnum;
    } else if (!strcasecmp(cmd, "multi")) {
        cliCfg.in_multi = 1;
    } else if (!strcasecmp(cmd, "exec") || !strcasecmp(cmd, "discard")) {
        cliCfg.in_multi = 0;
    } else if (!strcasecmp(cmd, "hello") && argc >= 2) {
        cliCfg.resp_current = atoi(argv[1]) == 3 ? 3 : 2;
        cliCfg.resp3 = cliCfg.resp_current == 3;
    } else if (!strcasecmp(cmd, "swapdb") || !strcasecmp(cmd, "reset")) {
        if (!strcasecmp(cmd, "reset")) {
            cliCfg.dbnum = cliCfg.input_dbnum = 0;
            cliCfg.in_multi = 0;
            cliCfg.resp_current = 2;
        }
    }
}

static int cliIsSubscribe(const char *cmd) {
    return !strcasecmp(cmd, "subscribe") || !strcasecmp(cmd, "psubscribe") || !strcasecmp(cmd, "ssubscribe");
}

/* Pub/Sub and MONITOR keep the connection streaming until interrupted. */
static int cliStreamReplies(int monitor) {
    for (;;) {
        respValue *v = cliReadReply(cliLink);
        if (!v) return -1;
        if (monitor && cliCfg.output == CLI_OUT_STANDARD && v->type == RESP_T_STATUS) {
            printf("%s\n", v->str);
            fflush(stdout);
        } else {
            cliPrintReply(v, cliCfg.output);
        }
        respValueFree(v);
    }
}

/* Sends one command (repeat times). 0 ok, -1 connection lost before a reply. */
int cliIssueCommand(int argc, bstr *argv, long long repeat, double interval) {
    size_t *lens = zmalloc(sizeof(size_t) * (size_t)argc);
    for (int i = 0; i < argc; i++) lens[i] = bstrLen(argv[i]);
    int rc = 0;
    cliCfg.last_reply_error = 0;
    while (repeat < 0 || repeat-- > 0) {
        if (!cliLink) { rc = -1; break; }
        size_t len;
        char *cmd = respFormatCommandArgv(argc, (const char **)argv, lens, &len);
        int wrc = cliWriteAll(cliLink, cmd, len);
        zfree(cmd);
        if (wrc == 0 && cliIsSubscribe(argv[0]) && cliCfg.output == CLI_OUT_STANDARD) {
            printf("Reading messages... (press Ctrl-C to quit)\n");
            fflush(stdout);
        }
        respValue *v = wrc == 0 ? cliReadReply(cliLink) : NULL;
        if (!v) { rc = -1; break; }
        /* Pushes that precede the reply (client tracking) are shown as they come. */
        while (v->type == RESP_T_PUSH && !cliIsSubscribe(argv[0])) {
            if (cliCfg.output == CLI_OUT_STANDARD && isatty(STDOUT_FILENO)) cliPrintReply(v, cliCfg.output);
            respValueFree(v);
            v = cliReadReply(cliLink);
            if (!v) break;
        }
        if (!v) { rc = -1; break; }
        if (v->type == RESP_T_ERROR) cliCfg.last_reply_error = 1;
        cliPrintReply(v, cliCfg.output);
        cliNoteCommandEffects(argc, argv, v);
        int is_err = v->type == RESP_T_ERROR;
        respValueFree(v);
        if (!is_err && cliIsSubscribe(argv[0])) { rc = cliStreamReplies(0); break; }
        if (!is_err && !strcasecmp(argv[0], "monitor")) { rc = cliStreamReplies(1); break; }
        if (is_err && cliCfg.exit_on_error) break;
        if (interval > 0 && repeat != 0) usleep((useconds_t)(interval * 1e6));
    }
    zfree(lens);
    return rc;
}

static int cliRunCommandLine(int argc, char **argv) {
    int n = argc;
    bstr *av = zmalloc(sizeof(bstr) * (size_t)(n + 1));
    for (int i = 0; i < argc; i++) av[i] = bstrNew(argv[i]);
    if (cliCfg.stdin_lastarg) {
        av[n++] = cliReadAllStdin();
    } else if (cliCfg.stdin_tag_arg) {
        bstr in = NULL;
        for (int i = 0; i < n; i++) {
            if (strcmp(av[i], cliCfg.stdin_tag_name)) continue;
            if (!in) in = cliReadAllStdin();
            bstrFree(av[i]);
            av[i] = bstrDup(in);
        }
        if (in) bstrFree(in);
    }
    if (cliConnectConfigured(0, 0) < 0) {
        for (int i = 0; i < n; i++) bstrFree(av[i]);
        zfree(av);
        return 1;
    }
    long long repeat = cliCfg.repeat ? cliCfg.repeat : 1;
    int rc = cliIssueCommand(n, av, repeat, cliCfg.interval);
    if (rc < 0) fprintf(stderr, "Error: %s\n", errno == ECONNRESET ? "Server closed the connection" : strerror(errno));
    for (int i = 0; i < n; i++) bstrFree(av[i]);
    zfree(av);
    if (rc < 0) return 1;
    return (cliCfg.exit_on_error && cliCfg.last_reply_error) ? 1 : 0;
}

static void cliDefaults(void) {
    memset(&cliCfg, 0, sizeof(cliCfg));
    cliCfg.hostip = zstrdup("127.0.0.1");
    cliCfg.hostport = 6379;
    cliCfg.repeat = 0;
    cliCfg.interval = 0;
    cliCfg.mb_delim = zstrdup("\n");
    cliCfg.cmd_delim = zstrdup("\n");
    cliCfg.pipe_timeout = 30;
    cliCfg.hints = 1;
    cliCfg.resp_current = 2;
    cliCfg.output = isatty(STDOUT_FILENO) ? CLI_OUT_STANDARD : CLI_OUT_RAW;
    const char *auth = getenv("VALKEYCLI_AUTH");
    if (!auth) auth = getenv("REDISCLI_AUTH");
    if (auth) cliCfg.auth = zstrdup(auth);
}

int main(int argc, char **argv) {
    cliDefaults();
    int first = cliParseOptions(argc, argv);
    argc -= first;
    argv += first;
    if (cliCfg.askpass) cliCfg.auth = cliAskPassword();
    signal(SIGPIPE, SIG_IGN);

    if (cliCfg.intrinsic_latency) return cliIntrinsicLatency();
    if (cliCfg.pipe_mode) return cliPipeMode();
    if (cliCfg.eval_file) return cliEvalMode(argc, argv);
    if (cliCfg.scan_mode) return cliScanMode();
    if (cliCfg.bigkeys || cliCfg.memkeys) return cliFindBigKeys(cliCfg.memkeys && !cliCfg.bigkeys);
    if (cliCfg.keystats) return cliKeyStats();
    if (cliCfg.hotkeys) return cliHotKeys();
    if (cliCfg.stat_mode) return cliStatMode();
    if (cliCfg.latency_mode) return cliCfg.latency_dist ? cliLatencyDistMode() : cliLatencyMode();
    if (cliCfg.rdb_mode) return cliRdbMode();
    if (cliCfg.replica_mode) return cliReplicaMode();

    if (argc == 0) {
        cliCfg.interactive = 1;
        cliRepl();
        return 0;
    }
    return cliRunCommandLine(argc, argv);
}
