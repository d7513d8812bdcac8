/* list: a generic doubly linked list of void* values (clients, reply blocks,
 * pending writes). Nodes can be unlinked in O(1) when the caller keeps them. */
#ifndef DS_LIST_H
#define DS_LIST_H
#include <stddef.h>

typedef struct listNode {
    struct listNode *prev, *next;
    void *value;
} listNode;

typedef struct list {
    listNode *head, *tail;
    void (*free)(void *value);
    unsigned long len;
} list;

typedef struct listIter {
    listNode *next;
    int forward;
} listIter;

#define listLength(l) ((l)->len)
#define listFirst(l) ((l)->head)
#define listLast(l) ((l)->tail)
#define listNodeValue(n) ((n)->value)
#define listNextNode(n) ((n)->next)
#define listPrevNode(n) ((n)->prev)

list *listCreate(void);
void listRelease(list *l);
void listEmpty(list *l);
list *listAddNodeHead(list *l, void *value);
list *listAddNodeTail(list *l, void *value);
void listLinkNodeTail(list *l, listNode *n);
void listUnlinkNode(list *l, listNode *n);   /* does not free the node */
void listDelNode(list *l, listNode *n);
listNode *listSearchKey(list *l, void *value);
listNode *listIndex(list *l, long index);
void listRewind(list *l, listIter *it);
void listRewindTail(list *l, listIter *it);
listNode *listNext(listIter *it);
void listRotateHeadToTail(list *l);
void listJoin(list *l, list *other);   /* moves all of other's nodes to l's tail */
#endif
