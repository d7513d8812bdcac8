/* rio: one stream interface over a file, an in-memory bstr buffer, or a file
 * descriptor (pipe/socket), so the RDB codec never knows where bytes go.
 * Every byte read or written passes through update_cksum (CRC64 by default)
 * and is counted in processed_bytes; once an error flag is set it sticks. */
#ifndef PERSIST_RIO_H
#define PERSIST_RIO_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "ds/bstr.h"

#define RIO_FLAG_READ_ERROR (1 << 0)
#define RIO_FLAG_WRITE_ERROR (1 << 1)
#define RIO_FLAG_TIMEOUT (1 << 2)

typedef struct rio rio;
struct rio {
    /* Backend operations: read/write return 1 when all len bytes moved, 0 otherwise. */
    size_t (*read)(rio *r, void *buf, size_t len);
    size_t (*write)(rio *r, const void *buf, size_t len);
    off_t (*tell)(rio *r);
    int (*flush)(rio *r);   /* 1 ok, 0 error */
    /* Called on every chunk moved; the default folds it into cksum. Loaders
     * override it to also report progress. */
    void (*update_cksum)(rio *r, const void *buf, size_t len);
    void *privdata;          /* owner's pointer for update_cksum hooks */
    uint64_t cksum;
    uint64_t flags;
    size_t processed_bytes;
    size_t max_processing_chunk;   /* 0 = unbounded; large I/O is split into chunks this size */
    union {
        struct { bstr ptr; off_t pos; } buffer;
        struct {
            FILE *fp;
            off_t buffered;     /* bytes written since the last fsync */
            off_t autosync;     /* fsync every this many bytes (0 = never) */
        } file;
        struct {
            int fd;
            off_t pos;          /* bytes consumed by the reader / accepted by the writer */
            bstr buf;           /* write: pending output; read: bytes fetched, not yet consumed */
            size_t bufpos;      /* read: first unconsumed byte of buf */
            off_t read_limit;   /* read: never fetch past this many bytes total (0 = no limit) */
            off_t read_so_far;  /* read: bytes fetched from the fd */
            int timeout_ms;     /* wait at most this long for a slow peer (0 = forever) */
        } fd;
    } io;
};

void rioGenericUpdateChecksum(rio *r, const void *buf, size_t len);

void rioInitWithBuffer(rio *r, bstr s);          /* reads from / appends to s (r owns nothing) */
/* 1 when r reads from a buffer holding fewer than len more bytes: a loader
 * checks a length read from untrusted input before allocating for it. */
int rioBufferShortOf(rio *r, uint64_t len);
void rioInitWithFile(rio *r, FILE *fp);
void rioSetAutoSync(rio *r, off_t bytes);        /* file only */
/* Buffered writer to a blocking or non-blocking fd (pipe or socket). */
void rioInitWithFdWriter(rio *r, int fd, int timeout_ms);
/* Buffered reader from an fd. read_limit bounds how many bytes are fetched (a
 * known-length payload); 0 reads freely (the caller checks the tail after). */
void rioInitWithFdReader(rio *r, int fd, off_t read_limit, int timeout_ms);
void rioFreeFd(rio *r);                          /* frees the fd backends' buffer, not the fd */
/* Bytes fetched by an fd reader but not consumed yet (e.g. an $EOF mark). */
size_t rioFdReaderPending(rio *r, const char **p);

static inline size_t rioWrite(rio *r, const void *buf, size_t len) {
    if (r->flags & RIO_FLAG_WRITE_ERROR) return 0;
    const char *p = buf;
    while (len) {
        size_t n = (r->max_processing_chunk && r->max_processing_chunk < len) ? r->max_processing_chunk : len;
        if (r->update_cksum) r->update_cksum(r, p, n);
        if (r->write(r, p, n) == 0) {
            r->flags |= RIO_FLAG_WRITE_ERROR;
            return 0;
        }
        p += n;
        len -= n;
        r->processed_bytes += n;
    }
    return 1;
}

static inline size_t rioRead(rio *r, void *buf, size_t len) {
    if (r->flags & RIO_FLAG_READ_ERROR) return 0;
    char *p = buf;
    while (len) {
        size_t n = (r->max_processing_chunk && r->max_processing_chunk < len) ? r->max_processing_chunk : len;
        if (r->read(r, p, n) == 0) {
            r->flags |= RIO_FLAG_READ_ERROR;
            return 0;
        }
        if (r->update_cksum) r->update_cksum(r, p, n);
        p += n;
        len -= n;
        r->processed_bytes += n;
    }
    return 1;
}

static inline off_t rioTell(rio *r) { return r->tell(r); }
static inline int rioFlush(rio *r) { return r->flush(r); }
static inline int rioGetReadError(rio *r) { return (r->flags & RIO_FLAG_READ_ERROR) != 0; }
static inline int rioGetWriteError(rio *r) { return (r->flags & RIO_FLAG_WRITE_ERROR) != 0; }
static inline void rioClearErrors(rio *r) { r->flags &= ~(uint64_t)(RIO_FLAG_READ_ERROR | RIO_FLAG_WRITE_ERROR); }

/* Convenience for aux fields and logs. */
size_t rioWriteBulkCount(rio *r, char prefix, long count);
#endif
