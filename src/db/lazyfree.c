/* lazyfree: frees big values (UNLINK, FLUSHALL ASYNC, lazyfree-* options) on a
 * background thread so the event loop never stalls on a large deallocation.
 * Only objects no longer reachable from the keyspace are handed over. */
#include "server/server.h"
#include <pthread.h>
#include <stdatomic.h>

#define LAZYFREE_THRESHOLD 64

typedef struct lazyJob {
    obj *o;                 /* a value, or NULL when freeing tables */
    kvtable *keys;
    hashtable *expires;
    struct lazyJob *next;
} lazyJob;

static pthread_mutex_t lf_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lf_cond = PTHREAD_COND_INITIALIZER;
static lazyJob *lf_head, *lf_tail;
static int lf_started;
static _Atomic size_t lf_pending, lf_freed;

static void *lazyfreeThread(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lf_mutex);
        while (!lf_head) pthread_cond_wait(&lf_cond, &lf_mutex);
        lazyJob *job = lf_head;
        lf_head = job->next;
        if (!lf_head) lf_tail = NULL;
        pthread_mutex_unlock(&lf_mutex);
        if (job->o) decrRefCount(job->o);
        if (job->expires) htRelease(job->expires);
        if (job->keys) kvtRelease(job->keys);
        zfree(job);
        atomic_fetch_sub(&lf_pending, 1);
        atomic_fetch_add(&lf_freed, 1);
    }
    return NULL;
}

static void submit(lazyJob *job) {
    pthread_mutex_lock(&lf_mutex);
    if (!lf_started) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, lazyfreeThread, NULL) == 0) lf_started = 1;
        pthread_attr_destroy(&attr);
    }
    if (!lf_started) {
        pthread_mutex_unlock(&lf_mutex);
        if (job->o) decrRefCount(job->o);
        if (job->expires) htRelease(job->expires);
        if (job->keys) kvtRelease(job->keys);
        zfree(job);
        return;
    }
    job->next = NULL;
    if (lf_tail) lf_tail->next = job;
    else lf_head = job;
    lf_tail = job;
    atomic_fetch_add(&lf_pending, 1);
    pthread_cond_signal(&lf_cond);
    pthread_mutex_unlock(&lf_mutex);
}

size_t objectFreeEffort(obj *o);

int lazyfreeWouldDefer(obj *o) {
    return o->refcount == 1 && o->type != OBJ_STRING && objectFreeEffort(o) > LAZYFREE_THRESHOLD;
}

void freeObjAsync(obj *key, obj *o, int dbid) {
    (void)key;
    (void)dbid;
    if (lazyfreeWouldDefer(o)) {
        lazyJob *job = zcalloc(sizeof(*job));
        job->o = o;
        submit(job);
    } else {
        decrRefCount(o);
    }
}

void emptyDbAsync(serverDb *db) {
    lazyJob *job = zcalloc(sizeof(*job));
    job->keys = db->keys;
    job->expires = db->expires;
    db->keys = kvtCreate(&dbKeysType);
    db->expires = htCreate(&dbExpiresType);
    submit(job);
}

size_t lazyfreeGetPendingObjectsCount(void) { return atomic_load(&lf_pending); }
size_t lazyfreeGetFreedObjectsCount(void) { return atomic_load(&lf_freed); }
