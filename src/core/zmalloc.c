#include "core/zmalloc.h"
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#ifdef USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static _Atomic size_t used_memory;

static void default_oom(size_t size) {
    fprintf(stderr, "zmalloc: Out of memory trying to allocate %zu bytes\n", size);
    fflush(stderr);
    abort();
}
static void (*oom_handler)(size_t) = default_oom;
void zmalloc_set_oom_handler(void (*h)(size_t)) { oom_handler = h; }

size_t zmalloc_size(void *ptr) { return ptr ? malloc_usable_size(ptr) : 0; }

static inline void account_alloc(void *p) {
    atomic_fetch_add_explicit(&used_memory, malloc_usable_size(p), memory_order_relaxed);
}

/* jemalloc computes a request's size class arithmetically (nallocx), which is
 * what malloc_usable_size would report, without its page-map lookup. */
static inline void account_alloc_request(void *p, size_t size) {
#ifdef USE_JEMALLOC
    (void)p;
    atomic_fetch_add_explicit(&used_memory, nallocx(size, 0), memory_order_relaxed);
#else
    account_alloc(p);
#endif
}

void *ztrymalloc(size_t size) {
    if (!size) size = 1;
    void *p = malloc(size);
    if (p) account_alloc_request(p, size);
    return p;
}

void *zmalloc(size_t size) {
    void *p = ztrymalloc(size);
    if (!p) oom_handler(size);
    return p;
}

void *zcalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) oom_handler(size);
    account_alloc(p);
    return p;
}

void *zrealloc(void *ptr, size_t size) {
    if (!ptr) return zmalloc(size);
    if (size == 0) { zfree(ptr); return NULL; }
    size_t old = malloc_usable_size(ptr);
    void *p = realloc(ptr, size);
    if (!p) oom_handler(size);
    atomic_fetch_sub_explicit(&used_memory, old, memory_order_relaxed);
    account_alloc(p);
    return p;
}

void zfree(void *ptr) {
    if (!ptr) return;
    size_t size = malloc_usable_size(ptr);
    atomic_fetch_sub_explicit(&used_memory, size, memory_order_relaxed);
#ifdef USE_JEMALLOC
    sdallocx(ptr, size, 0);   /* the size we just looked up spares free() its own lookup */
#else
    free(ptr);
#endif
}

char *zstrdup(const char *s) {
    size_t l = strlen(s) + 1;
    char *p = zmalloc(l);
    memcpy(p, s, l);
    return p;
}

size_t zmalloc_used_memory(void) { return atomic_load_explicit(&used_memory, memory_order_relaxed); }

/* Resident set size from /proc: what the kernel really charges us. */
size_t zmalloc_get_rss(void) {
    char buf[4096];
    int fd = open("/proc/self/stat", O_RDONLY);
    if (fd == -1) return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = buf;
    for (int field = 1; field < 24 && p; field++) {   /* rss is field 24 */
        p = strchr(p, ' ');
        if (p) p++;
    }
    if (!p) return 0;
    return (size_t)strtoll(p, NULL, 10) * (size_t)sysconf(_SC_PAGESIZE);
}

void zmalloc_get_allocator_info(size_t *allocated, size_t *active, size_t *resident) {
#ifdef USE_JEMALLOC
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    sz = sizeof(size_t);
    *allocated = *active = *resident = 0;
    mallctl("stats.allocated", allocated, &sz, NULL, 0);
    mallctl("stats.active", active, &sz, NULL, 0);
    mallctl("stats.resident", resident, &sz, NULL, 0);
#else
    *allocated = *active = zmalloc_used_memory();
    *resident = zmalloc_get_rss();
#endif
}
