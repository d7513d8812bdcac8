/* valkey-cli interactive mode: prompt, line editing through libedit's native
 * API (persistent history, command-name completion, grey argument hints drawn
 * right of the cursor), REPL-only commands (help, connect, clear, quit, :set),
 * repeat prefixes ("3 INCR x") and transparent reconnect. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>
#include <histedit.h>

#define CLI_HISTORY_MAX 100

static char *cliHistFile = NULL;
static EditLine *cliEl = NULL;
static History *cliHist = NULL;
/* Our own copy of the entries, oldest first: the file is written from it. */
static char *cliHistLines[CLI_HISTORY_MAX];
static int cliHistLen = 0;
static bstr cliPromptText = NULL;

static void cliHistoryPush(const char *line) {
    HistEvent ev;
    history(cliHist, &ev, H_ENTER, line);
    if (cliHistLen == CLI_HISTORY_MAX) {
        zfree(cliHistLines[0]);
        memmove(cliHistLines, cliHistLines + 1, sizeof(char *) * (CLI_HISTORY_MAX - 1));
        cliHistLen--;
    }
    cliHistLines[cliHistLen++] = zstrdup(line);
}

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
        if (n > 0) cliHistoryPush(line);
    }
    free(line);
    fclose(f);
}

static void cliHistorySave(void) {
    FILE *f = fopen(cliHistFile, "w");
    if (!f) return;
    for (int i = 0; i < cliHistLen; i++) fprintf(f, "%s\n", cliHistLines[i]);
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
    cliHistoryPush(line);
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

static char *cliPromptFn(EditLine *el) {
    (void)el;
    return cliPromptText ? cliPromptText : "> ";
}

/* Display width of UTF-8 text, one column per code point (good enough for
 * placing the hint; wide glyphs only make us truncate it a bit late). */
static size_t cliTextWidth(const char *s, size_t len) {
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    return w;
}

static int cliTermColumns(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* Prints the hint for the line being edited right of the cursor and moves the
 * cursor back, so libedit's idea of the screen stays true once the hint is
 * erased again. Only done with the cursor at the end of a line that does not
 * wrap: libedit places the cursor itself and we could not undo a wrap.
 * Returns 1 when something was drawn. */
static int cliDrawHint(EditLine *el) {
    if (!cliCfg.hints) return 0;
    const LineInfo *li = el_line(el);
    if (li->cursor != li->lastchar || li->lastchar == li->buffer) return 0;
    bstr text = bstrNewLen(li->buffer, (size_t)(li->lastchar - li->buffer));
    const char *hint = cliHelpHint(text);
    size_t used = cliTextWidth(cliPromptText, bstrLen(cliPromptText)) + cliTextWidth(text, bstrLen(text));
    bstrFree(text);
    int cols = cliTermColumns();
    if (!hint || used + 1 >= (size_t)cols) return 0;
    int room = cols - (int)used - 1;
    int len = (int)strlen(hint);
    if (len > room) len = room;
    fflush(stdout);
    printf("\x1b[90m%.*s\x1b[0m\x1b[%dD", len, hint, (int)cliTextWidth(hint, (size_t)len));
    fflush(stdout);
    return 1;
}

/* Input hook: before blocking for the next key (never in the middle of a
 * burst such as an arrow-key sequence) the hint is drawn; once the key is in,
 * it is erased so libedit redraws on the screen it expects. */
static int cliGetChar(EditLine *el, wchar_t *out) {
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    int hinted = poll(&pfd, 1, 0) == 0 && cliDrawHint(el);
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    int rc;
    for (;;) {
        char ch;
        ssize_t n = read(STDIN_FILENO, &ch, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { rc = n == 0 ? 0 : -1; break; }
        wchar_t wc;
        size_t r = mbrtowc(&wc, &ch, 1, &st);
        if (r == (size_t)-2) continue;
        *out = r == (size_t)-1 ? (wchar_t)(unsigned char)ch : wc;
        rc = 1;
        break;
    }
    if (hinted) {
        printf("\x1b[K");
        fflush(stdout);
    }
    return rc;
}

/* Prints the candidates below the line, in columns, for an ambiguous Tab. */
static void cliListMatches(char **m, int n) {
    size_t w = 0;
    for (int i = 0; i < n; i++)
        if (strlen(m[i]) > w) w = strlen(m[i]);
    int per = cliTermColumns() / (int)(w + 2);
    if (per < 1) per = 1;
    printf("\n");
    for (int i = 0; i < n; i++)
        printf("%-*s%s", (int)w + 2, m[i], (i % per == per - 1 || i == n - 1) ? "\n" : "");
}

/* Tab: completes a command name (first word) or a "help" topic. A single
 * match is inserted with a trailing space, several are extended to their
 * common prefix, or listed when nothing can be added. */
static unsigned char cliCompleteFn(EditLine *el, int ch) {
    (void)ch;
    const LineInfo *li = el_line(el);
    const char *start = li->cursor;
    while (start > li->buffer && start[-1] != ' ') start--;
    const char *first = li->buffer;
    while (first < li->cursor && *first == ' ') first++;
    int help_topic = li->cursor - first >= 5 && !strncasecmp(first, "help ", 5);
    if (start != first && !help_topic) return CC_ERROR;
    bstr word = bstrNewLen(start, (size_t)(li->cursor - start));
    char *m[256];
    int n = 0;
    const char *c;
    while (n < 256 && (c = cliHelpCompletion(word, n)) != NULL) m[n++] = zstrdup(c);
    unsigned char ret = CC_REFRESH;
    if (n == 0) {
        ret = CC_ERROR;
    } else {
        size_t common = strlen(m[0]);
        for (int i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && m[i][k] == m[0][k]) k++;
            common = k;
        }
        if (n == 1 || common > bstrLen(word)) {
            el_deletestr(el, (int)bstrLen(word));
            m[0][common] = '\0';
            el_insertstr(el, m[0]);
            if (n == 1) el_insertstr(el, " ");
        } else {
            cliListMatches(m, n);
            ret = CC_REDISPLAY;
        }
    }
    for (int i = 0; i < n; i++) zfree(m[i]);
    bstrFree(word);
    return ret;
}

/* Ctrl-D: end of input on an empty line (without libedit's "^D" echo, which
 * valkey-cli does not print), otherwise delete the character under the cursor. */
static unsigned char cliCtrlDFn(EditLine *el, int ch) {
    (void)ch;
    const LineInfo *li = el_line(el);
    if (li->buffer == li->lastchar) return CC_EOF;
    if (li->cursor == li->lastchar) return CC_ERROR;
    el_cursor(el, 1);
    el_deletestr(el, 1);
    return CC_REFRESH;
}

static void cliEditInit(void) {
    cliHist = history_init();
    HistEvent ev;
    history(cliHist, &ev, H_SETSIZE, CLI_HISTORY_MAX);
    cliEl = el_init("valkey-cli", stdin, stdout, stderr);
    el_set(cliEl, EL_EDITOR, "emacs");
    el_set(cliEl, EL_SIGNAL, 1);
    el_set(cliEl, EL_PROMPT, cliPromptFn);
    el_set(cliEl, EL_HIST, history, cliHist);
    el_set(cliEl, EL_GETCFN, cliGetChar);
    el_set(cliEl, EL_ADDFN, "valkey-complete", "Complete a command name", cliCompleteFn);
    el_set(cliEl, EL_BIND, "^I", "valkey-complete", NULL);
    el_set(cliEl, EL_ADDFN, "valkey-ctrl-d", "Delete a character or end input", cliCtrlDFn);
    el_set(cliEl, EL_BIND, "^D", "valkey-ctrl-d", NULL);
    /* Readline habits: Ctrl-R searches the history backwards. */
    el_set(cliEl, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(cliEl, NULL);
}

void cliRepl(void) {
    cliHelpInit();
    cliConnectConfigured(0, 0);
    if (!isatty(STDIN_FILENO)) {
        cliReplPiped();
        return;
    }
    cliHelpLoadFromServer();
    cliEditInit();
    cliHistoryInit();
    for (;;) {
        bstrFree(cliPromptText);
        cliPromptText = cliPrompt();
        int count = 0;
        const char *got = el_gets(cliEl, &count);
        if (!got || count <= 0) break;
        bstr line = bstrNewLen(got, (size_t)count);
        while (bstrLen(line) && (line[bstrLen(line) - 1] == '\n' || line[bstrLen(line) - 1] == '\r'))
            bstrSetLen(line, bstrLen(line) - 1);
        int quit = line[0] ? cliReplLine(line) : 0;
        bstrFree(line);
        if (quit) break;
    }
    /* After Ctrl-D the cursor is still on the prompt line. */
    printf("\n");
    fflush(stdout);
    el_end(cliEl);
    history_end(cliHist);
}
