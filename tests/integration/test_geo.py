"""GEO commands: replies and errors checked exactly, plus differential runs
against the reference server (positions, hashes, distances, radius and box
searches with every option, STORE/STOREDIST results)."""
import os
import random
import socket

import pytest

from kvutil import Conn, err

REFERENCE = "/usr/bin/redis-server"

SICILY = ["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"]


@pytest.fixture
def c(server):
    return Conn(server.port)


@pytest.fixture
def ref(start_server):
    if not os.path.exists(REFERENCE):
        pytest.skip("no reference server")
    return Conn(start_server(binary=REFERENCE).port)


def test_geoadd_and_pos(c):
    assert c("GEOADD", "Sicily", *SICILY) == 2
    assert c("GEOADD", "Sicily", *SICILY) == 0
    assert c("ZSCORE", "Sicily", "Palermo") == b"3479099956230698"
    assert c("GEOPOS", "Sicily", "Palermo", "nope") == [
        [b"13.36138933897018433", b"38.11555639549629859"], None]
    assert c("GEOPOS", "nokey", "a") == [None]
    assert c("GEOHASH", "Sicily", "Palermo", "Catania", "x") == [b"sqc8b49rny0", b"sqdtr74hyu0", None]
    assert c("GEODIST", "Sicily", "Palermo", "Catania") == b"166274.1516"
    assert c("GEODIST", "Sicily", "Palermo", "Catania", "km") == b"166.2742"
    assert c("GEODIST", "Sicily", "Palermo", "Catania", "mi") == b"103.3182"
    assert c("GEODIST", "Sicily", "Palermo", "nope") is None
    assert c("GEODIST", "nokey", "a", "b") is None


def test_geoadd_options(c):
    c("GEOADD", "k", *SICILY)
    assert c("GEOADD", "k", "XX", "13", "38", "Palermo", "1", "1", "New") == 0
    assert c("ZCARD", "k") == 2
    assert c("GEOADD", "k", "XX", "CH", "13.5", "38", "Palermo") == 1
    assert c("GEOADD", "k", "NX", "CH", "14", "38", "Palermo", "1", "1", "New") == 1
    assert c("GEOADD", "k", "NX", "XX", "1", "1", "z") == err("ERR syntax error")
    assert c("GEOADD", "k", "1", "1") == err("ERR wrong number of arguments for 'geoadd' command")
    assert c("GEOADD", "k", "CH", "1", "1") == err("ERR syntax error")
    assert c("GEOADD", "xxkey", "XX", "1", "1", "a") == 0
    assert c("EXISTS", "xxkey") == 0


def test_errors(c):
    assert c("GEOADD", "k", "200", "1", "a") == err("ERR invalid longitude,latitude pair 200.000000,1.000000")
    assert c("GEOADD", "k", "1", "86", "a") == err("ERR invalid longitude,latitude pair 1.000000,86.000000")
    assert c("GEOADD", "k", "x", "1", "a") == err("ERR value is not a valid float")
    c("SET", "str", "v")
    assert c("GEOADD", "str", "1", "1", "a") == err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert c("GEOPOS", "str", "a") == err("WRONGTYPE Operation against a key holding the wrong kind of value")
    c("GEOADD", "k", *SICILY)
    assert c("GEODIST", "k", "Palermo", "Catania", "yards") == err("ERR unsupported unit provided. please use M, KM, FT, MI")
    assert c("GEODIST", "k", "a", "b", "m", "x") == err("ERR syntax error")
    assert c("GEORADIUS", "k", "15", "37", "-1", "km") == err("ERR radius cannot be negative")
    assert c("GEORADIUS", "k", "15", "37", "x", "km") == err("ERR need numeric radius")
    assert c("GEORADIUS", "k", "15", "37", "10", "km", "COUNT", "0") == err("ERR COUNT must be > 0")
    assert c("GEORADIUS", "k", "15", "37", "10", "km", "ANY") == err("ERR the ANY argument requires COUNT argument")
    assert c("GEORADIUS", "k", "15", "37", "10", "km", "WITHDIST", "STORE", "d") == \
        err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    assert c("GEORADIUS_RO", "k", "15", "37", "10", "km", "STORE", "d") == err("ERR syntax error")
    assert c("GEORADIUSBYMEMBER", "k", "nope", "10", "km") == err("ERR could not decode requested zset member")
    assert c("GEOSEARCH", "k", "BYRADIUS", "10", "km", "ASC", "DESC") == \
        err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH")
    assert c("GEOSEARCH", "k", "FROMLONLAT", "15", "37", "ASC", "DESC", "ASC") == \
        err("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH")
    assert c("GEOSEARCH", "k", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km") == \
        err("ERR height or width cannot be negative")
    assert c("GEOSEARCH", "k", "FROMMEMBER", "x", "BYRADIUS", "1", "km") == \
        err("ERR could not decode requested zset member")
    assert c("GEOSEARCHSTORE", "d", "k", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "WITHDIST") == \
        err("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")


def test_search_basic(c):
    c("GEOADD", "Sicily", *SICILY)
    assert c("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC") == [
        [b"Catania", b"56.4413"], [b"Palermo", b"190.4424"]]
    assert c("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD", "WITHHASH", "COUNT", "1") == [
        [b"Catania", 3479447370796909, [b"15.08726745843887329", b"37.50266842333162032"]]]
    assert c("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "DESC") == [
        b"Palermo", b"Catania"]
    assert c("GEORADIUS", "nokey", "15", "37", "200", "km") == []
    assert c("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst") == 2
    assert c("ZRANGE", "dst", "0", "-1", "WITHSCORES") == [
        b"Palermo", b"3479099956230698", b"Catania", b"3479447370796909"]
    assert c("GEOSEARCHSTORE", "dst2", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "200", "km",
             "ASC", "STOREDIST") == 2
    assert c("ZRANGE", "dst2", "0", "-1", "WITHSCORES") == [b"Palermo", b"0", b"Catania", b"166.27415156960032"]
    # An empty result deletes the destination.
    assert c("GEORADIUS", "Sicily", "0", "0", "1", "km", "STORE", "dst") == 0
    assert c("EXISTS", "dst") == 0
    assert c("GEORADIUSBYMEMBER", "nokey", "x", "1", "km", "STORE", "dst2") == 0
    assert c("EXISTS", "dst2") == 0


def test_command_getkeys(c):
    assert c("COMMAND", "GETKEYS", "GEORADIUS", "src", "1", "2", "3", "km", "STORE", "dst") == [b"src", b"dst"]
    assert c("COMMAND", "GETKEYS", "GEOSEARCHSTORE", "dst", "src", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "m") == \
        [b"dst", b"src"]


def _same(ours, theirs, *cmd, unordered=False):
    a, b = ours(*cmd), theirs(*cmd)
    if unordered and isinstance(a, list) and isinstance(b, list):
        key = repr
        assert sorted(a, key=key) == sorted(b, key=key), cmd
    else:
        assert a == b, (cmd, a, b)
    return a


def _same_zset(ours, theirs, key):
    """Scores compared as numbers: Valkey 8 prints the shortest round-trip form,
    the 7.0 reference prints 17 significant digits."""
    def pairs(conn):
        flat = conn("ZRANGE", key, "0", "-1", "WITHSCORES")
        return sorted((flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2))
    assert pairs(ours) == pairs(theirs), key


def _populate(conns, rnd, key, n, lon0, lat0, spread):
    args = []
    for i in range(n):
        lon = max(-180, min(180, lon0 + rnd.uniform(-spread, spread)))
        lat = max(-85, min(85, lat0 + rnd.uniform(-spread, spread)))
        args += ["%.6f" % lon, "%.6f" % lat, "m%d" % i]
    for conn in conns:
        conn("GEOADD", key, *args)


@pytest.mark.parametrize("n", [20, 400])  # listpack and skiplist encodings
def test_matches_reference(c, ref, n):
    rnd = random.Random(n)
    centers = [(13.4, 38.1, 2.0), (0.0, 0.0, 5.0), (179.9, 0, 1.0), (-70, 70, 3), (20, -84, 2), (-120, 40, 40)]
    for i, (lon, lat, spread) in enumerate(centers):
        _populate((c, ref), rnd, "g%d" % i, n, lon, lat, spread)
    for i, (lon, lat, spread) in enumerate(centers):
        key = "g%d" % i
        _same(c, ref, "GEOPOS", key, "m0", "m1", "m7", "nope")
        _same(c, ref, "GEOHASH", key, "m0", "m3", "nope")
        for unit in ("m", "km", "ft", "mi"):
            _same(c, ref, "GEODIST", key, "m0", "m5", unit)
        for radius in ("1", "50", "150", "600", "5000", "20000"):
            _same(c, ref, "GEORADIUS", key, str(lon), str(lat), radius, "km", "WITHDIST", "WITHCOORD", "WITHHASH",
                  "ASC")
            _same(c, ref, "GEORADIUS", key, str(lon), str(lat), radius, "km")
            _same(c, ref, "GEORADIUS_RO", key, str(lon), str(lat), radius, "km", "COUNT", "5", "DESC", "WITHDIST")
            _same(c, ref, "GEORADIUSBYMEMBER", key, "m1", radius, "mi", "WITHDIST", "ASC", "COUNT", "7")
            _same(c, ref, "GEOSEARCH", key, "FROMLONLAT", str(lon), str(lat), "BYBOX", radius, str(float(radius) / 2),
                  "km", "ASC", "WITHDIST", "WITHCOORD")
            _same(c, ref, "GEOSEARCH", key, "FROMMEMBER", "m2", "BYRADIUS", radius, "km", "ASC", "WITHHASH")
            _same(c, ref, "GEOSEARCH", key, "FROMMEMBER", "m2", "BYRADIUS", radius, "km", "COUNT", "3", "ANY")
            _same(c, ref, "GEOSEARCHSTORE", "dst", key, "FROMMEMBER", "m2", "BYBOX", radius, radius, "km",
                  "STOREDIST")
            _same_zset(c, ref, "dst")
            _same(c, ref, "GEORADIUS", key, str(lon), str(lat), radius, "km", "STORE", "dst2")
            _same_zset(c, ref, "dst2")


def _raw_resp3(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"HELLO 3\r\n" + payload + b"PING\r\n")
        data = b""
        while not data.endswith(b"+PONG\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_resp3_matches_reference(server, start_server):
    if not os.path.exists(REFERENCE):
        pytest.skip("no reference server")
    refsrv = start_server(binary=REFERENCE)
    payload = (b"GEOADD S 13.361389 38.115556 Palermo 15.087269 37.502669 Catania\r\n"
               b"GEOPOS S Palermo nope\r\nGEODIST S Palermo Catania km\r\nGEOHASH S Catania nope\r\n"
               b"GEORADIUS S 15 37 200 km WITHCOORD WITHDIST WITHHASH ASC\r\n"
               b"GEOSEARCH S FROMLONLAT 0 0 BYRADIUS 1 m\r\nGEOPOS nokey a\r\n")
    ours = _raw_resp3(server.port, payload)
    theirs = _raw_resp3(refsrv.port, payload)
    # Skip the HELLO maps (server name and version differ).
    marker = b"modules\r\n*0\r\n"
    assert ours[ours.index(marker):] == theirs[theirs.index(marker):]
