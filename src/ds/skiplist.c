/* skiplist: the ordered index of a big sorted set. See skiplist.h. */
#include "ds/skiplist.h"
#include "core/zmalloc.h"
#include <stdlib.h>

static zskiplistNode *zslCreateNode(int level, double score, bstr ele) {
    zskiplistNode *n = zmalloc(sizeof(*n) + (size_t)level * sizeof(struct zskiplistLevel));
    n->score = score;
    n->ele = ele;
    return n;
}

zskiplist *zslCreate(void) {
    zskiplist *zsl = zmalloc(sizeof(*zsl));
    zsl->level = 1;
    zsl->length = 0;
    zsl->header = zslCreateNode(ZSKIPLIST_MAXLEVEL, 0, NULL);
    for (int j = 0; j < ZSKIPLIST_MAXLEVEL; j++) {
        zsl->header->level[j].forward = NULL;
        zsl->header->level[j].span = 0;
    }
    zsl->header->backward = NULL;
    zsl->tail = NULL;
    return zsl;
}

void zslFreeNode(zskiplistNode *n) {
    bstrFree(n->ele);
    zfree(n);
}

void zslFree(zskiplist *zsl) {
    zskiplistNode *n = zsl->header->level[0].forward;
    zfree(zsl->header);
    while (n) {
        zskiplistNode *next = n->level[0].forward;
        zslFreeNode(n);
        n = next;
    }
    zfree(zsl);
}

static int zslRandomLevel(void) {
    int level = 1;
    while (level < ZSKIPLIST_MAXLEVEL && (random() & 0xFFFF) < (long)(ZSKIPLIST_P * 0xFFFF)) level++;
    return level;
}

/* Node a sorts before (score, ele)? */
static inline int nodeBefore(const zskiplistNode *a, double score, const char *ele, size_t len) {
    return a->score < score ||
           (a->score == score && zslMemberCmp(a->ele, bstrLen(a->ele), ele, len) < 0);
}

zskiplistNode *zslInsert(zskiplist *zsl, double score, bstr ele) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL], *x = zsl->header;
    unsigned long rank[ZSKIPLIST_MAXLEVEL];
    size_t len = bstrLen(ele);
    for (int i = zsl->level - 1; i >= 0; i--) {
        rank[i] = i == zsl->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward && nodeBefore(x->level[i].forward, score, ele, len)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int level = zslRandomLevel();
    if (level > zsl->level) {
        for (int i = zsl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            update[i]->level[i].span = zsl->length;
        }
        zsl->level = level;
    }
    x = zslCreateNode(level, score, ele);
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < zsl->level; i++) update[i]->level[i].span++;
    x->backward = (update[0] == zsl->header) ? NULL : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else zsl->tail = x;
    zsl->length++;
    return x;
}

static void zslUnlinkNode(zskiplist *zsl, zskiplistNode *x, zskiplistNode **update) {
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->level[zsl->level - 1].forward == NULL) zsl->level--;
    zsl->length--;
}

/* Unlinks the node with (score, ele); returns it (caller frees) or NULL. */
zskiplistNode *zslDetach(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL], *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && nodeBefore(x->level[i].forward, score, ele, len))
            x = x->level[i].forward;
        update[i] = x;
    }
    x = x->level[0].forward;
    if (x && x->score == score && zslMemberCmp(x->ele, bstrLen(x->ele), ele, len) == 0) {
        zslUnlinkNode(zsl, x, update);
        return x;
    }
    return NULL;
}

/* Changes a node's score, in place when its order is unaffected. NULL when
 * (cur, ele) is not in the list: callers treat that as a fatal bug. */
zskiplistNode *zslUpdateScore(zskiplist *zsl, double cur, bstr ele, double newscore) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL], *x = zsl->header;
    size_t len = bstrLen(ele);
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && nodeBefore(x->level[i].forward, cur, ele, len))
            x = x->level[i].forward;
        update[i] = x;
    }
    x = x->level[0].forward;
    if (!x || x->score != cur || x->ele != ele) return NULL; /* caller broke the contract */
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->level[0].forward == NULL || x->level[0].forward->score > newscore)) {
        x->score = newscore;
        return x;
    }
    zslUnlinkNode(zsl, x, update);
    zskiplistNode *n = zslInsert(zsl, newscore, x->ele);
    x->ele = NULL;
    zfree(x);
    return n;
}

unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *x = zsl->header;
    unsigned long rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward &&
               (x->level[i].forward->score < score ||
                (x->level[i].forward->score == score &&
                 zslMemberCmp(x->level[i].forward->ele, bstrLen(x->level[i].forward->ele), ele, len) <= 0))) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x->ele && x->score == score && zslMemberCmp(x->ele, bstrLen(x->ele), ele, len) == 0) return rank;
    }
    return 0;
}

zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank) {
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}
