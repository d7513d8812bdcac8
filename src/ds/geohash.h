/* geohash: interleaved-bit geohashes over the Web-Mercator-bounded WGS84 box
 * (latitude bits in even positions, longitude bits in odd), neighbour cells,
 * haversine distances and the cell set covering a radius/box search.
 * Invariant: a cell is (bits, step) with 1 <= step <= 32; step 0 with bits 0
 * is the "no cell" marker used to drop useless neighbours. */
#ifndef DS_GEOHASH_H
#define DS_GEOHASH_H
#include <stdint.h>

#define GEO_STEP_MAX 26
#define GEO_LAT_MIN -85.05112878
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN -180.0
#define GEO_LONG_MAX 180.0
#define GEO_EARTH_RADIUS_M 6372797.560856
#define GEO_MERCATOR_MAX 20037726.37

typedef struct { uint64_t bits; uint8_t step; } geoCell;
typedef struct { double min, max; } geoRange;
typedef struct { geoCell cell; geoRange lon, lat; } geoArea;

typedef struct {
    geoCell north, east, west, south, north_east, south_east, north_west, south_west;
} geoNeighbors;

#define GEO_SHAPE_CIRCLE 1
#define GEO_SHAPE_BOX 2
/* A search shape: center (lon, lat), sizes in the user's unit, and the unit's
 * size in meters. */
typedef struct {
    int type;
    double xy[2];
    double conversion;
    double radius;          /* circle */
    double width, height;   /* box */
} geoShape;

/* The center cell plus its neighbours (zeroed when they cannot match). */
typedef struct {
    geoCell cell;
    geoArea area;
    geoNeighbors neighbors;
} geoSearchCells;

/* 0 when the point is outside the ranges or the indexable limits. */
int geoEncode(const geoRange *lon, const geoRange *lat, double longitude, double latitude, uint8_t step, geoCell *out);
int geoEncodeWGS84(double longitude, double latitude, uint8_t step, geoCell *out);
int geoDecode(geoRange lon, geoRange lat, geoCell cell, geoArea *area);
/* Cell center, clamped to the indexable limits. */
int geoDecodeToLonLatWGS84(geoCell cell, double *xy);
/* A stored 52-bit score back to (lon, lat). */
int geoScoreToLonLat(double score, double *xy);
uint64_t geoAlign52(geoCell cell);
void geoNeighborsOf(const geoCell *cell, geoNeighbors *n);
int geoCellIsZero(geoCell c);

double geoDistance(double lon1, double lat1, double lon2, double lat2);
double geoLatDistance(double lat1, double lat2);
/* Distance from the center to the point when it lies inside the shape. */
int geoDistanceIfInRadius(double x1, double y1, double x2, double y2, double radius, double *dist);
int geoDistanceIfInBox(double width_m, double height_m, double x1, double y1, double x2, double y2, double *dist);

uint8_t geoEstimateStepsByRadius(double range_meters, double lat);
void geoBoundingBox(const geoShape *shape, double *bounds); /* min lon, min lat, max lon, max lat */
void geoSearchCellsForShape(const geoShape *shape, geoSearchCells *out);
/* Standard base32 geohash (11 chars + NUL) of a point, over lat [-90, 90]. */
int geoStandardHashString(double lon, double lat, char *buf);
#endif
