/* Allocator wrapper: every allocation of the server goes through here so that
 * used_memory is exact (usable size of each block, tracked atomically) and an
 * out-of-memory condition aborts with a log line instead of a NULL deref. */
#ifndef ZMALLOC_H
#define ZMALLOC_H
#include <stddef.h>

#ifdef USE_JEMALLOC
#define ZMALLOC_LIB "jemalloc"
#else
#define ZMALLOC_LIB "libc"
#endif

void *zmalloc(size_t size);
void *zcalloc(size_t size);
void *zrealloc(void *ptr, size_t size);
void *ztrymalloc(size_t size);
void zfree(void *ptr);
char *zstrdup(const char *s);
size_t zmalloc_size(void *ptr);
size_t zmalloc_used_memory(void);
size_t zmalloc_get_rss(void);
/* Allocator-level figures (jemalloc stats when available, else estimates). */
void zmalloc_get_allocator_info(size_t *allocated, size_t *active, size_t *resident);
void zmalloc_set_oom_handler(void (*handler)(size_t));
#endif
