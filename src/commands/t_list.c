/* t_list: list type and commands. See t_list.h. */
#include "commands/t_list.h"
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ helpers */

static const char *listArgBytes(obj *o, char *buf, size_t buflen, size_t *len) {
    return objStrPtr(o, buf, buflen, len);
}

static size_t listArgLen(obj *o) {
    return sdsEncodedObject(o) ? bstrLen(objPtr(o)) : 0; /* integers are tiny: count as 0 */
}

static void addReplyListpackEntry(client *c, unsigned char *p) {
    int64_t v;
    unsigned char *s = lpGet(p, &v, NULL);
    if (s) addReplyBulkCBuffer(c, s, (size_t)v);
    else addReplyBulkLongLong(c, v);
}

static void addReplyQuicklistEntry(client *c, quicklistEntry *e) {
    if (e->value) addReplyBulkCBuffer(c, e->value, e->sz);
    else addReplyBulkLongLong(c, e->longval);
}

/* "left"/"right" -> LIST_HEAD/LIST_TAIL; replies a syntax error otherwise. */
static int getListPositionOrReply(client *c, obj *arg, int *where) {
    if (!strcasecmp(objPtr(arg), "left")) *where = LIST_HEAD;
    else if (!strcasecmp(objPtr(arg), "right")) *where = LIST_TAIL;
    else {
        addReplyErrorObject(c, shared.syntaxerr);
        return -1;
    }
    return 0;
}

static obj *listPositionObj(int where) { return where == LIST_HEAD ? shared.left : shared.right; }

/* ------------------------------------------------------- constructors */

obj *createQuicklistObject(void) {
    obj *o = createObject(OBJ_LIST, quicklistNew(server.list_max_listpack_size, server.list_compress_depth));
    o->encoding = OBJ_ENCODING_QUICKLIST;
    return o;
}

obj *createListListpackObject(void) {
    obj *o = createObject(OBJ_LIST, lpNew(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

void freeListObject(obj *o) {
    if (o->encoding == OBJ_ENCODING_QUICKLIST) quicklistRelease(objPtr(o));
    else if (o->encoding == OBJ_ENCODING_LISTPACK) lpFree(objPtr(o));
    else serverPanic("Unknown list encoding");
}

obj *listTypeDup(obj *o) {
    obj *d;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        d = createObject(OBJ_LIST, lpDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_LISTPACK;
    } else {
        d = createObject(OBJ_LIST, quicklistDup(objPtr(o)));
        d->encoding = OBJ_ENCODING_QUICKLIST;
    }
    return d;
}

unsigned long listTypeLength(const obj *subject) {
    if (subject->encoding == OBJ_ENCODING_LISTPACK) return lpLength(objPtr(subject));
    return quicklistCount(objPtr(subject));
}

/* --------------------------------------------------------- conversion */

static void listTypeConvertToQuicklist(obj *o) {
    quicklist *ql = quicklistNew(server.list_max_listpack_size, server.list_compress_depth);
    if (lpLength(objPtr(o))) quicklistAppendListpack(ql, objPtr(o));
    else lpFree(objPtr(o));
    objSetPtr(o, ql);
    o->encoding = OBJ_ENCODING_QUICKLIST;
}

static void listTypeTryConvertListpack(obj *o, obj **argv, int start, int end) {
    size_t add_bytes = 0, add_len = 0;
    if (argv) {
        for (int i = start; i <= end; i++) add_bytes += listArgLen(argv[i]);
        add_len = (size_t)(end - start + 1);
    }
    if (quicklistNodeExceedsLimit(server.list_max_listpack_size, lpBytes(objPtr(o)) + add_bytes,
                                  (unsigned int)(lpLength(objPtr(o)) + add_len)))
        listTypeConvertToQuicklist(o);
}

/* A quicklist turns back into a listpack only when it is one packed node
 * under the limit (half the limit while shrinking, to avoid flapping). */
static void listTypeTryConvertQuicklist(obj *o, int shrinking) {
    quicklist *ql = objPtr(o);
    if (ql->len != 1 || ql->head->container != QUICKLIST_NODE_CONTAINER_PACKED) return;
    size_t sz_limit;
    unsigned int count_limit;
    quicklistNodeLimit(server.list_max_listpack_size, &sz_limit, &count_limit);
    if (shrinking) {
        sz_limit /= 2;
        count_limit /= 2;
    }
    if (ql->head->sz > sz_limit || ql->count > count_limit) return;
    size_t sz;
    int must_free;
    unsigned char *data = quicklistNodeData(ql->head, &sz, &must_free);
    unsigned char *lp = must_free ? data : lpDup(data);
    quicklistRelease(ql);
    objSetPtr(o, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
}

static void listTypeTryConversionRaw(obj *o, int lct, obj **argv, int start, int end) {
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        if (lct == LIST_CONV_SHRINKING) return;
        listTypeTryConvertListpack(o, argv, start, end);
    } else if (o->encoding == OBJ_ENCODING_QUICKLIST) {
        if (lct == LIST_CONV_GROWING) return;
        listTypeTryConvertQuicklist(o, lct == LIST_CONV_SHRINKING);
    }
}

void listTypeTryConversion(obj *o, int lct) { listTypeTryConversionRaw(o, lct, NULL, 0, 0); }

static void listTypeTryConversionAppend(obj *o, obj **argv, int start, int end) {
    listTypeTryConversionRaw(o, LIST_CONV_GROWING, argv, start, end);
}

obj *listTypeCreateFromQuicklist(quicklist *ql) {
    quicklistSetOptions(ql, server.list_max_listpack_size, server.list_compress_depth);
    obj *o = createObject(OBJ_LIST, ql);
    o->encoding = OBJ_ENCODING_QUICKLIST;
    listTypeTryConversion(o, LIST_CONV_AUTO);
    return o;
}

obj *listTypeCreateFromListpack(unsigned char *lp) {
    obj *o = createObject(OBJ_LIST, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    listTypeTryConversionRaw(o, LIST_CONV_AUTO, NULL, 0, 0);
    return o;
}

/* ------------------------------------------------------- push and pop */

void listTypePushBuffer(obj *subject, const char *s, size_t len, int where) {
    if (subject->encoding == OBJ_ENCODING_QUICKLIST) {
        quicklistPush(objPtr(subject), s, len, where == LIST_HEAD ? QUICKLIST_HEAD : QUICKLIST_TAIL);
    } else if (where == LIST_HEAD) {
        objSetPtr(subject, lpPrepend(objPtr(subject), (const unsigned char *)s, (uint32_t)len));
    } else {
        objSetPtr(subject, lpAppend(objPtr(subject), (const unsigned char *)s, (uint32_t)len));
    }
}

void listTypePush(obj *subject, obj *value, int where) {
    if (subject->encoding == OBJ_ENCODING_LISTPACK && value->encoding == OBJ_ENCODING_INT) {
        long long v = (long)objPtr(value);
        objSetPtr(subject, where == LIST_HEAD ? lpPrependInteger(objPtr(subject), v) : lpAppendInteger(objPtr(subject), v));
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = listArgBytes(value, buf, sizeof(buf), &len);
    listTypePushBuffer(subject, s, len, where);
}

obj *listTypePop(obj *subject, int where) {
    if (subject->encoding == OBJ_ENCODING_QUICKLIST) {
        unsigned char *data;
        size_t sz;
        long long v;
        if (!quicklistPop(objPtr(subject), where == LIST_HEAD ? QUICKLIST_HEAD : QUICKLIST_TAIL, &data, &sz, &v))
            return NULL;
        if (!data) return createStringObjectFromLongLong(v);
        obj *o = createStringObject((char *)data, sz);
        zfree(data);
        return o;
    }
    unsigned char *lp = objPtr(subject);
    unsigned char *p = where == LIST_HEAD ? lpFirst(lp) : lpLast(lp);
    if (!p) return NULL;
    int64_t v;
    unsigned char *s = lpGet(p, &v, NULL);
    obj *o = s ? createStringObject((char *)s, (size_t)v) : createStringObjectFromLongLong(v);
    objSetPtr(subject, lpDelete(lp, p, NULL));
    return o;
}

/* ----------------------------------------------------------- iterator */

listTypeIterator *listTypeInitIterator(obj *subject, long index, unsigned char direction) {
    listTypeIterator *li = zmalloc(sizeof(*li));
    li->subject = subject;
    li->encoding = subject->encoding;
    li->direction = direction;
    li->iter = NULL;
    li->lpi = NULL;
    if (li->encoding == OBJ_ENCODING_LISTPACK) {
        li->lpi = lpSeek(objPtr(subject), index);
    } else {
        int dir = direction == LIST_TAIL ? AL_START_HEAD : AL_START_TAIL;
        li->iter = quicklistGetIteratorAtIdx(objPtr(subject), dir, index);
    }
    return li;
}

void listTypeReleaseIterator(listTypeIterator *li) {
    if (li->iter) quicklistReleaseIterator(li->iter);
    zfree(li);
}

int listTypeNext(listTypeIterator *li, listTypeEntry *entry) {
    entry->li = li;
    if (li->encoding == OBJ_ENCODING_LISTPACK) {
        if (!li->lpi) return 0;
        entry->lpe = li->lpi;
        li->lpi = li->direction == LIST_TAIL ? lpNext(objPtr(li->subject), li->lpi) : lpPrev(objPtr(li->subject), li->lpi);
        return 1;
    }
    return li->iter ? quicklistNext(li->iter, &entry->entry) : 0;
}

int listTypeGetValue(listTypeEntry *entry, const char **s, size_t *len, long long *ll) {
    if (entry->li->encoding == OBJ_ENCODING_LISTPACK) {
        int64_t v;
        unsigned char *p = lpGet(entry->lpe, &v, NULL);
        if (p) { *s = (const char *)p; *len = (size_t)v; return 1; }
        *ll = v;
        return 0;
    }
    if (entry->entry.value) {
        *s = (const char *)entry->entry.value;
        *len = entry->entry.sz;
        return 1;
    }
    *ll = entry->entry.longval;
    return 0;
}

obj *listTypeGet(listTypeEntry *entry) {
    const char *s;
    size_t len;
    long long v;
    if (listTypeGetValue(entry, &s, &len, &v)) return createStringObject(s, len);
    return createStringObjectFromLongLong(v);
}

void listTypeDelete(listTypeIterator *li, listTypeEntry *entry) {
    if (li->encoding == OBJ_ENCODING_QUICKLIST) {
        quicklistDelEntry(li->iter, &entry->entry);
        return;
    }
    unsigned char *p;
    unsigned char *lp = lpDelete(objPtr(li->subject), entry->lpe, &p);
    objSetPtr(li->subject, lp);
    if (li->direction == LIST_TAIL) li->lpi = p;
    else li->lpi = p ? lpPrev(lp, p) : lpLast(lp);
}

static int listTypeEqual(listTypeEntry *entry, obj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = listArgBytes(o, buf, sizeof(buf), &len);
    if (entry->li->encoding == OBJ_ENCODING_LISTPACK) return lpCompare(entry->lpe, (const unsigned char *)s, (uint32_t)len);
    return quicklistCompare(&entry->entry, (const unsigned char *)s, len);
}

/* Inserts before (LIST_HEAD) or after (LIST_TAIL) the entry; the iterator is
 * unusable afterwards. */
static void listTypeInsert(listTypeEntry *entry, obj *value, int where) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = listArgBytes(value, buf, sizeof(buf), &len);
    listTypeIterator *li = entry->li;
    if (li->encoding == OBJ_ENCODING_LISTPACK) {
        objSetPtr(li->subject, lpInsertString(objPtr(li->subject), (const unsigned char *)s, (uint32_t)len, entry->lpe,
                                              where == LIST_TAIL ? LP_AFTER : LP_BEFORE, NULL));
    } else if (where == LIST_TAIL) {
        quicklistInsertAfter(li->iter, &entry->entry, s, len);
    } else {
        quicklistInsertBefore(li->iter, &entry->entry, s, len);
    }
}

static void listTypeDelRange(obj *subject, long start, long count) {
    if (subject->encoding == OBJ_ENCODING_QUICKLIST) quicklistDelRange(objPtr(subject), start, count);
    else objSetPtr(subject, lpDeleteRange(objPtr(subject), start, (unsigned long)count));
}

/* ---------------------------------------------------- shared epilogue */

/* Bookkeeping after elements were removed from the list at `key`. */
static void listElementsRemoved(client *c, obj *key, int where, obj *o, long count, int *deleted) {
    notifyKeyspaceEvent(NOTIFY_LIST, where == LIST_HEAD ? "lpop" : "rpop", key, c->db->id);
    if (listTypeLength(o) == 0) {
        if (deleted) *deleted = 1;
        dbDelete(c->db, key);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
    } else {
        if (deleted) *deleted = 0;
        listTypeTryConversion(o, LIST_CONV_SHRINKING);
    }
    signalModifiedKey(c, c->db, key);
    server.dirty += count;
}

static void addListRangeReply(client *c, obj *o, long start, long rangelen) {
    addReplyArrayLen(c, rangelen);
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = objPtr(o), *p = lpSeek(lp, start);
        while (rangelen-- && p) {
            addReplyListpackEntry(c, p);
            p = lpNext(lp, p);
        }
        return;
    }
    quicklistIter *it = quicklistGetIteratorAtIdx(objPtr(o), AL_START_HEAD, start);
    quicklistEntry e;
    while (rangelen-- && it && quicklistNext(it, &e)) addReplyQuicklistEntry(c, &e);
    quicklistReleaseIterator(it);
}

/* Pops up to count elements replying each (after an optional key header). */
static void listPopRangeAndReplyWithKey(client *c, obj *o, obj *key, int where, long count, int *deleted) {
    long llen = (long)listTypeLength(o);
    long rangelen = count > llen ? llen : count;
    if (key) {
        addReplyArrayLen(c, 2);
        addReplyBulk(c, key);
    }
    addReplyArrayLen(c, rangelen);
    for (long i = 0; i < rangelen; i++) {
        obj *v = listTypePop(o, where);
        addReplyBulk(c, v);
        decrRefCount(v);
    }
    listElementsRemoved(c, key ? key : c->argv[1], where, o, rangelen, deleted);
}

static int listClientMayBlock(client *c) {
    if (server.in_exec || server.in_script) return 0;
    return !(c->flags & (CLIENT_MULTI | CLIENT_SCRIPT | CLIENT_FAKE));
}

/* A re-executed blocked command keeps its original deadline. */
static int listGetTimeoutOrReply(client *c, obj *arg, mstime_t *timeout) {
    if (getTimeoutFromObjectOrReply(c, arg, timeout) != 0) return -1;
    if (c->flags & CLIENT_REPROCESSING) *timeout = c->bstate.timeout;
    return 0;
}

/* ------------------------------------------------------------ pushes */

static void pushGenericCommand(client *c, int where, int xx) {
    obj *lobj = lookupKeyWrite(c->db, c->argv[1]);
    if (checkType(c, lobj, OBJ_LIST)) return;
    int created = 0;
    if (!lobj) {
        if (xx) {
            addReply(c, shared.czero);
            return;
        }
        lobj = createListListpackObject();
        dbAdd(c->db, c->argv[1], lobj);
        created = 1;
    }
    listTypeTryConversionAppend(lobj, c->argv, 2, c->argc - 1);
    for (int j = 2; j < c->argc; j++) listTypePush(lobj, c->argv[j], where);
    addReplyLongLong(c, (long long)listTypeLength(lobj));
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_LIST, where == LIST_HEAD ? "lpush" : "rpush", c->argv[1], c->db->id);
    if (created) signalKeyAsReady(c->db, c->argv[1], OBJ_LIST);
    server.dirty += c->argc - 2;
}

void lpushCommand(client *c) { pushGenericCommand(c, LIST_HEAD, 0); }
void rpushCommand(client *c) { pushGenericCommand(c, LIST_TAIL, 0); }
void lpushxCommand(client *c) { pushGenericCommand(c, LIST_HEAD, 1); }
void rpushxCommand(client *c) { pushGenericCommand(c, LIST_TAIL, 1); }

void linsertCommand(client *c) {
    int where;
    if (!strcasecmp(objPtr(c->argv[2]), "after")) where = LIST_TAIL;
    else if (!strcasecmp(objPtr(c->argv[2]), "before")) where = LIST_HEAD;
    else {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    listTypeTryConversionAppend(o, c->argv, 4, 4);
    listTypeIterator *li = listTypeInitIterator(o, 0, LIST_TAIL);
    listTypeEntry e;
    int inserted = 0;
    while (listTypeNext(li, &e)) {
        if (listTypeEqual(&e, c->argv[3])) {
            listTypeInsert(&e, c->argv[4], where);
            inserted = 1;
            break;
        }
    }
    listTypeReleaseIterator(li);
    if (!inserted) {
        addReplyLongLong(c, -1);
        return;
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_LIST, "linsert", c->argv[1], c->db->id);
    server.dirty++;
    addReplyLongLong(c, (long long)listTypeLength(o));
}

/* ------------------------------------------------------------- reads */

void llenCommand(client *c) {
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    addReplyLongLong(c, (long long)listTypeLength(o));
}

void lindexCommand(client *c) {
    /* The key is checked before the index: a missing key is nil and a wrong
     * type WRONGTYPE whatever the index says. */
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    long index;
    if (getLongFromObjectOrReply(c, c->argv[2], &index, NULL) != 0) return;
    if (o->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *p = lpSeek(objPtr(o), index);
        if (p) addReplyListpackEntry(c, p);
        else addReplyNull(c);
        return;
    }
    quicklistEntry e;
    quicklistIter *it = quicklistGetIteratorEntryAtIdx(objPtr(o), index, &e);
    if (it) {
        addReplyQuicklistEntry(c, &e);
        quicklistReleaseIterator(it);
    } else {
        addReplyNull(c);
    }
}

void lrangeCommand(client *c) {
    long start, end;
    if (getLongFromObjectOrReply(c, c->argv[2], &start, NULL) != 0 ||
        getLongFromObjectOrReply(c, c->argv[3], &end, NULL) != 0)
        return;
    obj *o = lookupKeyReadOrReply(c, c->argv[1], shared.emptyarray);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    long llen = (long)listTypeLength(o);
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        addReply(c, shared.emptyarray);
        return;
    }
    if (end >= llen) end = llen - 1;
    addListRangeReply(c, o, start, end - start + 1);
}

void lposCommand(client *c) {
    long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        const char *opt = objPtr(c->argv[j]);
        int moreargs = (c->argc - 1) - j;
        if (!strcasecmp(opt, "RANK") && moreargs) {
            j++;
            if (getRangeLongFromObjectOrReply(c, c->argv[j], -LONG_MAX, LONG_MAX, &rank, NULL) != 0) return;
            if (rank == 0) {
                addReplyError(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                                 "second ... or use negative to start from the end of the list");
                return;
            }
        } else if (!strcasecmp(opt, "COUNT") && moreargs) {
            j++;
            if (getPositiveLongFromObjectOrReply(c, c->argv[j], &count, "ERR COUNT can't be negative") != 0) return;
        } else if (!strcasecmp(opt, "MAXLEN") && moreargs) {
            j++;
            if (getPositiveLongFromObjectOrReply(c, c->argv[j], &maxlen, "ERR MAXLEN can't be negative") != 0) return;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    obj *o = lookupKeyRead(c->db, c->argv[1]);
    if (!o) {
        if (count != -1) addReply(c, shared.emptyarray);
        else addReply(c, shared.null[c->resp]);
        return;
    }
    if (checkType(c, o, OBJ_LIST)) return;
    int forward = rank > 0;
    if (!forward) rank = -rank;
    long llen = (long)listTypeLength(o);
    listTypeIterator *li = listTypeInitIterator(o, forward ? 0 : -1, forward ? LIST_TAIL : LIST_HEAD);
    listTypeEntry e;
    long index = 0, matches = 0, matchindex = -1;
    void *deferred = count != -1 ? addReplyDeferredLen(c) : NULL;
    while (listTypeNext(li, &e) && (maxlen == 0 || index < maxlen)) {
        if (listTypeEqual(&e, c->argv[2])) {
            matches++;
            if (matches >= rank) {
                long pos = forward ? index : llen - index - 1;
                if (deferred) {
                    addReplyLongLong(c, pos);
                    if (count && matches - rank + 1 >= count) break;
                } else {
                    matchindex = pos;
                    break;
                }
            }
        }
        index++;
    }
    listTypeReleaseIterator(li);
    if (deferred) {
        setDeferredArrayLen(c, deferred, matches >= rank ? matches - rank + 1 : 0);
    } else if (matchindex != -1) {
        addReplyLongLong(c, matchindex);
    } else {
        addReply(c, shared.null[c->resp]);
    }
}

/* ------------------------------------------------------------ writes */

void lsetCommand(client *c) {
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.nokeyerr);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    long index;
    if (getLongFromObjectOrReply(c, c->argv[2], &index, NULL) != 0) return;
    listTypeTryConversionAppend(o, c->argv, 3, 3);
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *s = listArgBytes(c->argv[3], buf, sizeof(buf), &len);
    int ok;
    if (o->encoding == OBJ_ENCODING_QUICKLIST) {
        ok = quicklistReplaceAtIndex(objPtr(o), index, s, len);
    } else {
        unsigned char *p = lpSeek(objPtr(o), index);
        ok = p != NULL;
        if (ok) objSetPtr(o, lpReplace(objPtr(o), &p, (const unsigned char *)s, (uint32_t)len));
    }
    if (!ok) {
        addReplyErrorObject(c, shared.outofrangeerr);
        return;
    }
    addReply(c, shared.ok);
    signalModifiedKey(c, c->db, c->argv[1]);
    notifyKeyspaceEvent(NOTIFY_LIST, "lset", c->argv[1], c->db->id);
    server.dirty++;
    listTypeTryConversion(o, LIST_CONV_SHRINKING);
}

static void popGenericCommand(client *c, int where) {
    long count = 0;
    int hascount = c->argc == 3;
    if (c->argc > 3) {
        addReplyErrorArity(c);
        return;
    }
    if (hascount &&
        getPositiveLongFromObjectOrReply(c, c->argv[2], &count, "ERR value is out of range, must be positive") != 0)
        return;
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], hascount ? shared.nullarray[c->resp] : shared.null[c->resp]);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    if (hascount && count == 0) {
        addReply(c, shared.emptyarray);
        return;
    }
    if (!hascount) {
        obj *v = listTypePop(o, where);
        addReplyBulk(c, v);
        decrRefCount(v);
        listElementsRemoved(c, c->argv[1], where, o, 1, NULL);
    } else {
        listPopRangeAndReplyWithKey(c, o, NULL, where, count, NULL);
    }
}

void lpopCommand(client *c) { popGenericCommand(c, LIST_HEAD); }
void rpopCommand(client *c) { popGenericCommand(c, LIST_TAIL); }

void ltrimCommand(client *c) {
    long start, end;
    if (getLongFromObjectOrReply(c, c->argv[2], &start, NULL) != 0 ||
        getLongFromObjectOrReply(c, c->argv[3], &end, NULL) != 0)
        return;
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.ok);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    long llen = (long)listTypeLength(o), ltrim, rtrim;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    if (ltrim) listTypeDelRange(o, 0, ltrim);
    if (rtrim) listTypeDelRange(o, -rtrim, rtrim);
    notifyKeyspaceEvent(NOTIFY_LIST, "ltrim", c->argv[1], c->db->id);
    if (listTypeLength(o) == 0) {
        dbDelete(c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
    } else {
        listTypeTryConversion(o, LIST_CONV_SHRINKING);
    }
    signalModifiedKey(c, c->db, c->argv[1]);
    server.dirty += ltrim + rtrim;
    addReply(c, shared.ok);
}

void lremCommand(client *c) {
    long toremove, removed = 0;
    if (getLongFromObjectOrReply(c, c->argv[2], &toremove, NULL) != 0) return;
    obj *o = lookupKeyWriteOrReply(c, c->argv[1], shared.czero);
    if (!o || checkType(c, o, OBJ_LIST)) return;
    listTypeIterator *li;
    if (toremove < 0) {
        toremove = toremove == LONG_MIN ? LONG_MAX : -toremove;   /* -LONG_MIN overflows */
        li = listTypeInitIterator(o, -1, LIST_HEAD);
    } else {
        li = listTypeInitIterator(o, 0, LIST_TAIL);
    }
    listTypeEntry e;
    while (listTypeNext(li, &e)) {
        if (listTypeEqual(&e, c->argv[3])) {
            listTypeDelete(li, &e);
            server.dirty++;
            removed++;
            if (toremove && removed == toremove) break;
        }
    }
    listTypeReleaseIterator(li);
    if (removed) {
        notifyKeyspaceEvent(NOTIFY_LIST, "lrem", c->argv[1], c->db->id);
        if (listTypeLength(o) == 0) {
            dbDelete(c->db, c->argv[1]);
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
        } else {
            listTypeTryConversion(o, LIST_CONV_SHRINKING);
        }
        signalModifiedKey(c, c->db, c->argv[1]);
    }
    addReplyLongLong(c, removed);
}

/* --------------------------------------------------------------- moves */

static void lmoveHandlePush(client *c, obj *dstkey, obj *dstobj, obj *value, int where) {
    int created = 0;
    if (!dstobj) {
        dstobj = createListListpackObject();
        dbAdd(c->db, dstkey, dstobj);
        created = 1;
    }
    signalModifiedKey(c, c->db, dstkey);
    obj *argv1[1] = {value};
    listTypeTryConversionAppend(dstobj, argv1, 0, 0);
    listTypePush(dstobj, value, where);
    notifyKeyspaceEvent(NOTIFY_LIST, where == LIST_HEAD ? "lpush" : "rpush", dstkey, c->db->id);
    if (created) signalKeyAsReady(c->db, dstkey, OBJ_LIST);
    addReplyBulk(c, value);
}

/* Returns 1 when an element moved (the caller rewrites propagation). */
static int lmoveGenericCommand(client *c, int wherefrom, int whereto) {
    obj *sobj = lookupKeyWriteOrReply(c, c->argv[1], shared.null[c->resp]);
    if (!sobj || checkType(c, sobj, OBJ_LIST)) return 0;
    obj *dobj = lookupKeyWrite(c->db, c->argv[2]);
    if (checkType(c, dobj, OBJ_LIST)) return 0;
    obj *touchedkey = c->argv[1];
    incrRefCount(touchedkey);
    obj *value = listTypePop(sobj, wherefrom);
    lmoveHandlePush(c, c->argv[2], dobj, value, whereto);
    notifyKeyspaceEvent(NOTIFY_LIST, wherefrom == LIST_HEAD ? "lpop" : "rpop", touchedkey, c->db->id);
    if (listTypeLength(sobj) == 0) {
        dbDelete(c->db, touchedkey);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", touchedkey, c->db->id);
    } else {
        listTypeTryConversion(sobj, LIST_CONV_SHRINKING);
    }
    signalModifiedKey(c, c->db, touchedkey);
    decrRefCount(touchedkey);
    decrRefCount(value);
    server.dirty++;
    return 1;
}

void lmoveCommand(client *c) {
    int wherefrom, whereto;
    if (getListPositionOrReply(c, c->argv[3], &wherefrom) != 0) return;
    if (getListPositionOrReply(c, c->argv[4], &whereto) != 0) return;
    lmoveGenericCommand(c, wherefrom, whereto);
}

void rpoplpushCommand(client *c) { lmoveGenericCommand(c, LIST_TAIL, LIST_HEAD); }

/* ---------------------------------------------------- multi-key pops */

/* Serves the first non-empty list among keys; returns 1 if served, 0 if all
 * were empty, -1 after an error reply. */
static int mpopServe(client *c, obj **keys, int numkeys, int where, long count, int propagate_count) {
    for (int j = 0; j < numkeys; j++) {
        obj *o = lookupKeyWrite(c->db, keys[j]);
        if (!o) continue;
        if (checkType(c, o, OBJ_LIST)) return -1;
        obj *key = keys[j];
        incrRefCount(key);
        if (propagate_count) {
            long llen = (long)listTypeLength(o);
            long n = count > llen ? llen : count;
            listPopRangeAndReplyWithKey(c, o, key, where, count, NULL);
            obj *cnt = createStringObjectFromLongLong(n);
            rewriteClientCommandVector(c, 3, where == LIST_HEAD ? shared.lpop : shared.rpop, key, cnt);
            decrRefCount(cnt);
        } else {
            obj *v = listTypePop(o, where);
            addReplyArrayLen(c, 2);
            addReplyBulk(c, key);
            addReplyBulk(c, v);
            decrRefCount(v);
            listElementsRemoved(c, key, where, o, 1, NULL);
            rewriteClientCommandVector(c, 2, where == LIST_HEAD ? shared.lpop : shared.rpop, key);
        }
        decrRefCount(key);
        return 1;
    }
    return 0;
}

static void blockingPopGenericCommand(client *c, obj **keys, int numkeys, int where, int timeout_idx, long count) {
    mstime_t timeout;
    if (listGetTimeoutOrReply(c, c->argv[timeout_idx], &timeout) != 0) return;
    /* Keys live in argv, which serving rewrites: keep them alive. */
    int r = mpopServe(c, keys, numkeys, where, count, count != -1);
    if (r != 0) return;
    if (!listClientMayBlock(c)) {
        addReplyNullArray(c);
        return;
    }
    blockForKeys(c, BLOCKED_LIST, keys, numkeys, timeout, 0);
}

void blpopCommand(client *c) { blockingPopGenericCommand(c, c->argv + 1, c->argc - 2, LIST_HEAD, c->argc - 1, -1); }
void brpopCommand(client *c) { blockingPopGenericCommand(c, c->argv + 1, c->argc - 2, LIST_TAIL, c->argc - 1, -1); }

static void blmoveGenericCommand(client *c, int wherefrom, int whereto, mstime_t timeout) {
    obj *key = lookupKeyWrite(c->db, c->argv[1]);
    if (checkType(c, key, OBJ_LIST)) return;
    if (!key) {
        if (!listClientMayBlock(c)) {
            addReplyNull(c);
            return;
        }
        blockForKeys(c, BLOCKED_LIST, c->argv + 1, 1, timeout, 0);
        return;
    }
    int is_blmove = c->argc == 6;
    obj *src = c->argv[1], *dst = c->argv[2];
    incrRefCount(src);
    incrRefCount(dst);
    if (lmoveGenericCommand(c, wherefrom, whereto)) {
        if (is_blmove)
            rewriteClientCommandVector(c, 5, shared.lmove, src, dst, listPositionObj(wherefrom), listPositionObj(whereto));
        else
            rewriteClientCommandVector(c, 3, shared.rpoplpush, src, dst);
    }
    decrRefCount(src);
    decrRefCount(dst);
}

void blmoveCommand(client *c) {
    int wherefrom, whereto;
    mstime_t timeout;
    if (getListPositionOrReply(c, c->argv[3], &wherefrom) != 0) return;
    if (getListPositionOrReply(c, c->argv[4], &whereto) != 0) return;
    if (listGetTimeoutOrReply(c, c->argv[5], &timeout) != 0) return;
    blmoveGenericCommand(c, wherefrom, whereto, timeout);
}

void brpoplpushCommand(client *c) {
    mstime_t timeout;
    if (listGetTimeoutOrReply(c, c->argv[3], &timeout) != 0) return;
    blmoveGenericCommand(c, LIST_TAIL, LIST_HEAD, timeout);
}

/* LMPOP/BLMPOP argument parsing; numkeys_idx is 1 or 2. */
static void lmpopGenericCommand(client *c, int numkeys_idx, int is_block) {
    long numkeys, count = -1;
    int where;
    if (getRangeLongFromObjectOrReply(c, c->argv[numkeys_idx], 1, LONG_MAX, &numkeys,
                                      "ERR numkeys should be greater than 0") != 0)
        return;
    /* numkeys may be up to LONG_MAX: compare before adding (overflow is UB). */
    long where_idx = numkeys >= c->argc ? c->argc : numkeys_idx + numkeys + 1;
    if (where_idx >= c->argc) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    if (getListPositionOrReply(c, c->argv[where_idx], &where) != 0) return;
    for (long j = where_idx + 1; j < c->argc; j++) {
        int moreargs = (c->argc - 1) - (int)j;
        if (count == -1 && !strcasecmp(objPtr(c->argv[j]), "COUNT") && moreargs) {
            j++;
            if (getRangeLongFromObjectOrReply(c, c->argv[j], 1, LONG_MAX, &count,
                                              "ERR count should be greater than 0") != 0)
                return;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return;
        }
    }
    if (count == -1) count = 1;
    obj **keys = c->argv + numkeys_idx + 1;
    if (is_block) {
        blockingPopGenericCommand(c, keys, (int)numkeys, where, 1, count);
        return;
    }
    if (mpopServe(c, keys, (int)numkeys, where, count, 1) == 0) addReplyNullArray(c);
}

void lmpopCommand(client *c) { lmpopGenericCommand(c, 1, 0); }
void blmpopCommand(client *c) { lmpopGenericCommand(c, 2, 1); }

static int lmpopKeysAt(obj **argv, int argc, int numkeys_idx, int *keyidx, int maxkeys) {
    long numkeys;
    if (numkeys_idx >= argc || !sdsEncodedObject(argv[numkeys_idx]) ||
        !string2l(objPtr(argv[numkeys_idx]), bstrLen(objPtr(argv[numkeys_idx])), &numkeys) || numkeys < 1 ||
        numkeys > argc - numkeys_idx - 1)
        return 0;
    int n = 0;
    for (long i = 0; i < numkeys && n < maxkeys; i++) keyidx[n++] = numkeys_idx + 1 + (int)i;
    return n;
}

static int lmpopGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    (void)cmd;
    return lmpopKeysAt(argv, argc, 1, keyidx, maxkeys);
}

static int blmpopGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    (void)cmd;
    return lmpopKeysAt(argv, argc, 2, keyidx, maxkeys);
}

/* ------------------------------------------------------ command table */

const serverCommandDef listCommandTable[] = {
    {"lpush", lpushCommand, -3, "write denyoom fast", 1, 1, 1, "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", NULL, NULL, "key element [element ...]"},
    {"rpush", rpushCommand, -3, "write denyoom fast", 1, 1, 1, "list", "Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", NULL, NULL, "key element [element ...]"},
    {"lpushx", lpushxCommand, -3, "write denyoom fast", 1, 1, 1, "list", "Prepends one or more elements to a list only when the list exists.", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", NULL, NULL, "key element [element ...]"},
    {"rpushx", rpushxCommand, -3, "write denyoom fast", 1, 1, 1, "list", "Appends an element to a list only when the list exists.", "2.2.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", NULL, NULL, "key element [element ...]"},
    {"linsert", linsertCommand, 5, "write denyoom", 1, 1, 1, "list", "Inserts an element before or after another element in a list.", "2.2.0", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", NULL, NULL, "key BEFORE|AFTER pivot element"},
    {"lpop", lpopCommand, -2, "write fast", 1, 1, 1, "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", "1.0.0", "O(N) where N is the number of elements returned", NULL, NULL, "key [count]"},
    {"rpop", rpopCommand, -2, "write fast", 1, 1, 1, "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", "1.0.0", "O(N) where N is the number of elements returned", NULL, NULL, "key [count]"},
    {"llen", llenCommand, 2, "readonly fast", 1, 1, 1, "list", "Returns the length of a list.", "1.0.0", "O(1)", NULL, NULL, "key"},
    {"lindex", lindexCommand, 3, "readonly", 1, 1, 1, "list", "Returns an element from a list by its index.", "1.0.0", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", NULL, NULL, "key index"},
    {"lset", lsetCommand, 4, "write denyoom", 1, 1, 1, "list", "Sets the value of an element in a list by its index.", "1.0.0", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", NULL, NULL, "key index element"},
    {"lrange", lrangeCommand, 4, "readonly", 1, 1, 1, "list", "Returns a range of elements from a list.", "1.0.0", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", NULL, NULL, "key start stop"},
    {"ltrim", ltrimCommand, 4, "write", 1, 1, 1, "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", "1.0.0", "O(N) where N is the number of elements to be removed by the operation.", NULL, NULL, "key start stop"},
    {"lpos", lposCommand, -3, "readonly", 1, 1, 1, "list", "Returns the index of matching elements in a list.", "6.0.6", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", NULL, NULL, "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"},
    {"lrem", lremCommand, 4, "write", 1, 1, 1, "list", "Removes elements from a list. Deletes the list if the last element was removed.", "1.0.0", "O(N+M) where N is the length of the list and M is the number of elements removed.", NULL, NULL, "key count element"},
    {"rpoplpush", rpoplpushCommand, 3, "write denyoom", 1, 2, 1, "list", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", "1.2.0", "O(1)", NULL, NULL, "source destination"},
    {"lmove", lmoveCommand, 5, "write denyoom", 1, 2, 1, "list", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", "6.2.0", "O(1)", NULL, NULL, "source destination LEFT|RIGHT LEFT|RIGHT"},
    {"lmpop", lmpopCommand, -4, "write movablekeys", 0, 0, 0, "list", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.", lmpopGetKeys, NULL, "numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
    {"blpop", blpopCommand, -3, "write blocking", 1, -2, 1, "list", "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", "O(N) where N is the number of provided keys.", NULL, NULL, "key [key ...] timeout"},
    {"brpop", brpopCommand, -3, "write blocking", 1, -2, 1, "list", "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", "O(N) where N is the number of provided keys.", NULL, NULL, "key [key ...] timeout"},
    {"brpoplpush", brpoplpushCommand, 4, "write denyoom blocking", 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", "2.2.0", "O(1)", NULL, NULL, "source destination timeout"},
    {"blmove", blmoveCommand, 6, "write denyoom blocking", 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", "6.2.0", "O(1)", NULL, NULL, "source destination LEFT|RIGHT LEFT|RIGHT timeout"},
    {"blmpop", blmpopCommand, -5, "write blocking movablekeys", 0, 0, 0, "list", "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "7.0.0", "O(N+M) where N is the number of provided keys and M is the number of elements returned.", blmpopGetKeys, NULL, "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"},
    {0}};
