/* main: command-line handling (config file, --option value pairs, stdin
 * config), the tool personalities (check-rdb / check-aof share this binary),
 * daemonizing and the startup sequence. */
#include "server/server.h"
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

void initServerState(void);
int startServerListeners(void);
void initCommandTable(void);
int checkRdbMain(int argc, char **argv);
int checkAofMain(int argc, char **argv);

static void version(void) {
    printf("Valkey server v=%s sha=00000000:0 malloc=%s bits=%d build=0\n", VALKEY_VERSION, ZMALLOC_LIB,
           (int)(sizeof(long) == 8 ? 64 : 32));
    exit(0);
}

static void usage(void) {
    fprintf(stderr, "Usage: ./valkey-server [/path/to/valkey.conf] [options] [-]\n");
    fprintf(stderr, "       ./valkey-server - (read config from stdin)\n");
    fprintf(stderr, "       ./valkey-server -v or --version\n");
    fprintf(stderr, "       ./valkey-server -h or --help\n\n");
    fprintf(stderr, "Examples:\n");
    fprintf(stderr, "       ./valkey-server (run the server with default conf)\n");
    fprintf(stderr, "       echo 'maxmemory 128mb' | ./valkey-server -\n");
    fprintf(stderr, "       ./valkey-server /etc/valkey/6379.conf\n");
    fprintf(stderr, "       ./valkey-server --port 7777\n");
    fprintf(stderr, "       ./valkey-server --port 7777 --replicaof 127.0.0.1 8888\n");
    fprintf(stderr, "       ./valkey-server /etc/myvalkey.conf --loglevel verbose -\n");
    fprintf(stderr, "       ./valkey-server /etc/myvalkey.conf --loglevel verbose\n");
    exit(1);
}

static int endsWith(const char *s, const char *suffix) {
    size_t ls = strlen(s), lf = strlen(suffix);
    return ls >= lf && !strcmp(s + ls - lf, suffix);
}

static void daemonize(void) {
    if (fork() != 0) exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR, 0);
    if (fd != -1) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

static void createPidFile(void) {
    /* A daemon always leaves a pid file, at the default place unless told. */
    if (!server.pidfile && server.daemonize) server.pidfile = zstrdup("/var/run/valkey.pid");
    if (!server.pidfile) return;
    FILE *fp = fopen(server.pidfile, "w");
    if (fp) {
        fprintf(fp, "%d\n", (int)getpid());
        fclose(fp);
    } else {
        serverLog(LL_WARNING, "Failed to write PID file: %s", strerror(errno));
    }
}

/* Our own banner (always-show-logo yes, or a terminal with no logfile): the
 * "Port: N" and "PID: N" lines are what scripts and test harnesses grep for. */
static void showBanner(void) {
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "\n"
             "        ____                                                         \n"
             "       /    \\__________                Valkey %s (%s/%d) %d bit\n"
             "      |  ()  ___   _   _|               Running in %s mode\n"
             "       \\____/   |_| |_|                Port: %d\n"
             "                                       PID: %ld\n"
             "                                       https://valkey.io\n\n",
             VALKEY_VERSION, "00000000", 0, (int)(sizeof(long) * 8), server.sentinel_mode ? "sentinel" : "standalone",
             server.port, (long)getpid());
    serverLogRaw(LL_NOTICE | LL_RAW, buf);
}

static void announceStart(void) {
    int tty_only = (!server.logfile || !server.logfile[0]) && isatty(fileno(stdout));
    if (server.always_show_logo || tty_only) showBanner();
    else serverLog(LL_NOTICE, "Running mode=%s, port=%d.", server.sentinel_mode ? "sentinel" : "standalone", server.port);
}

/* systemd readiness: through sd_notify with libsystemd (USE_SYSTEMD=yes), else
 * by sending the same datagram to $NOTIFY_SOCKET ourselves (it is that simple). */
static int notifySystemd(const char *msg) {
#ifdef HAVE_LIBSYSTEMD
    return sd_notify(0, msg) > 0 ? 0 : -1;
#else
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = path ? strlen(path) : 0;
    if (len < 2 || (path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) return -1;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@') sa.sun_path[0] = '\0';   /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd == -1) return -1;
    ssize_t n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
    close(fd);
    return n == (ssize_t)strlen(msg) ? 0 : -1;
#endif
}

/* Tells the supervisor (supervised systemd|upstart|auto) we are ready. */
static void supervisionReady(void) {
    int mode = server.supervised_mode;
    if (mode == SUPERVISED_AUTODETECT)
        mode = getenv("NOTIFY_SOCKET") ? SUPERVISED_SYSTEMD : getenv("UPSTART_JOB") ? SUPERVISED_UPSTART : SUPERVISED_NONE;
    if (mode == SUPERVISED_SYSTEMD) {
        if (!getenv("NOTIFY_SOCKET")) {
            serverLog(LL_WARNING, "systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment variable not found!");
            return;
        }
        server.supervised = 1;
        serverLog(LL_NOTICE, "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.");
        if (notifySystemd("STATUS=Ready to accept connections\nREADY=1\n") != 0)
            serverLog(LL_WARNING, "Failed to notify systemd through NOTIFY_SOCKET");
    } else if (mode == SUPERVISED_UPSTART) {
        if (!getenv("UPSTART_JOB")) {
            serverLog(LL_WARNING, "upstart supervision requested, but UPSTART_JOB not found!");
            return;
        }
        server.supervised = 1;
        serverLog(LL_NOTICE, "supervised by upstart, will stop to signal readiness.");
        raise(SIGSTOP);   /* upstart's "expect stop" protocol */
        unsetenv("UPSTART_JOB");
    }
}

/* Collects "--name v1 v2" groups into "name v1 v2\n" lines for the config parser. */
static char *collectOptions(int argc, char **argv, int start, int *from_stdin) {
    bstr options = bstrEmpty();
    for (int j = start; j < argc; j++) {
        if (argv[j][0] == '-' && argv[j][1] == '\0' && (j == start || j == argc - 1)) {
            *from_stdin = 1;
            continue;
        }
        if (argv[j][0] == '-' && argv[j][1] == '-' && argv[j][2]) {
            if (bstrLen(options)) options = bstrCat(options, "\n");
            options = bstrCat(options, argv[j] + 2);
            options = bstrCat(options, " ");
        } else {
            /* A value: quote it so spaces and empty strings survive. */
            options = bstrCatRepr(options, argv[j], strlen(argv[j]));
            options = bstrCat(options, " ");
        }
    }
    char *copy = zstrdup(options);
    bstrFree(options);
    return copy;
}

int main(int argc, char **argv) {
    setlocale(LC_COLLATE, "");
    tzset();
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    uint8_t seed[16];
    getRandomBytes(seed, sizeof(seed));
    htSetHashSeed(seed);

    const char *exe = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strstr(exe, "check-rdb")) return checkRdbMain(argc, argv);
    if (strstr(exe, "check-aof")) return checkAofMain(argc, argv);

    initConfigValues();
    server.executable = getAbsolutePath(argv[0]);
    server.exec_argv = argv;

    char *configfile = NULL;
    int config_from_stdin = 0;
    char *options = NULL;
    if (argc >= 2) {
        if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) version();
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) usage();
        int start = 1;
        if (argv[1][0] != '-') {
            configfile = argv[1];
            start = 2;
        }
        options = collectOptions(argc, argv, start, &config_from_stdin);
        if (configfile) server.configfile = getAbsolutePath(configfile);
        loadServerConfig(server.configfile, (char)config_from_stdin, options);
        zfree(options);
    } else {
        printf("Warning: no config file specified, using the default config. In order to specify a config file use %s /path/to/valkey.conf\n", argv[0]);
    }
    (void)endsWith;
    if (server.daemonize) daemonize();
    if (server.syslog_enabled) openlog(server.syslog_ident, LOG_PID | LOG_NDELAY | LOG_NOWAIT, server.syslog_facility);
    initServerState();
    initCommandTable();
    aclInit();
    createPidFile();
    serverLog(LL_NOTICE, "oO0OoO0OoO0Oo Valkey is starting oO0OoO0OoO0Oo");
    serverLog(LL_NOTICE, "Valkey version=%s, bits=%d, commit=00000000, modified=0, pid=%d, just started", VALKEY_VERSION,
              (int)(sizeof(long) * 8), (int)getpid());
    if (startServerListeners() != 0) exit(1);
    announceStart();
    serverLog(LL_NOTICE, "Server initialized");
    if (rdbLoadAtStartup() != 0) exit(1);
    if (server.ipfd_count > 0) serverLog(LL_NOTICE, "Ready to accept connections tcp");
    if (server.tlsfd_count > 0) serverLog(LL_NOTICE, "Ready to accept connections tls");
    if (server.sofd > 0) serverLog(LL_NOTICE, "Ready to accept connections unix");
    supervisionReady();
    replicationStartFromConfig();
    elMain(server.el);
    return 0;
}
