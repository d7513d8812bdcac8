/* geohash: see geohash.h. All arithmetic is plain double math in the order
 * the reference uses, because search results and printed coordinates must
 * match it to the last bit. */
#include "ds/geohash.h"
#include <math.h>
#include <string.h>

#define GEO_D_R (M_PI / 180.0)

static double degToRad(double d) { return d * GEO_D_R; }
static double radToDeg(double r) { return r / GEO_D_R; }

/* Moves the low 32 bits of v to the even bit positions. */
static uint64_t spreadBits(uint32_t v) {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* Inverse of spreadBits: gathers the even bits into the low 32. */
static uint32_t gatherBits(uint64_t x) {
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

static int rangeIsZero(const geoRange *r) { return r->max == 0 && r->min == 0; }

int geoCellIsZero(geoCell c) { return c.bits == 0 && c.step == 0; }

int geoEncode(const geoRange *lon, const geoRange *lat, double longitude, double latitude, uint8_t step, geoCell *out) {
    if (!out || step > 32 || step == 0 || rangeIsZero(lat) || rangeIsZero(lon)) return 0;
    if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN)
        return 0;
    out->bits = 0;
    out->step = step;
    if (latitude < lat->min || latitude > lat->max || longitude < lon->min || longitude > lon->max) return 0;
    double lat_off = (latitude - lat->min) / (lat->max - lat->min);
    double lon_off = (longitude - lon->min) / (lon->max - lon->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    out->bits = spreadBits((uint32_t)lat_off) | (spreadBits((uint32_t)lon_off) << 1);
    return 1;
}

static void wgs84Ranges(geoRange *lon, geoRange *lat) {
    lon->min = GEO_LONG_MIN;
    lon->max = GEO_LONG_MAX;
    lat->min = GEO_LAT_MIN;
    lat->max = GEO_LAT_MAX;
}

int geoEncodeWGS84(double longitude, double latitude, uint8_t step, geoCell *out) {
    geoRange lon, lat;
    wgs84Ranges(&lon, &lat);
    return geoEncode(&lon, &lat, longitude, latitude, step, out);
}

int geoDecode(geoRange lon, geoRange lat, geoCell cell, geoArea *area) {
    if (geoCellIsZero(cell) || rangeIsZero(&lat) || rangeIsZero(&lon)) return 0;
    area->cell = cell;
    uint32_t ilat = gatherBits(cell.bits);
    uint32_t ilon = gatherBits(cell.bits >> 1);
    double cells = (double)(1ULL << cell.step);
    double lat_scale = lat.max - lat.min, lon_scale = lon.max - lon.min;
    area->lat.min = lat.min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max = lat.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon.min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max = lon.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
    return 1;
}

int geoDecodeToLonLatWGS84(geoCell cell, double *xy) {
    geoRange lon, lat;
    geoArea area;
    wgs84Ranges(&lon, &lat);
    if (!geoDecode(lon, lat, cell, &area)) return 0;
    double x = (area.lon.min + area.lon.max) / 2;
    double y = (area.lat.min + area.lat.max) / 2;
    if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
    if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
    if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
    if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
    xy[0] = x;
    xy[1] = y;
    return 1;
}

int geoScoreToLonLat(double score, double *xy) {
    geoCell cell = {(uint64_t)score, GEO_STEP_MAX};
    return geoDecodeToLonLatWGS84(cell, xy);
}

uint64_t geoAlign52(geoCell cell) { return cell.bits << (52 - cell.step * 2); }

/* Steps the longitude (odd bits) or latitude (even bits) coordinate by d,
 * wrapping inside the step's grid. */
static void moveAxis(geoCell *c, int d, int odd) {
    if (d == 0) return;
    const uint64_t even = 0x5555555555555555ULL, oddm = 0xaaaaaaaaaaaaaaaaULL;
    uint64_t mine = c->bits & (odd ? oddm : even);
    uint64_t other = c->bits & (odd ? even : oddm);
    uint64_t fill = (odd ? even : oddm) >> (64 - c->step * 2);
    if (d > 0) {
        mine = mine + (fill + 1);
    } else {
        mine = mine | fill;
        mine = mine - (fill + 1);
    }
    mine &= (odd ? oddm : even) >> (64 - c->step * 2);
    c->bits = mine | other;
}

static geoCell moved(const geoCell *c, int dx, int dy) {
    geoCell r = *c;
    moveAxis(&r, dx, 1);
    moveAxis(&r, dy, 0);
    return r;
}

void geoNeighborsOf(const geoCell *c, geoNeighbors *n) {
    n->east = moved(c, 1, 0);
    n->west = moved(c, -1, 0);
    n->south = moved(c, 0, -1);
    n->north = moved(c, 0, 1);
    n->north_west = moved(c, -1, 1);
    n->south_west = moved(c, -1, -1);
    n->north_east = moved(c, 1, 1);
    n->south_east = moved(c, 1, -1);
}

double geoLatDistance(double lat1, double lat2) {
    return GEO_EARTH_RADIUS_M * fabs(degToRad(lat2) - degToRad(lat1));
}

/* Haversine great-circle distance in meters. */
double geoDistance(double lon1, double lat1, double lon2, double lat2) {
    double lon1r = degToRad(lon1), lon2r = degToRad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    /* Same meridian: the latitude difference alone is exact and cheaper. */
    if (v == 0.0) return geoLatDistance(lat1, lat2);
    double lat1r = degToRad(lat1), lat2r = degToRad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

int geoDistanceIfInRadius(double x1, double y1, double x2, double y2, double radius, double *dist) {
    *dist = geoDistance(x1, y1, x2, y2);
    return *dist <= radius;
}

int geoDistanceIfInBox(double width_m, double height_m, double x1, double y1, double x2, double y2, double *dist) {
    double lat_d = geoLatDistance(y2, y1);
    if (lat_d > height_m / 2) return 0;
    double lon_d = geoDistance(x2, y2, x1, y2);
    if (lon_d > width_m / 2) return 0;
    *dist = geoDistance(x1, y1, x2, y2);
    return 1;
}

uint8_t geoEstimateStepsByRadius(double range_meters, double lat) {
    if (range_meters == 0) return 26;
    int step = 1;
    while (range_meters < GEO_MERCATOR_MAX) {
        range_meters *= 2;
        step++;
    }
    step -= 2; /* leave room so the 3x3 cells cover the range in most cases */
    /* Meridians converge towards the poles: cells get narrower there. */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80) step--;
    }
    if (step < 1) step = 1;
    if (step > 26) step = 26;
    return (uint8_t)step;
}

void geoBoundingBox(const geoShape *s, double *bounds) {
    double lon = s->xy[0], lat = s->xy[1];
    double height = s->conversion * (s->type == GEO_SHAPE_CIRCLE ? s->radius : s->height / 2);
    double width = s->conversion * (s->type == GEO_SHAPE_CIRCLE ? s->radius : s->width / 2);
    double lat_delta = radToDeg(height / GEO_EARTH_RADIUS_M);
    double lon_delta_top = radToDeg(width / GEO_EARTH_RADIUS_M / cos(degToRad(lat + lat_delta)));
    double lon_delta_bottom = radToDeg(width / GEO_EARTH_RADIUS_M / cos(degToRad(lat - lat_delta)));
    /* The widest edge is the one nearer the equator. */
    int south = lat < 0;
    bounds[0] = south ? lon - lon_delta_bottom : lon - lon_delta_top;
    bounds[2] = south ? lon + lon_delta_bottom : lon + lon_delta_top;
    bounds[1] = lat - lat_delta;
    bounds[3] = lat + lat_delta;
}

static void zeroCell(geoCell *c) {
    c->bits = 0;
    c->step = 0;
}

static void encodeCenter(const geoShape *s, uint8_t steps, geoSearchCells *out) {
    geoRange lon, lat;
    wgs84Ranges(&lon, &lat);
    geoEncode(&lon, &lat, s->xy[0], s->xy[1], steps, &out->cell);
    geoNeighborsOf(&out->cell, &out->neighbors);
    geoDecode(lon, lat, out->cell, &out->area);
}

void geoSearchCellsForShape(const geoShape *s, geoSearchCells *out) {
    double b[4];
    geoBoundingBox(s, b);
    double min_lon = b[0], min_lat = b[1], max_lon = b[2], max_lat = b[3];
    double radius_m = s->type == GEO_SHAPE_CIRCLE ? s->radius
                                                  : sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2));
    radius_m *= s->conversion;
    uint8_t steps = geoEstimateStepsByRadius(radius_m, s->xy[1]);
    encodeCenter(s, steps, out);

    /* If a side neighbour does not reach the bounding box edge, the grid is
     * too fine to cover the area with 3x3 cells: use one step coarser. */
    geoRange lon, lat;
    wgs84Ranges(&lon, &lat);
    geoArea north, south, east, west;
    geoDecode(lon, lat, out->neighbors.north, &north);
    geoDecode(lon, lat, out->neighbors.south, &south);
    geoDecode(lon, lat, out->neighbors.east, &east);
    geoDecode(lon, lat, out->neighbors.west, &west);
    int coarser = north.lat.max < max_lat || south.lat.min > min_lat || east.lon.max < max_lon || west.lon.min > min_lon;
    if (steps > 1 && coarser) {
        steps--;
        encodeCenter(s, steps, out);
    }

    /* Drop neighbours the bounding box cannot reach. */
    if (steps >= 2) {
        geoNeighbors *n = &out->neighbors;
        if (out->area.lat.min < min_lat) {
            zeroCell(&n->south);
            zeroCell(&n->south_west);
            zeroCell(&n->south_east);
        }
        if (out->area.lat.max > max_lat) {
            zeroCell(&n->north);
            zeroCell(&n->north_east);
            zeroCell(&n->north_west);
        }
        if (out->area.lon.min < min_lon) {
            zeroCell(&n->west);
            zeroCell(&n->south_west);
            zeroCell(&n->north_west);
        }
        if (out->area.lon.max > max_lon) {
            zeroCell(&n->east);
            zeroCell(&n->south_east);
            zeroCell(&n->north_east);
        }
    }
}

int geoStandardHashString(double lon, double lat, char *buf) {
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    geoRange rlon = {-180, 180}, rlat = {-90, 90};
    geoCell cell;
    if (!geoEncode(&rlon, &rlat, lon, lat, GEO_STEP_MAX, &cell)) return 0;
    for (int i = 0; i < 11; i++) {
        /* 52 bits give ten full 5-bit symbols; the 11th is padded with 0. */
        int idx = i == 10 ? 0 : (int)((cell.bits >> (52 - ((i + 1) * 5))) & 0x1f);
        buf[i] = alphabet[idx];
    }
    buf[11] = '\0';
    return 1;
}
