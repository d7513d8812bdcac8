/* skiplist: the ordered index of a big sorted set. See skiplist.h. */
#include "ds/skiplist.h"
#include "core/zmalloc.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

/* Level 0 always spans one node; its span field carries the metadata. */
static inline unsigned long spanOf(const zskiplistNode *x, int i) { return i ? x->level[i].span : 1; }

/* The narrowest bstr header for a read-only string of len bytes. */
static size_t memberHeaderSize(size_t len) {
    if (len <= BSTR_T5_MAXLEN) return 1;
    if (len <= UINT8_MAX) return sizeof(struct bstrh8);
    if (len <= UINT16_MAX) return sizeof(struct bstrh16);
    if (len <= UINT32_MAX) return sizeof(struct bstrh32);
    return sizeof(struct bstrh64);
}

static void writeMember(char *dst, size_t hdr, const char *ele, size_t len) {
    char *s = dst + hdr;
    switch (hdr) {
    case 1: dst[0] = (char)(BSTR_T5 | (len << 3)); break;
    case sizeof(struct bstrh8): {
        struct bstrh8 *h = (struct bstrh8 *)dst;
        h->len = h->alloc = (uint8_t)len;
        h->flags = BSTR_T8;
        break;
    }
    case sizeof(struct bstrh16): {
        struct bstrh16 *h = (struct bstrh16 *)dst;
        h->len = h->alloc = (uint16_t)len;
        h->flags = BSTR_T16;
        break;
    }
    case sizeof(struct bstrh32): {
        struct bstrh32 *h = (struct bstrh32 *)dst;
        h->len = h->alloc = (uint32_t)len;
        h->flags = BSTR_T32;
        break;
    }
    default: {
        struct bstrh64 *h = (struct bstrh64 *)dst;
        h->len = h->alloc = (uint64_t)len;
        h->flags = BSTR_T64;
        break;
    }
    }
    if (len) memcpy(s, ele, len);
    s[len] = '\0';
}

static zskiplistNode *zslCreateNode(int height, double score, const char *ele, size_t len) {
    size_t hdr = ele ? memberHeaderSize(len) : 0;
    size_t member = ele ? hdr + len + 1 : 0;
    zskiplistNode *n = zmalloc(sizeof(*n) + (size_t)height * sizeof(struct zskiplistLevel) + member);
    n->score = score;
    n->backward = NULL;
    n->level[0].span = (unsigned long)height | ((unsigned long)hdr << 8);
    if (ele) writeMember((char *)&n->level[height], hdr, ele, len);
    return n;
}

zskiplist *zslCreate(void) {
    zskiplist *zsl = zmalloc(sizeof(*zsl));
    zsl->level = 1;
    zsl->length = 0;
    zsl->header = zslCreateNode(ZSKIPLIST_MAXLEVEL, 0, NULL, 0);
    for (int j = 0; j < ZSKIPLIST_MAXLEVEL; j++) {
        zsl->header->level[j].forward = NULL;
        if (j) zsl->header->level[j].span = 0;
    }
    zsl->tail = NULL;
    return zsl;
}

void zslFreeNode(zskiplistNode *n) { zfree(n); }

void zslFree(zskiplist *zsl) {
    zskiplistNode *n = zsl->header->level[0].forward;
    zfree(zsl->header);
    while (n) {
        zskiplistNode *next = n->level[0].forward;
        zfree(n);
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
    if (a->score != score) return a->score < score;
    bstr ae = zslNodeEle(a);
    return zslMemberCmp(ae, bstrLen(ae), ele, len) < 0;
}

/* Fills update[] with the last node before (score, ele) on every level of
 * the list, and rank[] (when not NULL) with their ranks. */
static void findPredecessors(zskiplist *zsl, double score, const char *ele, size_t len,
                             zskiplistNode **update, unsigned long *rank) {
    zskiplistNode *x = zsl->header;
    unsigned long r = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && nodeBefore(x->level[i].forward, score, ele, len)) {
            r += spanOf(x, i);
            x = x->level[i].forward;
        }
        update[i] = x;
        if (rank) rank[i] = r;
    }
}

/* Links the unlinked node x at its place for its score and member. */
static void linkNode(zskiplist *zsl, zskiplistNode *x) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    unsigned long rank[ZSKIPLIST_MAXLEVEL];
    bstr ele = zslNodeEle(x);
    findPredecessors(zsl, x->score, ele, bstrLen(ele), update, rank);
    int height = zslNodeHeight(x);
    if (height > zsl->level) {
        for (int i = zsl->level; i < height; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            update[i]->level[i].span = zsl->length;
        }
        zsl->level = height;
    }
    for (int i = 0; i < height; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        if (i) {
            x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
            update[i]->level[i].span = (rank[0] - rank[i]) + 1;
        }
    }
    for (int i = height; i < zsl->level; i++) update[i]->level[i].span++;
    x->backward = (update[0] == zsl->header) ? NULL : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x;
    else zsl->tail = x;
    zsl->length++;
}

zskiplistNode *zslInsert(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *x = zslCreateNode(zslRandomLevel(), score, ele ? ele : "", len);
    linkNode(zsl, x);
    return x;
}

static void zslUnlinkNode(zskiplist *zsl, zskiplistNode *x, zskiplistNode **update) {
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            if (i) update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1; /* i > 0: level 0 always reaches x */
        }
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward;
    else zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->level[zsl->level - 1].forward == NULL) zsl->level--;
    zsl->length--;
}

zskiplistNode *zslDetach(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    findPredecessors(zsl, score, ele, len, update, NULL);
    zskiplistNode *x = update[0]->level[0].forward;
    if (!x || x->score != score) return NULL;
    bstr xe = zslNodeEle(x);
    if (zslMemberCmp(xe, bstrLen(xe), ele, len) != 0) return NULL;
    zslUnlinkNode(zsl, x, update);
    return x;
}

void zslUpdateScore(zskiplist *zsl, zskiplistNode *n, double newscore) {
    /* Strict bounds: an equal neighbour score would make member order decide. */
    if ((n->backward == NULL || n->backward->score < newscore) &&
        (n->level[0].forward == NULL || n->level[0].forward->score > newscore)) {
        n->score = newscore;
        return;
    }
    zskiplistNode *update[ZSKIPLIST_MAXLEVEL];
    bstr ele = zslNodeEle(n);
    findPredecessors(zsl, n->score, ele, bstrLen(ele), update, NULL);
    assert(update[0]->level[0].forward == n && "node not in this skiplist");
    zslUnlinkNode(zsl, n, update);
    n->score = newscore;
    linkNode(zsl, n);
}

/* Node a sorts after (score, ele)? */
static inline int nodeAfter(const zskiplistNode *a, double score, const char *ele, size_t len) {
    if (a->score != score) return a->score > score;
    bstr ae = zslNodeEle(a);
    return zslMemberCmp(ae, bstrLen(ae), ele, len) > 0;
}

unsigned long zslGetRank(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplistNode *x = zsl->header;
    unsigned long rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        zskiplistNode *f;
        while ((f = x->level[i].forward) && !nodeAfter(f, score, ele, len)) {
            rank += spanOf(x, i);
            x = f;
        }
        if (x != zsl->header && x->score == score) {
            bstr xe = zslNodeEle(x);
            if (zslMemberCmp(xe, bstrLen(xe), ele, len) == 0) return rank;
        }
    }
    return 0;
}

zskiplistNode *zslGetElementByRank(zskiplist *zsl, unsigned long rank) {
    zskiplistNode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + spanOf(x, i) <= rank) {
            traversed += spanOf(x, i);
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}
