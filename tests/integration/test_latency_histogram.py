"""Per-command latency tracking: LATENCY HISTOGRAM (RESP2 and RESP3 shapes,
containers, unknown names), INFO latencystats with the configured
percentiles, CONFIG RESETSTAT and latency-tracking no."""
import re

import pytest

from kvutil import Conn, DEBUG_CONFIG


@pytest.fixture
def c(start_server):
    srv = start_server(config=DEBUG_CONFIG)
    conn = Conn(srv.port)
    conn("CONFIG", "RESETSTAT")
    yield conn
    conn.close()


def as_dict(flat):
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def test_histogram_shape_resp2(c):
    for _ in range(5):
        c("SET", "k", "v")
    c("CLIENT", "ID")
    rep = as_dict(c("LATENCY", "HISTOGRAM", "set", "client"))
    assert set(rep) == {b"set", b"client|id"}
    s = as_dict(rep[b"set"])
    assert s[b"calls"] == 5
    buckets = s[b"histogram_usec"]
    keys, counts = buckets[0::2], buckets[1::2]
    assert counts[-1] == 5                      # cumulative: the last bucket holds every call
    assert counts == sorted(counts) and len(set(counts)) == len(counts)  # only growing buckets listed
    # bucket keys are the doubling bounds from 1024 ns, in microseconds
    allowed = {1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908}
    assert set(keys) <= allowed and keys == sorted(keys)
    assert as_dict(rep[b"client|id"])[b"calls"] == 1


def test_histogram_resp3_is_a_map_and_filters(c):
    c("HELLO", "3")
    c("GET", "x")
    rep = c("LATENCY", "HISTOGRAM", "get", "nosuchcommand", "client|nosuch")
    assert isinstance(rep, dict) and list(rep) == [b"get"]
    assert rep[b"get"][b"calls"] == 1
    assert isinstance(rep[b"get"][b"histogram_usec"], dict)
    # a command never called since the reset is left out
    assert c("LATENCY", "HISTOGRAM", "lpush") == {}
    # no argument: every tracked command, including this connection's own calls
    everything = c("LATENCY", "HISTOGRAM")
    assert b"get" in everything and b"hello" in everything


def test_info_latencystats_and_percentiles(c):
    for _ in range(3):
        c("INCR", "n")
    info = c("INFO", "latencystats").decode()
    assert info.startswith("# Latencystats\r\n")
    line = [x for x in info.split("\r\n") if x.startswith("latency_percentiles_usec_incr:")]
    assert len(line) == 1
    assert re.fullmatch(r"latency_percentiles_usec_incr:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}", line[0])
    assert "# Latencystats" not in c("INFO").decode()        # not a default section
    assert "# Latencystats" in c("INFO", "all").decode()
    assert "# Latencystats" in c("INFO", "everything").decode()
    c("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99 100")
    line = [x for x in c("INFO", "latencystats").decode().split("\r\n") if x.startswith("latency_percentiles_usec_incr:")]
    assert re.fullmatch(r"latency_percentiles_usec_incr:p50=[\d.]+,p99\.99=[\d.]+,p100=[\d.]+", line[0])


def test_resetstat_and_tracking_off(c):
    c("SET", "a", "1")
    assert b"set" in as_dict(c("LATENCY", "HISTOGRAM", "set"))
    c("CONFIG", "RESETSTAT")
    assert c("LATENCY", "HISTOGRAM", "set") == []
    c("CONFIG", "SET", "latency-tracking", "no")
    c("SET", "a", "2")
    assert c("LATENCY", "HISTOGRAM", "set") == []
    assert "latency_percentiles_usec_" not in c("INFO", "latencystats").decode()
    c("CONFIG", "SET", "latency-tracking", "yes")
    c("SET", "a", "3")
    assert as_dict(as_dict(c("LATENCY", "HISTOGRAM", "set"))[b"set"])[b"calls"] == 1
