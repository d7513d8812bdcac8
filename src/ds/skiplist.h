/* skiplist: the ordered index of a big sorted set. Nodes are ordered by
 * score, then by binary memcmp of members; spans on every level give ranks in
 * O(log N). A node is one allocation: the fixed fields, `height` levels, then
 * the member as a read-only bstr (NUL-terminated). The distance to the next
 * node on level 0 is always 1, so level[0].span is free: it holds the node's
 * height (bits 0-7) and the size of the member's bstr header (bits 8-15),
 * which is what locates the member. Nodes never move or get reallocated while
 * they are in the list, so their addresses can be held elsewhere (the zset's
 * member table holds them). The header node holds no member. */
#ifndef DS_SKIPLIST_H
#define DS_SKIPLIST_H
#include "ds/bstr.h"
#include <string.h>

#define ZSKIPLIST_MAXLEVEL 32
#define ZSKIPLIST_P 0.25

typedef struct zskiplistNode {
    double score;
    struct zskiplistNode *backward;
    struct zskiplistLevel {
        struct zskiplistNode *forward;
        unsigned long span;   /* level 0: node metadata, see above */
    } level[];
} zskiplistNode;

typedef struct zskiplist {
    zskiplistNode *header, *tail;
    unsigned long length;
    int level;
} zskiplist;

static inline int zslNodeHeight(const zskiplistNode *n) { return (int)(n->level[0].span & 0xff); }

/* The embedded member: a bstr valid as long as the node; never free or grow it. */
static inline bstr zslNodeEle(const zskiplistNode *n) {
    unsigned long meta = n->level[0].span;
    return (char *)&n->level[meta & 0xff] + ((meta >> 8) & 0xff);
}

/* Member order: bytewise, a proper prefix sorts first. */
static inline int zslMemberCmp(const char *a, size_t alen, const char *b, size_t blen) {
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : (alen > blen);
}

zskiplist *zslCreate(void);
void zslFree(zskiplist *zsl);
/* Inserts a node holding a copy of ele. Caller ensures ele is absent. */
zskiplistNode *zslInsert(zskiplist *zsl, double score, const char *ele, size_t len);
unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len); /* 1-based, 0 absent */
zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank);             /* 1-based */
void zslFreeNode(zskiplistNode *n);
/* Unlinks the node with (score, ele); returns it (caller frees) or NULL. */
zskiplistNode *zslDetach(zskiplist *zsl, double score, const char *ele, size_t len);
/* Gives node n (in zsl) a new score, relinking the same node when its place
 * changes: n stays valid. */
void zslUpdateScore(zskiplist *zsl, zskiplistNode *n, double newscore);
#endif
