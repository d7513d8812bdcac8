/* object: value objects (type + encoding + LRU/LFU + refcount), string
 * encodings (int, embstr with the bytes in the same allocation, raw) and
 * conversions from objects to numbers. */
#include "server/server.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

obj *createObject(int type, void *ptr) {
    obj *o = zmalloc(sizeof(*o));
    o->type = (unsigned)type;
    o->encoding = OBJ_ENCODING_RAW;
    o->packed = 0;
    objSetPtr(o, ptr);
    o->refcount = 1;
    o->lru = 0;
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) o->lru = (unsigned)(lfuTimeInMinutes() << 8) | LFU_INIT_VAL;
    else o->lru = LRU_CLOCK();
    return o;
}

obj *makeObjectShared(obj *o) {
    o->refcount = OBJ_SHARED_REFCOUNT;
    return o;
}

obj *createRawStringObject(const char *p, size_t len) { return createObject(OBJ_STRING, bstrNewLen(p, len)); }

/* One allocation: the object header, then a bstr (8-bit header) holding the bytes. */
obj *createEmbeddedStringObject(const char *p, size_t len) {
    size_t hdr = sizeof(struct bstrh8);
    obj *o = zmalloc(sizeof(obj) + hdr + len + 1);
    char *s = (char *)(o + 1) + hdr;
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENCODING_EMBSTR;
    o->refcount = 1;
    o->packed = 0;
    if (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) o->lru = (unsigned)(lfuTimeInMinutes() << 8) | LFU_INIT_VAL;
    else o->lru = LRU_CLOCK();
    struct bstrh8 *h = (struct bstrh8 *)(s - hdr);
    h->len = (uint8_t)len;
    h->alloc = (uint8_t)len;
    h->flags = BSTR_T8;
    if (p && len) memcpy(s, p, len);
    else if (len) memset(s, 0, len);
    s[len] = '\0';
    objSetPtr(o, s);
    return o;
}

obj *createStringObject(const char *p, size_t len) {
    if (len <= OBJ_EMBSTR_SIZE_LIMIT) return createEmbeddedStringObject(p, len);
    return createRawStringObject(p, len);
}

obj *createStringObjectFromBstr(bstr s) { return createObject(OBJ_STRING, s); }

obj *createStringObjectFromLongLongWithOptions(long long value, int valueobj) {
    if (server.maxmemory == 0 || !(server.maxmemory_policy & MAXMEMORY_FLAG_NO_SHARED_INTEGERS) || !valueobj) {
        if (value >= 0 && value < OBJ_SHARED_INTEGERS && shared.integers[0]) {
            incrRefCount(shared.integers[value]);
            return shared.integers[value];
        }
    }
    obj *o = createObject(OBJ_STRING, NULL);
    o->encoding = OBJ_ENCODING_INT;
    objSetPtr(o, (void *)(long)value);
    return o;
}
obj *createStringObjectFromLongLong(long long v) { return createStringObjectFromLongLongWithOptions(v, 0); }
obj *createStringObjectFromLongLongForValue(long long v) { return createStringObjectFromLongLongWithOptions(v, 1); }

obj *createStringObjectFromLongDouble(long double value, int humanfriendly) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    int len = ld2string(buf, sizeof(buf), value, humanfriendly ? LD_STR_HUMAN : LD_STR_AUTO);
    return createStringObject(buf, (size_t)len);
}

obj *dupStringObject(const obj *o) {
    switch (o->encoding) {
    case OBJ_ENCODING_RAW: return createRawStringObject(objPtr(o), bstrLen(objPtr(o)));
    case OBJ_ENCODING_EMBSTR: return createEmbeddedStringObject(objPtr(o), bstrLen(objPtr(o)));
    case OBJ_ENCODING_INT: {
        obj *d = createObject(OBJ_STRING, NULL);
        d->encoding = OBJ_ENCODING_INT;
        objSetPtr(d, objPtr(o));
        return d;
    }
    default: serverPanic("Wrong encoding.");
    }
}

void incrRefCount(obj *o) {
    if (o->refcount < OBJ_SHARED_REFCOUNT) o->refcount++;
}

static void freeStringObject(obj *o) {
    if (o->encoding == OBJ_ENCODING_RAW) bstrFree(objPtr(o));
}

void decrRefCount(obj *o) {
    if (o->refcount == OBJ_SHARED_REFCOUNT) return;
    if (o->refcount <= 0) serverPanic("decrRefCount against refcount <= 0");
    if (o->refcount == 1) {
        switch (o->type) {
        case OBJ_STRING: freeStringObject(o); break;
        case OBJ_LIST: freeListObject(o); break;
        case OBJ_SET: freeSetObject(o); break;
        case OBJ_ZSET: freeZsetObject(o); break;
        case OBJ_HASH: freeHashObject(o); break;
        case OBJ_STREAM: freeStreamObject(o); break;
        default: serverPanic("Unknown object type");
        }
        zfree(o);
    } else {
        o->refcount--;
    }
}

void decrRefCountVoid(void *o) { decrRefCount(o); }

/* Re-encode a string to save memory: integers that fit a long become INT
 * (shared when small), short strings become EMBSTR, raw strings drop slack. */
obj *tryObjectEncoding(obj *o) {
    if (o->type != OBJ_STRING || !sdsEncodedObject(o)) return o;
    if (o->refcount > 1) return o;
    bstr s = objPtr(o);
    size_t len = bstrLen(s);
    long long value;
    if (len <= 20 && string2ll(s, len, &value)) {
        if ((server.maxmemory == 0 || !(server.maxmemory_policy & MAXMEMORY_FLAG_NO_SHARED_INTEGERS)) && value >= 0 &&
            value < OBJ_SHARED_INTEGERS && shared.integers[0]) {
            decrRefCount(o);
            incrRefCount(shared.integers[value]);
            return shared.integers[value];
        }
        if (o->encoding == OBJ_ENCODING_RAW) bstrFree(objPtr(o));
        else if (o->encoding == OBJ_ENCODING_EMBSTR) {
            obj *n = createStringObjectFromLongLongForValue(value);
            decrRefCount(o);
            return n;
        }
        o->encoding = OBJ_ENCODING_INT;
        objSetPtr(o, (void *)(long)value);
        return o;
    }
    if (len <= OBJ_EMBSTR_SIZE_LIMIT) {
        if (o->encoding == OBJ_ENCODING_EMBSTR) return o;
        obj *emb = createEmbeddedStringObject(s, len);
        emb->lru = o->lru;
        decrRefCount(o);
        return emb;
    }
    if (o->encoding == OBJ_ENCODING_RAW && bstrAvail(s) > len / 10) objSetPtr(o, bstrRemoveFree(s));
    return o;
}

obj *getDecodedObject(obj *o) {
    if (sdsEncodedObject(o)) {
        incrRefCount(o);
        return o;
    }
    if (o->type == OBJ_STRING && o->encoding == OBJ_ENCODING_INT) {
        char buf[32];
        int len = ll2string(buf, sizeof(buf), (long)objPtr(o));
        return createStringObject(buf, (size_t)len);
    }
    serverPanic("Unknown encoding type");
}

size_t stringObjectLen(obj *o) {
    if (sdsEncodedObject(o)) return bstrLen(objPtr(o));
    char buf[32];
    return (size_t)ll2string(buf, sizeof(buf), (long)objPtr(o));
}

const char *objStrPtr(obj *o, char *buf, size_t buflen, size_t *len) {
    if (sdsEncodedObject(o)) {
        *len = bstrLen(objPtr(o));
        return objPtr(o);
    }
    *len = (size_t)ll2string(buf, buflen, (long)objPtr(o));
    return buf;
}

static int compareGeneric(obj *a, obj *b, int collate) {
    char bufa[32], bufb[32];
    size_t la, lb;
    if (a == b) return 0;
    const char *pa = objStrPtr(a, bufa, sizeof(bufa), &la);
    const char *pb = objStrPtr(b, bufb, sizeof(bufb), &lb);
    if (collate) return strcoll(pa, pb);
    int cmp = memcmp(pa, pb, la < lb ? la : lb);
    if (cmp == 0) return la < lb ? -1 : (la > lb ? 1 : 0);
    return cmp;
}
int compareStringObjects(obj *a, obj *b) { return compareGeneric(a, b, 0); }
int collateStringObjects(obj *a, obj *b) { return compareGeneric(a, b, 1); }

int equalStringObjects(obj *a, obj *b) {
    if (a->encoding == OBJ_ENCODING_INT && b->encoding == OBJ_ENCODING_INT) return objPtr(a) == objPtr(b);
    return compareStringObjects(a, b) == 0;
}

int getLongLongFromObject(obj *o, long long *target) {
    long long value;
    if (o == NULL) {
        value = 0;
    } else if (sdsEncodedObject(o)) {
        if (!string2ll(objPtr(o), bstrLen(objPtr(o)), &value)) return -1;
    } else if (o->encoding == OBJ_ENCODING_INT) {
        value = (long)objPtr(o);
    } else {
        return -1;
    }
    if (target) *target = value;
    return 0;
}

int getDoubleFromObject(const obj *o, double *target) {
    double value;
    if (o == NULL) {
        value = 0;
    } else if (sdsEncodedObject(o)) {
        if (!string2d(objPtr(o), bstrLen(objPtr(o)), &value)) return -1;
    } else if (o->encoding == OBJ_ENCODING_INT) {
        value = (double)(long)objPtr(o);
    } else {
        return -1;
    }
    *target = value;
    return 0;
}

int getLongDoubleFromObject(obj *o, long double *target) {
    long double value;
    if (o == NULL) {
        value = 0;
    } else if (sdsEncodedObject(o)) {
        if (!string2ld(objPtr(o), bstrLen(objPtr(o)), &value)) return -1;
    } else if (o->encoding == OBJ_ENCODING_INT) {
        value = (long double)(long)objPtr(o);
    } else {
        return -1;
    }
    *target = value;
    return 0;
}

const char *strEncoding(int encoding) {
    switch (encoding) {
    case OBJ_ENCODING_RAW: return "raw";
    case OBJ_ENCODING_INT: return "int";
    case OBJ_ENCODING_HT: return "hashtable";
    case OBJ_ENCODING_QUICKLIST: return "quicklist";
    case OBJ_ENCODING_LISTPACK: return "listpack";
    case OBJ_ENCODING_STREAM: return "stream";
    case OBJ_ENCODING_INTSET: return "intset";
    case OBJ_ENCODING_SKIPLIST: return "skiplist";
    case OBJ_ENCODING_EMBSTR: return "embstr";
    default: return "unknown";
    }
}

const char *strType(int type) {
    switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    case OBJ_STREAM: return "stream";
    default: return "unknown";
    }
}

/* LRU clock in seconds resolution, wrapping at 24 bits. */
unsigned int getLRUClock(void) { return (unsigned int)((mstime() / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX); }

unsigned int LRU_CLOCK(void) {
    if (1000 / (server.hz ? server.hz : 10) <= LRU_CLOCK_RESOLUTION && server.lruclock) return server.lruclock;
    return getLRUClock();
}

unsigned long long estimateObjectIdleTime(obj *o) {
    unsigned long long lruclock = LRU_CLOCK();
    if (lruclock >= o->lru) return (lruclock - o->lru) * LRU_CLOCK_RESOLUTION;
    return (lruclock + (LRU_CLOCK_MAX - o->lru)) * LRU_CLOCK_RESOLUTION;
}
