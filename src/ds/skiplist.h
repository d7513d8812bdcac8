/* skiplist: the ordered index of a big sorted set. Nodes are ordered by
 * score, then by binary memcmp of members; spans on every level give ranks in
 * O(log N). Each node owns its bstr member; the header node holds none. */
#ifndef DS_SKIPLIST_H
#define DS_SKIPLIST_H
#include "ds/bstr.h"
#include <string.h>

#define ZSKIPLIST_MAXLEVEL 32
#define ZSKIPLIST_P 0.25

typedef struct zskiplistNode {
    bstr ele;
    double score;
    struct zskiplistNode *backward;
    struct zskiplistLevel {
        struct zskiplistNode *forward;
        unsigned long span;
    } level[];
} zskiplistNode;

typedef struct zskiplist {
    zskiplistNode *header, *tail;
    unsigned long length;
    int level;
} zskiplist;

/* Member order: bytewise, a proper prefix sorts first. */
static inline int zslMemberCmp(const char *a, size_t alen, const char *b, size_t blen) {
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : (alen > blen);
}

zskiplist *zslCreate(void);
void zslFree(zskiplist *zsl);
/* Inserts (ele ownership moves to the node). Caller ensures ele is absent. */
zskiplistNode *zslInsert(zskiplist *zsl, double score, bstr ele);
unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len); /* 1-based, 0 absent */
zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank);             /* 1-based */
/* Frees a node and its member. */
void zslFreeNode(zskiplistNode *n);
/* Unlinks the node with (score, ele); returns it (caller frees) or NULL. */
zskiplistNode *zslDetach(zskiplist *zsl, double score, const char *ele, size_t len);
/* Moves ele from score cur to newscore; NULL if (cur, ele) is absent. */
zskiplistNode *zslUpdateScore(zskiplist *zsl, double cur, bstr ele, double newscore);
#endif
