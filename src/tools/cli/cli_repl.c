/* valkey-cli interactive mode: prompt, libedit line editing with persistent
 * history and command-name completion, REPL-only commands (help, connect,
 * clear, quit, :set), repeat prefixes ("3 INCR x") and transparent reconnect. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <editline/readline.h>

#define CLI_HISTORY_MAX 100

static char *cliHistFile = NULL;

/* The file holds one plain line per entry (as valkey-cli writes it), not
 * libedit's escaped format, so both tools can share one history file. */
static void cliHistoryLoad(void) {
    FILE *f = fopen(cliHistFile, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n > 0) add_history(line);
    }
    free(line);
    fclose(f);
}

static void cliHistorySave(void) {
    FILE *f = fopen(cliHistFile, "w");
    if (!f) return;
    for (int i = 0; i < history_length; i++) {
        HIST_ENTRY *e = history_get(history_base + i);
        if (e && e->line) fprintf(f, "%s\n", e->line);
    }
    fclose(f);
}

static void cliHistoryInit(void) {
    const char *env = getenv("VALKEYCLI_HISTFILE");
    if (!env) env = getenv("REDISCLI_HISTFILE");
    if (env) {
        if (!*env || !strcmp(env, "/dev/null")) return;
        /* "~/x" is expanded like a shell would. */
        if (env[0] == '~' && env[1] == '/' && getenv("HOME")) {
            bstr p = bstrCatPrintf(bstrEmpty(), "%s%s", getenv("HOME"), env + 1);
            cliHistFile = zstrdup(p);
            bstrFree(p);
        } else {
            cliHistFile = zstrdup(env);
        }
    } else {
        const char *home = getenv("HOME");
        if (!home) return;
        bstr p = bstrCatPrintf(bstrEmpty(), "%s/.valkeycli_history", home);
        cliHistFile = zstrdup(p);
        bstrFree(p);
    }
    stifle_history(CLI_HISTORY_MAX);
    cliHistoryLoad();
}

/* Lines carrying secrets stay out of the history file. */
static int cliIsSensitive(int argc, bstr *argv) {
    if (argc == 0) return 0;
    const char *c = argv[0];
    if (!strcasecmp(c, "auth")) return 1;
    if (!strcasecmp(c, "hello") || !strcasecmp(c, "migrate")) {
        for (int i = 1; i < argc; i++)
            if (!strcasecmp(argv[i], "auth") || !strcasecmp(argv[i], "auth2")) return 1;
    }
    if (!strcasecmp(c, "acl") && argc > 1 && !strcasecmp(argv[1], "setuser")) return 1;
    if (!strcasecmp(c, "config") && argc > 2 && !strcasecmp(argv[1], "set")) {
        for (int i = 2; i < argc; i += 2)
            if (!strcasecmp(argv[i], "masterauth") || !strcasecmp(argv[i], "masteruser") ||
                !strcasecmp(argv[i], "primaryauth") || !strcasecmp(argv[i], "primaryuser") ||
                !strcasecmp(argv[i], "requirepass"))
                return 1;
    }
    return 0;
}

static void cliHistoryAdd(const char *line) {
    if (!cliHistFile) return;
    add_history(line);
    cliHistorySave();
}

static bstr cliPrompt(void) {
    bstr p = bstrEmpty();
    if (!cliLink) return bstrCat(p, "not connected> ");
    if (cliCfg.hostsocket) p = bstrCatPrintf(p, "valkey %s", cliCfg.hostsocket);
    else if (strchr(cliCfg.hostip, ':')) p = bstrCatPrintf(p, "[%s]:%d", cliCfg.hostip, cliCfg.hostport);
    else p = bstrCatPrintf(p, "%s:%d", cliCfg.hostip, cliCfg.hostport);
    if (cliCfg.dbnum) p = bstrCatPrintf(p, "[%d]", cliCfg.dbnum);
    if (cliCfg.in_multi) p = bstrCat(p, "(TX)");
    return bstrCat(p, "> ");
}

static char *cliCompletionGenerator(const char *text, int state) {
    const char *m = cliHelpCompletion(text, state);
    /* libedit frees what we return with free(), so it must come from malloc. */
    return m ? strdup(m) : NULL;
}

static char **cliCompletion(const char *text, int start, int end) {
    (void)end;
    rl_attempted_completion_over = 1;
    const char *line = rl_line_buffer;
    while (*line == ' ') line++;
    int first_word = (line - rl_line_buffer) >= start;
    int help_topic = !strncasecmp(line, "help ", 5);
    if (!first_word && !help_topic) return NULL;
    return rl_completion_matches(text, cliCompletionGenerator);
}

/* Sends a command, reconnecting once if the server went away (e.g. restarted). */
static void cliReplIssue(int argc, bstr *argv, long long repeat) {
    if (!cliLink) cliConnectConfigured(1, 1);
    if (cliLink && cliIssueCommand(argc, argv, repeat, cliCfg.interval) == 0) return;
    if (cliConnectConfigured(1, 0) < 0) return;
    if (cliIssueCommand(argc, argv, repeat, cliCfg.interval) < 0) {
        fprintf(stderr, "Error: %s\n", errno ? strerror(errno) : "Server closed the connection");
        cliConnClose(cliLink);
        cliLink = NULL;
    }
}

static int cliIsNumber(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

/* Handles one input line; returns 1 when the REPL should end. */
static int cliReplLine(const char *line) {
    int argc;
    bstr *argv = bstrSplitArgs(line, &argc);
    if (!argv) {
        printf("Invalid argument(s)\n");
        fflush(stdout);
        return 0;
    }
    if (argc == 0) { bstrFreeSplit(argv, argc); return 0; }
    if (isatty(STDIN_FILENO) && !cliIsSensitive(argc, argv)) cliHistoryAdd(line);
    int quit = 0;
    long long repeat = 1;
    bstr *av = argv;
    int ac = argc;
    if (ac > 1 && cliIsNumber(av[0])) {
        repeat = strtoll(av[0], NULL, 10);
        av++;
        ac--;
    }
    const char *cmd = av[0];
    if (!strcasecmp(cmd, "quit") || !strcasecmp(cmd, "exit")) {
        quit = 1;
    } else if (!strcasecmp(cmd, "help") || cmd[0] == '?') {
        cliHelpCommand(ac, av);
    } else if (!strcasecmp(cmd, "clear")) {
        printf("\x1b[H\x1b[2J");
    } else if (!strcasecmp(cmd, ":set") && ac == 2) {
        if (!strcasecmp(av[1], "hints")) cliCfg.hints = 1;
        else if (!strcasecmp(av[1], "nohints")) cliCfg.hints = 0;
    } else if (!strcasecmp(cmd, "connect") && ac >= 2) {
        zfree(cliCfg.hostip);
        cliCfg.hostip = zstrdup(av[1]);
        cliCfg.hostport = ac >= 3 ? atoi(av[2]) : 6379;
        cliCfg.hostsocket = NULL;
        cliCfg.dbnum = 0;
        if (cliConnectConfigured(1, 0) == 0) cliHelpLoadFromServer();
    } else {
        cliReplIssue(ac, av, repeat);
    }
    fflush(stdout);
    bstrFreeSplit(argv, argc);
    return quit;
}

static void cliReplPiped(void) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (cliReplLine(line)) break;
    }
    free(line);
}

void cliRepl(void) {
    cliHelpInit();
    cliConnectConfigured(0, 0);
    if (!isatty(STDIN_FILENO)) {
        cliReplPiped();
        return;
    }
    cliHelpLoadFromServer();
    cliHistoryInit();
    rl_readline_name = "valkey-cli";
    rl_attempted_completion_function = cliCompletion;
    rl_completion_append_character = ' ';
    for (;;) {
        bstr prompt = cliPrompt();
        char *line = readline(prompt);
        bstrFree(prompt);
        if (!line) break;
        int quit = line[0] ? cliReplLine(line) : 0;
        free(line);
        if (quit) break;
    }
}
