/* Unit tests for ds/geohash: encoding, decoding round trips, neighbours,
 * distances and the standard geohash string, with values the reference
 * server reports for the same inputs. */
#include "ds/geohash.h"
#include "testhelp.h"
#include <math.h>
#include <stdint.h>

static void test_encode_known_score(void) {
    geoCell c;
    ASSERT(geoEncodeWGS84(13.361389, 38.115556, GEO_STEP_MAX, &c));
    ASSERT(geoAlign52(c) == 3479099956230698ULL);
    ASSERT(geoEncodeWGS84(15.087269, 37.502669, GEO_STEP_MAX, &c));
    ASSERT(geoAlign52(c) == 3479447370796909ULL);
}

static void test_encode_limits(void) {
    geoCell c;
    ASSERT(!geoEncodeWGS84(180.1, 0, GEO_STEP_MAX, &c));
    ASSERT(!geoEncodeWGS84(0, 85.06, GEO_STEP_MAX, &c));
    ASSERT(!geoEncodeWGS84(0, 0, 0, &c));
    ASSERT(geoEncodeWGS84(-180, -85.05112878, GEO_STEP_MAX, &c));
    ASSERT(c.bits == 0);
}

static void test_decode_roundtrip(void) {
    double xy[2];
    ASSERT(geoScoreToLonLat(3479099956230698.0, xy));
    ASSERT(fabs(xy[0] - 13.361389) < 1e-5);
    ASSERT(fabs(xy[1] - 38.115556) < 1e-5);
    for (int i = 0; i < 1000; i++) {
        double lon = -180 + (i * 0.3597), lat = -85 + (i * 0.17);
        geoCell c;
        ASSERT(geoEncodeWGS84(lon, lat, GEO_STEP_MAX, &c));
        ASSERT(geoScoreToLonLat((double)geoAlign52(c), xy));
        ASSERT(fabs(xy[0] - lon) < 1e-5 && fabs(xy[1] - lat) < 1e-5);
    }
}

static void test_neighbors(void) {
    geoCell c = {0, 2}; /* 4x4 grid, south-west corner cell */
    geoNeighbors n;
    geoNeighborsOf(&c, &n);
    /* east: lon +1 -> bit 1; north: lat +1 -> bit 0; west wraps to lon 3 */
    ASSERT(n.east.bits == 2);
    ASSERT(n.north.bits == 1);
    ASSERT(n.north_east.bits == 3);
    ASSERT(n.west.bits == 10);
    ASSERT(n.south.bits == 5);
}

static void test_distance(void) {
    /* Between the stored (cell center) positions, as GEODIST reports it. */
    double a[2], b[2];
    ASSERT(geoScoreToLonLat(3479099956230698.0, a));
    ASSERT(geoScoreToLonLat(3479447370796909.0, b));
    double d = geoDistance(a[0], a[1], b[0], b[1]);
    ASSERT(fabs(d - 166274.1516) < 0.0001);
    ASSERT(geoDistance(1, 2, 1, 2) == 0);
    ASSERT(fabs(geoDistance(0, 0, 0, 1) - geoLatDistance(0, 1)) < 1e-9);
    double dist;
    ASSERT(geoDistanceIfInRadius(0, 0, 0, 0.001, 200, &dist));
    ASSERT(!geoDistanceIfInRadius(0, 0, 0, 0.01, 200, &dist));
    ASSERT(geoDistanceIfInBox(400, 400, 0, 0, 0.001, 0.001, &dist));
    ASSERT(!geoDistanceIfInBox(400, 100, 0, 0, 0.001, 0.001, &dist));
}

static void test_hash_string(void) {
    char buf[12];
    double xy[2];
    ASSERT(geoScoreToLonLat(3479099956230698.0, xy));
    ASSERT(geoStandardHashString(xy[0], xy[1], buf));
    ASSERT(strcmp(buf, "sqc8b49rny0") == 0);
}

static void test_steps(void) {
    ASSERT(geoEstimateStepsByRadius(0, 0) == 26);
    ASSERT(geoEstimateStepsByRadius(1, 0) == 24);
    ASSERT(geoEstimateStepsByRadius(1, 70) == 23);
    ASSERT(geoEstimateStepsByRadius(1, 85) == 22);
    ASSERT(geoEstimateStepsByRadius(1e9, 0) == 1);
}

static void test_search_cells(void) {
    geoShape s = {GEO_SHAPE_CIRCLE, {15, 37}, 1000, 200, 0, 0};
    geoSearchCells sc;
    geoSearchCellsForShape(&s, &sc);
    ASSERT(sc.cell.step >= 1 && sc.cell.step <= 26);
    ASSERT(sc.area.lon.min <= 15 && sc.area.lon.max >= 15);
    ASSERT(sc.area.lat.min <= 37 && sc.area.lat.max >= 37);
}

int main(void) {
    RUN_TEST(test_encode_known_score);
    RUN_TEST(test_encode_limits);
    RUN_TEST(test_decode_roundtrip);
    RUN_TEST(test_neighbors);
    RUN_TEST(test_distance);
    RUN_TEST(test_hash_string);
    RUN_TEST(test_steps);
    RUN_TEST(test_search_cells);
    return TEST_REPORT();
}
