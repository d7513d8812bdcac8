#include "ds/list.h"
#include "core/zmalloc.h"

list *listCreate(void) {
    list *l = zmalloc(sizeof(*l));
    l->head = l->tail = NULL;
    l->len = 0;
    l->free = NULL;
    return l;
}

void listEmpty(list *l) {
    listNode *n = l->head;
    while (n) {
        listNode *next = n->next;
        if (l->free) l->free(n->value);
        zfree(n);
        n = next;
    }
    l->head = l->tail = NULL;
    l->len = 0;
}

void listRelease(list *l) {
    if (!l) return;
    listEmpty(l);
    zfree(l);
}

list *listAddNodeHead(list *l, void *value) {
    listNode *n = zmalloc(sizeof(*n));
    n->value = value;
    n->prev = NULL;
    n->next = l->head;
    if (l->head) l->head->prev = n;
    else l->tail = n;
    l->head = n;
    l->len++;
    return l;
}

void listLinkNodeTail(list *l, listNode *n) {
    n->next = NULL;
    n->prev = l->tail;
    if (l->tail) l->tail->next = n;
    else l->head = n;
    l->tail = n;
    l->len++;
}

list *listAddNodeTail(list *l, void *value) {
    listNode *n = zmalloc(sizeof(*n));
    n->value = value;
    listLinkNodeTail(l, n);
    return l;
}

void listUnlinkNode(list *l, listNode *n) {
    if (n->prev) n->prev->next = n->next;
    else l->head = n->next;
    if (n->next) n->next->prev = n->prev;
    else l->tail = n->prev;
    n->prev = n->next = NULL;
    l->len--;
}

void listDelNode(list *l, listNode *n) {
    listUnlinkNode(l, n);
    if (l->free) l->free(n->value);
    zfree(n);
}

listNode *listSearchKey(list *l, void *value) {
    for (listNode *n = l->head; n; n = n->next)
        if (n->value == value) return n;
    return NULL;
}

listNode *listIndex(list *l, long index) {
    listNode *n;
    if (index < 0) {
        index = (-index) - 1;
        n = l->tail;
        while (index-- && n) n = n->prev;
    } else {
        n = l->head;
        while (index-- && n) n = n->next;
    }
    return n;
}

void listRewind(list *l, listIter *it) { it->next = l->head; it->forward = 1; }
void listRewindTail(list *l, listIter *it) { it->next = l->tail; it->forward = 0; }

listNode *listNext(listIter *it) {
    listNode *cur = it->next;
    if (cur) it->next = it->forward ? cur->next : cur->prev;
    return cur;
}

void listRotateHeadToTail(list *l) {
    if (l->len <= 1) return;
    listNode *h = l->head;
    listUnlinkNode(l, h);
    listLinkNodeTail(l, h);
}

void listJoin(list *l, list *other) {
    if (!other->head) return;
    if (l->tail) {
        l->tail->next = other->head;
        other->head->prev = l->tail;
    } else {
        l->head = other->head;
    }
    l->tail = other->tail;
    l->len += other->len;
    other->head = other->tail = NULL;
    other->len = 0;
}
