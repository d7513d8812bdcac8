/* expire: the active expire cycle. Keys with a TTL are sampled per db by
 * walking db->expires with its scan cursor (so successive calls cover the
 * whole table fairly); a db is re-sampled while more than a tolerated share of
 * the sample was stale, within a CPU time budget: a quarter of a cron period
 * for the SLOW cycle, about 1ms for the FAST one run before sleeping. */
#include "server/server.h"
#include <string.h>

#define EXPIRE_KEYS_PER_LOOP 20      /* sampled keys per db per round */
#define EXPIRE_FAST_DURATION 1000    /* us */
#define EXPIRE_SLOW_TIME_PERC 25     /* % of a cron period */
#define EXPIRE_ACCEPTABLE_STALE 10   /* % of stale keys tolerated in a sample */
#define EXPIRE_DBS_PER_CALL 16

typedef struct expireSample {
    bstr *keys;      /* copies of the expired keys found */
    long nkeys, cap;
    long sampled;
    long long now;
    long long ttl_sum;
    long ttl_samples;
} expireSample;

static unsigned int expire_current_db = 0;
static int expire_timelimit_exit = 0;
static long long expire_last_fast_cycle = 0;
static double expire_stale_perc = 0;

/* Active expiry is on unless DEBUG SET-ACTIVE-EXPIRE 0 turns it off. It is not
 * a config directive, so no config default sets it: the module does. */
__attribute__((constructor)) static void expireSetDefaults(void) { server.active_expire_enabled = 1; }

/* Collecting first and deleting after the scan step keeps the table stable
 * while htScan walks a bucket. */
static void expireSampleCallback(void *privdata, const htEntry *e) {
    expireSample *s = privdata;
    s->sampled++;
    long long when = e->v.s64;
    if (when < s->now) {
        if (s->nkeys == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 32;
            s->keys = zrealloc(s->keys, sizeof(bstr) * s->cap);
        }
        s->keys[s->nkeys++] = bstrDup(e->key);
    } else {
        s->ttl_sum += when - s->now;
        s->ttl_samples++;
    }
}

static long expireDeleteCollected(serverDb *db, expireSample *s) {
    long expired = 0;
    for (long i = 0; i < s->nkeys; i++) {
        obj *key = createStringObject(s->keys[i], bstrLen(s->keys[i]));
        /* Re-check: an earlier deletion's side effects may have changed things. */
        if (keyIsExpired(db, key)) {
            deleteExpiredKeyAndPropagate(db, key);
            postExecutionUnitOperations();
            expired++;
        }
        decrRefCount(key);
        bstrFree(s->keys[i]);
    }
    s->nkeys = 0;
    return expired;
}

/* One sampling round on db: returns 1 if the caller should go on (too many stale). */
static int expireSampleDb(serverDb *db, int keys_per_loop, int acceptable_stale, long *tot_sampled,
                          long *tot_expired) {
    unsigned long num = htSize(db->expires);
    if (num == 0) {
        db->avg_ttl = 0;
        return 0;
    }
    if (num > (unsigned long)keys_per_loop) num = (unsigned long)keys_per_loop;
    expireSample s;
    memset(&s, 0, sizeof(s));
    s.now = mstime();
    /* Bound the empty buckets we may cross in a sparse table. */
    long max_steps = (long)num * 20;
    long expired = 0;
    while (s.sampled < (long)num && max_steps-- > 0) {
        db->expires_cursor = htScan(db->expires, db->expires_cursor, expireSampleCallback, &s);
        expired += expireDeleteCollected(db, &s);
        if (db->expires_cursor == 0) break;
    }
    zfree(s.keys);
    if (s.ttl_samples) {
        long long avg = s.ttl_sum / s.ttl_samples;
        /* Smooth: the running average mostly keeps its history. */
        db->avg_ttl = db->avg_ttl == 0 ? avg : (db->avg_ttl / 50) * 49 + (avg / 50);
    }
    *tot_sampled += s.sampled;
    *tot_expired += expired;
    return s.sampled == 0 || (expired * 100 / s.sampled) > acceptable_stale;
}

void activeExpireCycle(int type) {
    if (!server.active_expire_enabled || server.primary_host != NULL) return;
    int effort = server.active_expire_effort - 1;
    if (effort < 0) effort = 0;
    if (effort > 9) effort = 9;
    int keys_per_loop = EXPIRE_KEYS_PER_LOOP + EXPIRE_KEYS_PER_LOOP / 4 * effort;
    long long fast_duration = EXPIRE_FAST_DURATION + EXPIRE_FAST_DURATION / 4 * effort;
    int slow_cpu = EXPIRE_SLOW_TIME_PERC + 2 * effort;
    int acceptable_stale = EXPIRE_ACCEPTABLE_STALE - effort;

    long long start = ustime();
    if (type == ACTIVE_EXPIRE_CYCLE_FAST) {
        /* Only worth it when the last slow cycle ran out of time or the
         * keyspace is known to hold many stale keys; never back to back. */
        if (!expire_timelimit_exit && expire_stale_perc < acceptable_stale) return;
        if (start < expire_last_fast_cycle + fast_duration * 2) return;
        expire_last_fast_cycle = start;
    }
    int hz = server.hz > 0 ? server.hz : 10;
    long long timelimit = (long long)slow_cpu * 1000000 / hz / 100;
    if (timelimit <= 0) timelimit = 1;
    if (type == ACTIVE_EXPIRE_CYCLE_FAST) timelimit = fast_duration;

    int dbs = EXPIRE_DBS_PER_CALL;
    if (dbs > server.dbnum || expire_timelimit_exit) dbs = server.dbnum;
    expire_timelimit_exit = 0;
    long tot_sampled = 0, tot_expired = 0;
    long long elapsed = 0;
    for (int d = 0; d < dbs && !expire_timelimit_exit; d++) {
        serverDb *db = server.db + (expire_current_db % (unsigned)server.dbnum);
        expire_current_db++;
        int iteration = 0, more;
        do {
            more = expireSampleDb(db, keys_per_loop, acceptable_stale, &tot_sampled, &tot_expired);
            if ((++iteration & 0xf) == 0 || more) {
                elapsed = ustime() - start;
                if (elapsed > timelimit) {
                    expire_timelimit_exit = 1;
                    break;
                }
            }
        } while (more);
    }
    elapsed = ustime() - start;
    server.stat_expire_cycle_time_used += elapsed;
    double perc = tot_sampled ? (double)tot_expired * 100 / tot_sampled : 0;
    expire_stale_perc = perc * 0.05 + expire_stale_perc * 0.95;
    server.stat_expired_stale_perc = (long long)expire_stale_perc;
}
