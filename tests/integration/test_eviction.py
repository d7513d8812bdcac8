"""maxmemory eviction: every policy picks the keys it should, memory stays
near the limit under a write stream, noeviction/volatile-* answer OOM with
Valkey's exact text, runtime CONFIG SET maxmemory shrinks the dataset, and a
replica of an evicting primary ends with the same data."""
import time

import pytest
import redis

from replutil import assert_same_data, digest, info, replica_of, stat, wait_for, wait_sync

OOM = "OOM command not allowed when used memory > 'maxmemory'."
VAL = "x" * 400


def used(h):
    return int(info(h, "memory")["used_memory"])


def write(c, start, n, prefix="k", ttl=None, batch=100):
    """SETs n keys; returns the error replies (OOM) seen."""
    errors = []
    for b in range(start, start + n, batch):
        p = c.pipeline(transaction=False)
        for i in range(b, min(b + batch, start + n)):
            if ttl is None:
                p.set("%s%d" % (prefix, i), VAL)
            else:
                p.set("%s%d" % (prefix, i), VAL, ex=ttl(i))
        errors += [r for r in p.execute(raise_on_error=False) if isinstance(r, Exception)]
    return errors


def exists_count(c, keys):
    p = c.pipeline(transaction=False)
    for k in keys:
        p.exists(k)
    return sum(p.execute())


def cap_here(h, policy, slack=150 * 1024, samples=10):
    """Sets maxmemory just above the current usage with the given policy."""
    c = h.client()
    c.config_set("maxmemory-samples", samples)
    c.config_set("maxmemory-policy", policy)
    limit = used(h) + slack
    c.config_set("maxmemory", limit)
    return limit


def test_allkeys_lru_keeps_recently_used(start_server):
    h = start_server()
    c = h.client()
    c.config_set("maxmemory-policy", "allkeys-lru")   # before writing: objects keep LRU clocks
    write(c, 0, 3000)
    limit = cap_here(h, "allkeys-lru")
    time.sleep(1.2)   # the LRU clock ticks in seconds
    hot = ["k%d" % i for i in range(0, 3000, 30)]
    p = c.pipeline(transaction=False)
    for k in hot:
        p.get(k)
    p.execute()
    write(c, 10000, 1500, prefix="n")
    assert stat(h, "evicted_keys") > 500
    assert used(h) <= limit + 64 * 1024
    assert exists_count(c, hot) >= len(hot) * 0.9
    # the newest writes are the most recently used too
    assert exists_count(c, ["n%d" % i for i in range(11400, 11500)]) >= 90


def test_allkeys_lfu_keeps_frequently_used(start_server):
    h = start_server(config={"maxmemory-policy": "allkeys-lfu"})
    c = h.client()
    write(c, 0, 3000)
    hot = ["k%d" % i for i in range(0, 3000, 30)]
    p = c.pipeline(transaction=False)
    for _ in range(60):
        for k in hot:
            p.get(k)
    p.execute()
    assert c.object("freq", hot[0]) > 5
    assert c.object("freq", "k1") <= 5
    cap_here(h, "allkeys-lfu")
    write(c, 10000, 1500, prefix="n")
    assert stat(h, "evicted_keys") > 500
    assert exists_count(c, hot) >= len(hot) * 0.9


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"])
def test_volatile_evicts_only_ttl_keys_then_oom(start_server, policy):
    h = start_server(config={"maxmemory-policy": policy})
    c = h.client()
    write(c, 0, 1000, prefix="p")
    write(c, 0, 1000, prefix="t", ttl=lambda i: 1000 + i)
    cap_here(h, policy)
    errors = write(c, 0, 2000, prefix="n")
    assert stat(h, "evicted_keys") >= 900
    assert exists_count(c, ["p%d" % i for i in range(1000)]) == 1000
    assert c.dbsize() - 1000 - exists_count(c, ["n%d" % i for i in range(2000)]) <= 100   # few TTL keys left
    assert errors and str(errors[0]) == OOM
    # reads and deletions still work while out of memory
    assert c.get("p1") == VAL.encode()
    assert c.delete("p1") == 1


def test_volatile_ttl_evicts_shortest_ttl_first(start_server):
    h = start_server(config={"maxmemory-policy": "volatile-ttl"})
    c = h.client()
    write(c, 0, 2000, prefix="t", ttl=lambda i: 1000 + i * 10)
    cap_here(h, "volatile-ttl")
    write(c, 0, 1000, prefix="n")
    assert stat(h, "evicted_keys") > 400
    assert exists_count(c, ["t%d" % i for i in range(300)]) <= 30
    assert exists_count(c, ["t%d" % i for i in range(1700, 2000)]) >= 290


def test_allkeys_random_and_memory_stays_near_limit(start_server):
    h = start_server(config={"maxmemory-policy": "allkeys-random"})
    c = h.client()
    limit = cap_here(h, "allkeys-random", slack=1024 * 1024)
    peak = 0
    for round_ in range(10):   # about 10x maxmemory of payload in total
        assert write(c, round_ * 2500, 2500) == []
        peak = max(peak, used(h))
    assert peak <= limit + 100 * 1024
    assert stat(h, "evicted_keys") > 15000
    assert 0 < c.dbsize() < 5000
    mem = info(h, "memory")
    assert mem["maxmemory_policy"] == "allkeys-random"
    assert int(info(h, "stats")["total_eviction_exceeded_time"]) >= 0


def test_noeviction_oom_error_and_reads(start_server):
    h = start_server()
    c = h.client()
    write(c, 0, 500)
    c.config_set("maxmemory", used(h) - 200 * 1024)
    with pytest.raises(redis.exceptions.ResponseError) as e:
        c.set("new", "v")
    assert str(e.value) == OOM
    assert c.get("k1") == VAL.encode()
    assert c.dbsize() == 500
    assert stat(h, "evicted_keys") == 0
    assert c.delete("k1") == 1   # DEL is not deny-oom


def test_evicted_keyspace_event(start_server):
    h = start_server(config={"maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "Ee"})
    c = h.client()
    write(c, 0, 500)
    ps = h.client().pubsub()
    ps.subscribe("__keyevent@0__:evicted")
    assert ps.get_message(timeout=2)["type"] == "subscribe"
    c.config_set("maxmemory", used(h) - 100 * 1024)
    c.set("trigger", "1")
    msg = ps.get_message(timeout=2)
    assert msg and msg["channel"] == b"__keyevent@0__:evicted" and msg["data"].startswith(b"k")
    ps.close()


def test_config_set_lower_maxmemory_evicts_down(start_server):
    h = start_server(config={"maxmemory-policy": "allkeys-lru"})
    c = h.client()
    write(c, 0, 4000)
    # Poll through this one connection: a new connection per poll would itself
    # add client buffers to used_memory faster than the keys can cover.
    mem = lambda: int(c.info("memory")["used_memory"])  # noqa: E731
    target = mem() - 1024 * 1024
    c.config_set("maxmemory", target)
    wait_for(lambda: mem() <= target, timeout=20, msg="memory under the new limit")
    assert c.dbsize() < 4000
    # eviction may still be finishing a time-boxed cycle: compare once settled
    wait_for(lambda: stat(h, "evicted_keys") == 4000 - c.dbsize(), timeout=10,
             msg="every missing key counted in evicted_keys")


def test_replica_of_evicting_primary_converges(start_server):
    # the backlog counts toward maxmemory: keep it small next to the limit
    p = start_server(config={"maxmemory-policy": "allkeys-lru", "repl-diskless-sync-delay": 0,
                             "repl-backlog-size": "100kb"})
    r = start_server(config={"maxmemory-policy": "allkeys-lru"})
    replica_of(r, p)
    wait_sync(p, r)
    limit = cap_here(p, "allkeys-lru", slack=1024 * 1024)
    r.client().config_set("maxmemory", limit)   # ignored: replicas follow the primary
    for round_ in range(6):
        write(p.client(), round_ * 2500, 2500)
    c = p.client()
    c.set("k1", "fresh")
    c.expire("k2", 100)
    wait_sync(p, r)
    assert stat(p, "evicted_keys") > 5000
    assert stat(r, "evicted_keys") == 0

    # with lazy eviction (the default) the primary may still be finishing a
    # time-boxed eviction cycle: compare once both sides stand still
    def converged():
        wait_sync(p, r)
        return digest(p) == digest(r) and p.client().dbsize() == r.client().dbsize() and \
            digest(p) == digest(r)
    wait_for(converged, timeout=20, msg="replica identical to the evicting primary")
    assert stat(r, "evicted_keys") == 0


def test_lazyfree_eviction_of_big_values(start_server):
    h = start_server(config={"maxmemory-policy": "allkeys-lru", "lazyfree-lazy-eviction": "yes",
                             "maxmemory-eviction-tenacity": 0})
    c = h.client()
    limit = cap_here(h, "allkeys-lru", slack=1024 * 1024)
    for i in range(60):   # hashes big enough to be freed on the lazyfree thread
        p = c.pipeline(transaction=False)
        p.hset("h%d" % i, mapping={"f%d" % j: VAL for j in range(200)})
        p.execute(raise_on_error=False)
    wait_for(lambda: c.set("probe", "1") and used(h) <= limit + 200 * 1024, timeout=10, msg="memory back near limit")
    assert stat(h, "evicted_keys") > 30
    assert c.exists("h59") == 1
