/* acl_int: what acl.c (users, selectors, rules, checks, ACL file) and
 * acl_cmd.c (the ACL LOG and the ACL command) share. Private to those two
 * files: the rest of the server uses the API declared in server/server.h. */
#ifndef SECURITY_ACL_INT_H
#define SECURITY_ACL_INT_H
#include "security/acl.h"

#define USER_ON (1u << 0)
#define USER_OFF (1u << 1)
#define USER_NOPASS (1u << 2)
#define USER_SKIP_SANITIZE (1u << 3)
#define USER_SANITIZE (1u << 4)

#define SEL_ROOT (1u << 0)
#define SEL_ALLKEYS (1u << 1)
#define SEL_ALLCOMMANDS (1u << 2)   /* every bit set: the check can skip the bitmap */
#define SEL_PLUSALL (1u << 3)       /* rules start from +@all (display; cleared only by -@all) */
#define SEL_ALLCHANNELS ACL_SEL_ALLCHANNELS

#define PERM_READ 1
#define PERM_WRITE 2
#define PERM_ALL (PERM_READ | PERM_WRITE)

#define HASH_HEX_LEN 64
#define LOG_GROUPING_MS 60000
#define LOG_CTX_TOPLEVEL 0
#define LOG_CTX_MULTI 1
#define LOG_CTX_LUA 2

/* Flags in the order ACL LIST and ACL GETUSER print them. */
static const struct { const char *name; unsigned flag; } userFlagNames[] = {
    {"on", USER_ON}, {"off", USER_OFF}, {"nopass", USER_NOPASS},
    {"skip-sanitize-payload", USER_SKIP_SANITIZE}, {"sanitize-payload", USER_SANITIZE}, {NULL, 0}};

typedef struct aclKeyPattern {
    int perm;      /* PERM_* */
    bstr pattern;
} aclKeyPattern;

typedef struct aclFirstArg {
    int id;        /* command id the first argument is allowed for */
    bstr arg;
} aclFirstArg;

typedef struct aclSelector {
    unsigned flags;
    uint64_t *cmds;     /* aclCmdWords words */
    list *firstargs;    /* aclFirstArg*: argv[1] values allowing an otherwise denied command */
    list *keys;         /* aclKeyPattern* */
    list *channels;     /* bstr */
    bstr rules;         /* +/- rules applied since the last +@all / -@all, for display */
} aclSelector;

typedef struct aclUser {
    bstr name;
    unsigned flags;
    list *passwords;    /* bstr, 64 hex chars */
    list *selectors;    /* aclSelector*, root first */
} aclUser;

typedef struct aclLogEntry {
    long long count;
    int reason, context;   /* context: LOG_CTX_* */
    bstr object, username, cinfo;
    mstime_t ctime, created;
    long long id;
} aclLogEntry;

extern hashtable *aclUsers;          /* bstr name -> aclUser* */

static inline aclSelector *userRoot(aclUser *u) { return listFirst(u->selectors)->value; }

aclUser *aclGetUser(const char *name, size_t len);
int aclLoadFromFile(const char *path, client *current, bstr *err);
int aclSaveToFile(const char *path);
int aclSetUserRules(const char *name, size_t nlen, bstr *rules, int nrules, bstr *err, aclUser **changed, int from_file);
int aclArgBytes(obj *o, char *buf, size_t buflen, const char **p, size_t *len);
void aclForEachCommand(void (*fn)(serverCommand *cmd, void *priv), void *priv);
int aclHasSpaces(const char *s, size_t len);
void aclKillClientsOfUser(aclUser *u, client *current);
void aclKillSubscribersWhoLostChannels(aclUser *u, client *current);
bstr aclSelDescribeChannels(aclSelector *s);
bstr aclSelDescribeCommands(aclSelector *s);
bstr aclSelDescribeKeys(aclSelector *s);
bstr *aclSortedUserNames(size_t *count);
void aclUserFree(aclUser *u);
bstr aclUserListLine(aclUser *u);
/* ACL_OK or the denial reason; *errpos names the offending argument. */
int aclUserCheckCommand(aclUser *u, serverCommand *cmd, obj **argv, int argc, int *errpos);
void aclAddLogEntry(client *c, int reason, int context, const char *object, size_t olen, const char *username, size_t ulen);
/* Creates the empty ACL LOG (acl_cmd.c owns its state). */
void aclLogInit(void);
#endif
