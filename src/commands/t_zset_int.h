/* t_zset_int: what t_zset.c (type, encodings, cursors, ZADD/ZRANGE families,
 * command table) and t_zset_ops.c (pops, ZRANDMEMBER, set algebra, ZSCAN)
 * share. Private to those two files: everything else uses commands/t_zset.h. */
#ifndef COMMANDS_T_ZSET_INT_H
#define COMMANDS_T_ZSET_INT_H
#include "commands/t_zset.h"
#include <limits.h>
#include <string.h>
#include <strings.h>

/* A position in either encoding, movable in both directions. */
typedef struct zcursor {
    obj *z;
    unsigned char *eptr, *sptr;
    zskiplistNode *ln;
} zcursor;

typedef struct zelem {
    const char *s;    /* NULL: integer ll */
    size_t len;
    long long ll;
    double score;
    char buf[LONG_STR_SIZE];
} zelem;

static inline const char *argPtr(obj *o, char *buf, size_t *len) { return objStrPtr(o, buf, LONG_STR_SIZE, len); }

static inline int argIs(obj *o, const char *word) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = argPtr(o, buf, &len);
    return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

static inline int argLong(obj *o, long *out) {
    char buf[LONG_STR_SIZE];
    size_t len;
    long long v;
    const char *s = argPtr(o, buf, &len);
    if (!string2ll(s, len, &v) || v < LONG_MIN || v > LONG_MAX) return 0;
    *out = (long)v;
    return 1;
}

static inline int argLongOrReply(client *c, obj *o, long *out) {
    if (argLong(o, out)) return 1;
    addReplyError(c, "ERR value is not an integer or out of range");
    return 0;
}

obj *createZsetObject(void);
int zcurValid(const zcursor *c);
void zcurGet(const zcursor *c, zelem *e);
const char *zelemStr(zelem *e, size_t *len);
void zcurNext(zcursor *c, int rev);
void zcurSeekRank(zcursor *c, obj *z, unsigned long rank);
const char *zzlElem(unsigned char *p, char *buf, size_t *len);
/* A *STORE with an empty result: deletes the destination, replies 0. */
void zsetReplyEmptyStore(client *c, obj *dstkey);

/* Key positions of commands shaped like ZUNION (numkeys, then keys). */
int keysOfNumkeys(obj **argv, int argc, int numkeysIndex, int *keyidx, int maxkeys, int withDst);

/* Handlers in t_zset_ops.c. */
void bzmpopCommand(client *c);
void bzpopmaxCommand(client *c);
void bzpopminCommand(client *c);
void zdiffCommand(client *c);
void zdiffstoreCommand(client *c);
void zinterCommand(client *c);
void zintercardCommand(client *c);
void zinterstoreCommand(client *c);
void zmpopCommand(client *c);
void zpopmaxCommand(client *c);
void zpopminCommand(client *c);
void zrandmemberCommand(client *c);
void zscanCommand(client *c);
void zunionCommand(client *c);
void zunionstoreCommand(client *c);
#endif
