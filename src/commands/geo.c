/* geo: the GEO command family over sorted sets whose scores are 52-bit
 * interleaved geohashes (ds/geohash). Searches scan the score ranges of the
 * center cell and its neighbours, filter by exact distance, then sort and
 * reply or store; reply shapes, unit handling and error texts follow Valkey. */
#include "server/server.h"
#include "commands/t_zset.h"
#include "ds/geohash.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GEO_SORT_NONE 0
#define GEO_SORT_ASC 1
#define GEO_SORT_DESC 2

/* georadiusGeneric flags */
#define GEO_RADIUS_COORDS (1 << 0)
#define GEO_RADIUS_MEMBER (1 << 1)
#define GEO_RADIUS_NOSTORE (1 << 2)
#define GEO_SEARCH (1 << 3)
#define GEO_SEARCHSTORE (1 << 4)

typedef struct {
    double lon, lat, dist, score;
    bstr member;
} geoPoint;

typedef struct {
    geoPoint *items;
    size_t used, cap;
} geoArray;

static void geoArrayPush(geoArray *ga, double lon, double lat, double dist, double score, const char *m, size_t len) {
    if (ga->used == ga->cap) {
        ga->cap = ga->cap ? ga->cap * 2 : 8;
        ga->items = zrealloc(ga->items, ga->cap * sizeof(geoPoint));
    }
    geoPoint *p = &ga->items[ga->used++];
    p->lon = lon;
    p->lat = lat;
    p->dist = dist;
    p->score = score;
    p->member = bstrNewLen(m, len);
}

static void geoArrayFree(geoArray *ga) {
    for (size_t i = 0; i < ga->used; i++) bstrFree(ga->items[i].member);
    zfree(ga->items);
}

/* ---------- argument parsing ---------- */
static int geoLonLatOrReply(client *c, obj **argv, double *xy) {
    for (int i = 0; i < 2; i++)
        if (getDoubleFromObjectOrReply(c, argv[i], xy + i, NULL) != 0) return -1;
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        addReplyErrorFormat(c, "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        return -1;
    }
    return 0;
}

/* Meters per unit, or -1 after replying an error. */
static double geoUnitOrReply(client *c, obj *u) {
    const char *s = objPtr(u);
    if (!sdsEncodedObject(u)) goto bad;
    if (!strcasecmp(s, "m")) return 1;
    if (!strcasecmp(s, "km")) return 1000;
    if (!strcasecmp(s, "ft")) return 0.3048;
    if (!strcasecmp(s, "mi")) return 1609.34;
bad:
    addReplyError(c, "ERR unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

static int geoDistanceArgOrReply(client *c, obj **argv, double *conversion, double *radius) {
    double d;
    if (getDoubleFromObjectOrReply(c, argv[0], &d, "ERR need numeric radius") != 0) return -1;
    if (d < 0) {
        addReplyError(c, "ERR radius cannot be negative");
        return -1;
    }
    double m = geoUnitOrReply(c, argv[1]);
    if (m < 0) return -1;
    *radius = d;
    *conversion = m;
    return 0;
}

static int geoBoxArgOrReply(client *c, obj **argv, double *conversion, double *width, double *height) {
    double w, h;
    if (getDoubleFromObjectOrReply(c, argv[0], &w, "ERR need numeric width") != 0) return -1;
    if (getDoubleFromObjectOrReply(c, argv[1], &h, "ERR need numeric height") != 0) return -1;
    if (h < 0 || w < 0) {
        addReplyError(c, "ERR height or width cannot be negative");
        return -1;
    }
    double m = geoUnitOrReply(c, argv[2]);
    if (m < 0) return -1;
    *width = w;
    *height = h;
    *conversion = m;
    return 0;
}

/* Position of a member of the geo set; -1 when absent. */
static int geoMemberPos(obj *zobj, obj *member, double *xy) {
    double score;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *m = objStrPtr(member, buf, sizeof(buf), &len);
    if (!zsetScore(zobj, m, len, &score)) return -1;
    return geoScoreToLonLat(score, xy) ? 0 : -1;
}

/* "%.4f" as a bulk string, in both protocols. */
static void addReplyDistance(client *c, double d) {
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%.4f", d);
    addReplyBulkCBuffer(c, buf, (size_t)n);
}

/* ---------- range scanning ---------- */
/* Appends the point when it lies inside the shape. */
static void geoConsider(geoArray *ga, const geoShape *s, double score, const char *m, size_t len) {
    double xy[2], dist;
    if (!geoScoreToLonLat(score, xy)) return;
    int inside;
    if (s->type == GEO_SHAPE_CIRCLE)
        inside = geoDistanceIfInRadius(s->xy[0], s->xy[1], xy[0], xy[1], s->radius * s->conversion, &dist);
    else
        inside = geoDistanceIfInBox(s->width * s->conversion, s->height * s->conversion, s->xy[0], s->xy[1], xy[0],
                                    xy[1], &dist);
    if (inside) geoArrayPush(ga, xy[0], xy[1], dist, score, m, len);
}

/* Members with min <= score < max, in zset order, stopping at limit (0 = none). */
static void geoScanRange(obj *zobj, double min, double max, const geoShape *s, geoArray *ga, size_t limit) {
    if (zobj->encoding == OBJ_ENCODING_SKIPLIST) {
        zskiplist *zsl = ((zset *)objPtr(zobj))->zsl;
        zskiplistNode *x = zsl->header;
        for (int i = zsl->level - 1; i >= 0; i--)
            while (x->level[i].forward && x->level[i].forward->score < min) x = x->level[i].forward;
        for (x = x->level[0].forward; x && x->score < max; x = x->level[0].forward) {
            bstr ele = zslNodeEle(x);
            geoConsider(ga, s, x->score, ele, bstrLen(ele));
            if (limit && ga->used >= limit) return;
        }
        return;
    }
    zsetIterator it;
    const char *str;
    size_t len;
    long long ll;
    double score;
    zsetInitIterator(&it, zobj);
    while (zsetNext(&it, &str, &len, &ll, &score)) {
        if (score < min) continue;
        if (score >= max) break;
        char buf[LONG_STR_SIZE];
        if (!str) {
            len = (size_t)ll2string(buf, sizeof(buf), ll);
            str = buf;
        }
        geoConsider(ga, s, score, str, len);
        if (limit && ga->used >= limit) return;
    }
}

static void geoScanCell(obj *zobj, geoCell cell, const geoShape *s, geoArray *ga, size_t limit) {
    uint64_t min = geoAlign52(cell);
    cell.bits++;
    uint64_t max = geoAlign52(cell);
    geoScanRange(zobj, (double)min, (double)max, s, ga, limit);
}

static void geoScanAllCells(obj *zobj, const geoSearchCells *sc, const geoShape *s, geoArray *ga, size_t limit) {
    const geoNeighbors *n = &sc->neighbors;
    geoCell cells[9] = {sc->cell, n->north, n->south, n->east, n->west,
                        n->north_east, n->north_west, n->south_east, n->south_west};
    int last = 0;
    for (int i = 0; i < 9; i++) {
        if (geoCellIsZero(cells[i])) continue;
        /* Huge radii make neighbours coincide: scan each range once. */
        if (last && cells[i].bits == cells[last].bits && cells[i].step == cells[last].step) continue;
        if (ga->used && limit && ga->used >= limit) break;
        geoScanCell(zobj, cells[i], s, ga, limit);
        last = i;
    }
}

static int geoCmpAsc(const void *a, const void *b) {
    const geoPoint *x = a, *y = b;
    if (x->dist > y->dist) return 1;
    if (x->dist == y->dist) return 0;
    return -1;
}

static int geoCmpDesc(const void *a, const void *b) { return -geoCmpAsc(a, b); }

/* ---------- GEOADD ---------- */
static void geoaddCommand(client *c) {
    int nx = 0, xx = 0, ch = 0, first = 2;
    for (; first < c->argc; first++) {
        const char *opt = objPtr(c->argv[first]);
        if (!sdsEncodedObject(c->argv[first])) break;
        if (!strcasecmp(opt, "nx")) nx = 1;
        else if (!strcasecmp(opt, "xx")) xx = 1;
        else if (!strcasecmp(opt, "ch")) ch = 1;
        else break;
    }
    if ((c->argc - first) % 3 || (xx && nx)) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    int elements = (c->argc - first) / 3;
    double *scores = zmalloc(sizeof(double) * (size_t)(elements ? elements : 1));
    size_t maxlen = 0;
    for (int i = 0; i < elements; i++) {
        double xy[2];
        geoCell cell;
        if (geoLonLatOrReply(c, c->argv + first + i * 3, xy) != 0) goto done;
        geoEncodeWGS84(xy[0], xy[1], GEO_STEP_MAX, &cell);
        scores[i] = (double)geoAlign52(cell);
        size_t l = stringObjectLen(c->argv[first + i * 3 + 2]);
        if (l > maxlen) maxlen = l;
    }
    obj *z = lookupKeyWrite(c->db, c->argv[1]);
    if (z && checkType(c, z, OBJ_ZSET)) goto done;
    if (!z) {
        if (xx) {
            addReply(c, shared.czero);
            goto done;
        }
        z = zsetTypeCreate((size_t)elements, maxlen);
        dbAdd(c->db, c->argv[1], z);
        z = lookupKeyWrite(c->db, c->argv[1]);
    }
    int in = (nx ? ZADD_IN_NX : 0) | (xx ? ZADD_IN_XX : 0);
    long added = 0, updated = 0;
    for (int i = 0; i < elements; i++) {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *m = objStrPtr(c->argv[first + i * 3 + 2], buf, sizeof(buf), &len);
        int out = 0;
        double ns;
        zsetAdd(z, scores[i], m, len, in, &out, &ns);
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
    }
    if (added || updated) {
        signalModifiedKey(c, c->db, c->argv[1]);
        notifyKeyspaceEvent(NOTIFY_ZSET, "zadd", c->argv[1], c->db->id);
        server.dirty += added + updated;
    }
    addReplyLongLong(c, ch ? added + updated : added);
done:
    zfree(scores);
}

/* ---------- GEOPOS / GEOHASH / GEODIST ---------- */
static void geoposCommand(client *c) {
    obj *z = lookupKeyRead(c->db, c->argv[1]);
    if (z && checkType(c, z, OBJ_ZSET)) return;
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double xy[2];
        if (!z || geoMemberPos(z, c->argv[j], xy) != 0) {
            addReplyNullArray(c);
            continue;
        }
        addReplyArrayLen(c, 2);
        addReplyHumanLongDouble(c, xy[0]);
        addReplyHumanLongDouble(c, xy[1]);
    }
}

static void geohashCommand(client *c) {
    obj *z = lookupKeyRead(c->db, c->argv[1]);
    if (z && checkType(c, z, OBJ_ZSET)) return;
    addReplyArrayLen(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double xy[2];
        char buf[12];
        if (!z || geoMemberPos(z, c->argv[j], xy) != 0 || !geoStandardHashString(xy[0], xy[1], buf)) {
            addReplyNull(c);
            continue;
        }
        addReplyBulkCBuffer(c, buf, 11);
    }
}

static void geodistCommand(client *c) {
    double to_meter = 1;
    if (c->argc == 5) {
        to_meter = geoUnitOrReply(c, c->argv[4]);
        if (to_meter < 0) return;
    } else if (c->argc > 5) {
        addReplyErrorObject(c, shared.syntaxerr);
        return;
    }
    obj *z = lookupKeyRead(c->db, c->argv[1]);
    if (!z) {
        addReplyNull(c);
        return;
    }
    if (checkType(c, z, OBJ_ZSET)) return;
    double a[2], b[2];
    if (geoMemberPos(z, c->argv[2], a) != 0 || geoMemberPos(z, c->argv[3], b) != 0) {
        addReplyNull(c);
        return;
    }
    addReplyDistance(c, geoDistance(a[0], a[1], b[0], b[1]) / to_meter);
}

/* ---------- search ---------- */
typedef struct {
    obj *storekey;
    int storedist, withdist, withhash, withcoords, any, sort;
    int frommember, fromloc, byradius, bybox;
    long long count;
} geoSearchOpts;

static int argIs(obj *o, const char *s) { return sdsEncodedObject(o) && !strcasecmp(objPtr(o), s); }

/* Parses the optional arguments from argv[base] on; -1 after an error reply. */
static int geoParseOptions(client *c, int base, int flags, obj *zobj, geoShape *shape, geoSearchOpts *o) {
    int remaining = c->argc - base;
    for (int i = 0; i < remaining; i++) {
        obj *a = c->argv[base + i];
        obj **next = c->argv + base + i + 1;
        if (argIs(a, "withdist")) o->withdist = 1;
        else if (argIs(a, "withhash")) o->withhash = 1;
        else if (argIs(a, "withcoord")) o->withcoords = 1;
        else if (argIs(a, "any")) o->any = 1;
        else if (argIs(a, "asc")) o->sort = GEO_SORT_ASC;
        else if (argIs(a, "desc")) o->sort = GEO_SORT_DESC;
        else if (argIs(a, "count") && i + 1 < remaining) {
            if (getLongLongFromObjectOrReply(c, next[0], &o->count, NULL) != 0) return -1;
            if (o->count <= 0) {
                addReplyError(c, "ERR COUNT must be > 0");
                return -1;
            }
            i++;
        } else if ((argIs(a, "store") || argIs(a, "storedist")) && i + 1 < remaining &&
                   !(flags & GEO_RADIUS_NOSTORE) && !(flags & GEO_SEARCH)) {
            o->storekey = next[0];
            o->storedist = argIs(a, "storedist");
            i++;
        } else if (argIs(a, "storedist") && (flags & GEO_SEARCH) && (flags & GEO_SEARCHSTORE)) {
            o->storedist = 1;
        } else if (argIs(a, "frommember") && i + 1 < remaining && (flags & GEO_SEARCH) && !o->fromloc) {
            /* Without a source key keep parsing: the reply depends on STORE. */
            if (zobj && geoMemberPos(zobj, next[0], shape->xy) != 0) {
                addReplyError(c, "ERR could not decode requested zset member");
                return -1;
            }
            o->frommember = 1;
            i++;
        } else if (argIs(a, "fromlonlat") && i + 2 < remaining && (flags & GEO_SEARCH) && !o->frommember) {
            if (geoLonLatOrReply(c, next, shape->xy) != 0) return -1;
            o->fromloc = 1;
            i += 2;
        } else if (argIs(a, "byradius") && i + 2 < remaining && (flags & GEO_SEARCH) && !o->bybox) {
            if (geoDistanceArgOrReply(c, next, &shape->conversion, &shape->radius) != 0) return -1;
            shape->type = GEO_SHAPE_CIRCLE;
            o->byradius = 1;
            i += 2;
        } else if (argIs(a, "bybox") && i + 3 < remaining && (flags & GEO_SEARCH) && !o->byradius) {
            if (geoBoxArgOrReply(c, next, &shape->conversion, &shape->width, &shape->height) != 0) return -1;
            shape->type = GEO_SHAPE_BOX;
            o->bybox = 1;
            i += 3;
        } else {
            addReplyErrorObject(c, shared.syntaxerr);
            return -1;
        }
    }
    return 0;
}

static int geoValidateOptions(client *c, int flags, const geoSearchOpts *o) {
    if (o->storekey && (o->withdist || o->withhash || o->withcoords)) {
        addReplyErrorFormat(c, "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                            (flags & GEO_SEARCHSTORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return -1;
    }
    if ((flags & GEO_SEARCH) && !(o->frommember || o->fromloc)) {
        addReplyErrorFormat(c, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s",
                            (char *)objPtr(c->argv[0]));
        return -1;
    }
    if ((flags & GEO_SEARCH) && !(o->byradius || o->bybox)) {
        addReplyErrorFormat(c, "ERR exactly one of BYRADIUS and BYBOX can be specified for %s",
                            (char *)objPtr(c->argv[0]));
        return -1;
    }
    if (o->any && !o->count) {
        addReplyError(c, "ERR the ANY argument requires COUNT argument");
        return -1;
    }
    return 0;
}

static void geoDeleteStoreKey(client *c, obj *key) {
    if (dbDelete(c->db, key)) {
        signalModifiedKey(c, c->db, key);
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c->db->id);
        server.dirty++;
    }
}

static void geoReplyResults(client *c, geoArray *ga, size_t n, double conversion, const geoSearchOpts *o) {
    int extra = o->withdist + o->withhash + o->withcoords;
    addReplyArrayLen(c, (long)n);
    for (size_t i = 0; i < n; i++) {
        geoPoint *p = &ga->items[i];
        if (extra) addReplyArrayLen(c, extra + 1);
        addReplyBulkCBuffer(c, p->member, bstrLen(p->member));
        if (o->withdist) addReplyDistance(c, p->dist / conversion);
        if (o->withhash) addReplyLongLong(c, (long long)p->score);
        if (o->withcoords) {
            addReplyArrayLen(c, 2);
            addReplyHumanLongDouble(c, p->lon);
            addReplyHumanLongDouble(c, p->lat);
        }
    }
}

static void geoStoreResults(client *c, geoArray *ga, size_t n, double conversion, const geoSearchOpts *o, int flags) {
    if (n == 0) {
        geoDeleteStoreKey(c, o->storekey);
        addReply(c, shared.czero);
        return;
    }
    size_t maxlen = 0;
    for (size_t i = 0; i < n; i++)
        if (bstrLen(ga->items[i].member) > maxlen) maxlen = bstrLen(ga->items[i].member);
    obj *z = zsetTypeCreate(n, maxlen);
    for (size_t i = 0; i < n; i++) {
        geoPoint *p = &ga->items[i];
        double score = o->storedist ? p->dist / conversion : p->score;
        int out = 0;
        double ns;
        zsetAdd(z, score, p->member, bstrLen(p->member), ZADD_IN_NONE, &out, &ns);
    }
    setKey(c, c->db, o->storekey, z, 0);
    decrRefCount(z);
    notifyKeyspaceEvent(NOTIFY_ZSET, (flags & GEO_SEARCH) ? "geosearchstore" : "georadiusstore", o->storekey,
                        c->db->id);
    server.dirty += (long long)n;
    addReplyLongLong(c, (long long)n);
}

static void georadiusGeneric(client *c, int srckey, int flags) {
    obj *zobj = lookupKeyRead(c->db, c->argv[srckey]);
    if (zobj && checkType(c, zobj, OBJ_ZSET)) return;
    geoShape shape;
    memset(&shape, 0, sizeof(shape));
    geoSearchOpts o;
    memset(&o, 0, sizeof(o));
    int base;
    if (flags & GEO_RADIUS_COORDS) {
        base = 6;
        shape.type = GEO_SHAPE_CIRCLE;
        if (geoLonLatOrReply(c, c->argv + 2, shape.xy) != 0) return;
        if (geoDistanceArgOrReply(c, c->argv + base - 2, &shape.conversion, &shape.radius) != 0) return;
    } else if (flags & GEO_RADIUS_MEMBER) {
        base = 5;
        if (zobj) {
            shape.type = GEO_SHAPE_CIRCLE;
            if (geoMemberPos(zobj, c->argv[2], shape.xy) != 0) {
                addReplyError(c, "ERR could not decode requested zset member");
                return;
            }
            if (geoDistanceArgOrReply(c, c->argv + base - 2, &shape.conversion, &shape.radius) != 0) return;
        }
    } else {
        base = 2;
        if (flags & GEO_SEARCHSTORE) {
            base = 3;
            o.storekey = c->argv[1];
        }
    }
    if (geoParseOptions(c, base, flags, zobj, &shape, &o) != 0) return;
    if (geoValidateOptions(c, flags, &o) != 0) return;

    if (!zobj) {
        if (o.storekey) {
            geoDeleteStoreKey(c, o.storekey);
            addReply(c, shared.czero);
        } else {
            addReply(c, shared.emptyarray);
        }
        return;
    }
    /* The closest N need a sort; ANY takes whatever is found first. */
    if (o.count && o.sort == GEO_SORT_NONE && !o.any) o.sort = GEO_SORT_ASC;

    geoSearchCells sc;
    geoSearchCellsForShape(&shape, &sc);
    geoArray ga = {0};
    geoScanAllCells(zobj, &sc, &shape, &ga, o.any ? (size_t)o.count : 0);
    if (ga.used == 0 && !o.storekey) {
        addReply(c, shared.emptyarray);
        geoArrayFree(&ga);
        return;
    }
    if (o.sort == GEO_SORT_ASC) qsort(ga.items, ga.used, sizeof(geoPoint), geoCmpAsc);
    else if (o.sort == GEO_SORT_DESC) qsort(ga.items, ga.used, sizeof(geoPoint), geoCmpDesc);
    size_t n = (o.count == 0 || ga.used < (size_t)o.count) ? ga.used : (size_t)o.count;
    if (o.storekey) geoStoreResults(c, &ga, n, shape.conversion, &o, flags);
    else geoReplyResults(c, &ga, n, shape.conversion, &o);
    geoArrayFree(&ga);
}

static void georadiusCommand(client *c) { georadiusGeneric(c, 1, GEO_RADIUS_COORDS); }
static void georadiusroCommand(client *c) { georadiusGeneric(c, 1, GEO_RADIUS_COORDS | GEO_RADIUS_NOSTORE); }
static void georadiusbymemberCommand(client *c) { georadiusGeneric(c, 1, GEO_RADIUS_MEMBER); }
static void georadiusbymemberroCommand(client *c) { georadiusGeneric(c, 1, GEO_RADIUS_MEMBER | GEO_RADIUS_NOSTORE); }
static void geosearchCommand(client *c) { georadiusGeneric(c, 1, GEO_SEARCH); }
static void geosearchstoreCommand(client *c) { georadiusGeneric(c, 2, GEO_SEARCH | GEO_SEARCHSTORE); }

/* GEORADIUS keys: the source, plus the STORE/STOREDIST target when given. */
static int georadiusGetKeys(struct serverCommand *cmd, obj **argv, int argc, int *keyidx, int maxkeys) {
    int n = 0;
    if (argc < 2 || maxkeys < 1) return 0;
    keyidx[n++] = 1;
    int base = argc > 1 && cmd->arity == -6 ? 6 : 5;
    for (int i = base; i + 1 < argc && n < maxkeys; i++) {
        if (argIs(argv[i], "store") || argIs(argv[i], "storedist")) {
            keyidx[n++] = i + 1;
            break;
        }
    }
    return n;
}

const serverCommandDef geoCommandTable[] = {
    {"geoadd", geoaddCommand, -5, "write denyoom", 1, 1, 1, "geo", "Adds one or more members to a geospatial index. The key is created if it doesn't exist.", "3.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", NULL, NULL, "key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]"},
    {"geopos", geoposCommand, -2, "readonly", 1, 1, 1, "geo", "Returns the longitude and latitude of members from a geospatial index.", "3.2.0", "O(1) for each member requested.", NULL, NULL, "key [member [member ...]]"},
    {"geohash", geohashCommand, -2, "readonly", 1, 1, 1, "geo", "Returns members from a geospatial index as geohash strings.", "3.2.0", "O(1) for each member requested.", NULL, NULL, "key [member [member ...]]"},
    {"geodist", geodistCommand, -4, "readonly", 1, 1, 1, "geo", "Returns the distance between two members of a geospatial index.", "3.2.0", "O(1)", NULL, NULL, "key member1 member2 [M|KM|FT|MI]"},
    {"georadius", georadiusCommand, -6, "write denyoom", 1, 1, 1, "geo", "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.", "3.2.0", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", georadiusGetKeys, NULL, "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"},
    {"georadius_ro", georadiusroCommand, -6, "readonly", 1, 1, 1, "geo", "Returns members from a geospatial index that are within a distance from a coordinate.", "3.2.10", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", NULL, NULL, "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]"},
    {"georadiusbymember", georadiusbymemberCommand, -5, "write denyoom", 1, 1, 1, "geo", "Queries a geospatial index for members within a distance from a member, optionally stores the result.", "3.2.0", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", georadiusGetKeys, NULL, "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]"},
    {"georadiusbymember_ro", georadiusbymemberroCommand, -5, "readonly", 1, 1, 1, "geo", "Returns members from a geospatial index that are within a distance from a member.", "3.2.10", "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.", NULL, NULL, "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]"},
    {"geosearch", geosearchCommand, -7, "readonly", 1, 1, 1, "geo", "Queries a geospatial index for members inside an area of a box or a circle.", "6.2.0", "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", NULL, NULL, "key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"},
    {"geosearchstore", geosearchstoreCommand, -8, "write denyoom", 1, 2, 1, "geo", "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.", "6.2.0", "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape", NULL, NULL, "destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [STOREDIST]"},
    {0}};
