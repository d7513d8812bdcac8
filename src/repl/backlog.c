/* backlog: the replication stream kept in memory as a list of blocks. One
 * copy serves both PSYNC (the backlog window) and every replica's output: a
 * replica's cursor holds a reference on the block it is reading, and a block
 * is dropped from the head only when no cursor is in it and the window stays
 * at least repl-backlog-size long. */
#include "repl/repl.h"
#include "core/tls.h"
#include <errno.h>
#include <sys/uio.h>
#include <string.h>
#include <unistd.h>

#define REPL_BLOCK_SIZE (16 * 1024)

static list *blocks = NULL;     /* replBufBlock*, oldest first */
static size_t blocks_mem = 0;
static long long histlen = 0;   /* bytes held from the head block's first byte */

int replBacklogExists(void) { return blocks != NULL; }

void replBacklogCreate(void) {
    if (blocks) return;
    blocks = listCreate();
    histlen = 0;
    blocks_mem = 0;
}

static void freeBlockNode(listNode *ln) {
    replBufBlock *b = listNodeValue(ln);
    blocks_mem -= b->size + sizeof(*b);
    zfree(b);
    listDelNode(blocks, ln);
}

/* Cursors must have been released by their owners first. */
void replBacklogFree(void) {
    if (!blocks) return;
    while (listLength(blocks)) freeBlockNode(listFirst(blocks));
    listRelease(blocks);
    blocks = NULL;
    histlen = 0;
}

static replBufBlock *newBlock(size_t need) {
    size_t size = need > REPL_BLOCK_SIZE ? need : REPL_BLOCK_SIZE;
    replBufBlock *b = zmalloc(sizeof(*b) + size);
    /* Use the allocator's slack too, so blocks_mem is what the allocator
     * really holds (eviction subtracts it from used memory). */
    size = zmalloc_size(b) - sizeof(*b);
    b->refcount = 0;
    b->size = size;
    b->used = 0;
    b->repl_offset = server.primary_repl_offset + 1;
    listAddNodeTail(blocks, b);
    blocks_mem += size + sizeof(*b);
    return b;
}

void replBacklogTrim(void) {
    if (!blocks) return;
    while (listLength(blocks) > 1) {
        listNode *ln = listFirst(blocks);
        replBufBlock *b = listNodeValue(ln);
        if (b->refcount > 0 || histlen - (long long)b->used < server.repl_backlog_size) break;
        histlen -= (long long)b->used;
        freeBlockNode(ln);
    }
}

void replBacklogResize(void) { replBacklogTrim(); }

/* Appends stream bytes and advances the global offset. */
void replBacklogAppend(const char *p, size_t len) {
    if (!blocks) replBacklogCreate();
    while (len) {
        listNode *ln = listLast(blocks);
        replBufBlock *b = ln ? listNodeValue(ln) : NULL;
        if (!b || b->used == b->size) b = newBlock(len);
        size_t n = b->size - b->used < len ? b->size - b->used : len;
        memcpy(b->buf + b->used, p, n);
        b->used += n;
        p += n;
        len -= n;
        histlen += (long long)n;
        server.primary_repl_offset += (long long)n;
    }
    replBacklogTrim();
}

long long replBacklogFirstOffset(void) {
    if (!blocks || !listLength(blocks)) return server.primary_repl_offset + 1;
    return ((replBufBlock *)listNodeValue(listFirst(blocks)))->repl_offset;
}

long long replBacklogHistlen(void) { return blocks ? histlen : 0; }
size_t replBacklogMemory(void) { return blocks ? blocks_mem : 0; }
size_t replicationBuffersMemory(void) { return replBacklogMemory(); }

static void cursorSet(replCursor *cur, listNode *ln, size_t pos) {
    if (ln) ((replBufBlock *)listNodeValue(ln))->refcount++;
    if (cur->node) ((replBufBlock *)listNodeValue(cur->node))->refcount--;
    cur->node = ln;
    cur->pos = pos;
}

/* Positions cur so the next byte it sends is `offset`. */
int replBacklogAttach(replCursor *cur, long long offset) {
    if (!blocks) replBacklogCreate();
    if (offset < replBacklogFirstOffset() || offset > server.primary_repl_offset + 1) return -1;
    listNode *ln = listLast(blocks);
    replBufBlock *b = ln ? listNodeValue(ln) : NULL;
    if (!b || (offset == server.primary_repl_offset + 1 && b->used == b->size)) {
        b = newBlock(REPL_BLOCK_SIZE);
        cursorSet(cur, listLast(blocks), 0);
        return 0;
    }
    while (ln) {
        b = listNodeValue(ln);
        if (offset >= b->repl_offset) break;
        ln = listPrevNode(ln);
    }
    if (!ln) return -1;
    cursorSet(cur, ln, (size_t)(offset - b->repl_offset));
    return 0;
}

void replCursorRelease(replCursor *cur) {
    if (!cur->node) return;
    cursorSet(cur, NULL, 0);
    replBacklogTrim();
}

void replCursorCopy(replCursor *dst, const replCursor *src) { cursorSet(dst, src->node, src->pos); }

long long replCursorOffset(const replCursor *cur) {
    if (!cur->node) return server.primary_repl_offset + 1;
    replBufBlock *b = listNodeValue(cur->node);
    return b->repl_offset + (long long)cur->pos;
}

long long replCursorPending(const replCursor *cur) {
    if (!cur->node) return 0;
    return server.primary_repl_offset + 1 - replCursorOffset(cur);
}

/* Writes as much as the socket takes; moves the cursor over full blocks. */
ssize_t replCursorWrite(replCursor *cur, int fd) {
    ssize_t total = 0;
    while (cur->node) {
        struct iovec iov[16];
        int cnt = 0;
        size_t pos = cur->pos;
        for (listNode *ln = cur->node; ln && cnt < 16; ln = listNextNode(ln)) {
            replBufBlock *b = listNodeValue(ln);
            if (b->used > pos) {
                iov[cnt].iov_base = b->buf + pos;
                iov[cnt].iov_len = b->used - pos;
                cnt++;
            }
            pos = 0;
        }
        if (!cnt) break;
        ssize_t n = connWritev(fd, iov, cnt);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        if (n == 0) break;
        total += n;
        size_t left = (size_t)n;
        while (left) {
            replBufBlock *b = listNodeValue(cur->node);
            size_t avail = b->used - cur->pos;
            if (left < avail) {
                cur->pos += left;
                left = 0;
            } else {
                left -= avail;
                cur->pos = b->used;
                if (b->used == b->size && listNextNode(cur->node)) cursorSet(cur, listNextNode(cur->node), 0);
                else if (left) break;
            }
        }
        if (total > 1024 * 1024) break;   /* let other clients run */
    }
    /* A cursor parked at the end of a full block moves on as soon as a next one exists. */
    if (cur->node) {
        replBufBlock *b = listNodeValue(cur->node);
        if (cur->pos == b->size && listNextNode(cur->node)) cursorSet(cur, listNextNode(cur->node), 0);
    }
    replBacklogTrim();
    return total;
}
