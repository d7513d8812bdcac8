/* eventloop: a single-threaded reactor over epoll with file events (readable /
 * writable, optional write-before-read barrier) and timers (ms resolution).
 * beforesleep runs before every wait, aftersleep right after it. */
#ifndef CORE_EVENTLOOP_H
#define CORE_EVENTLOOP_H

#define EL_OK 0
#define EL_ERR -1
#define EL_NONE 0
#define EL_READABLE 1
#define EL_WRITABLE 2
#define EL_BARRIER 4
#define EL_FILE_EVENTS 1
#define EL_TIME_EVENTS 2
#define EL_ALL_EVENTS (EL_FILE_EVENTS | EL_TIME_EVENTS)
#define EL_DONT_WAIT 4
#define EL_CALL_BEFORE_SLEEP 8
#define EL_CALL_AFTER_SLEEP 16
#define EL_NOMORE -1

struct eventLoop;
typedef void elFileProc(struct eventLoop *el, int fd, void *clientData, int mask);
/* Returns the ms until the next call, or EL_NOMORE to delete the timer. */
typedef int elTimeProc(struct eventLoop *el, long long id, void *clientData);
typedef void elBeforeSleepProc(struct eventLoop *el);

typedef struct elFileEvent {
    int mask;
    elFileProc *rfileProc, *wfileProc;
    void *clientData;
} elFileEvent;

typedef struct elTimeEvent {
    long long id;
    long long when_us;   /* monotonic */
    elTimeProc *proc;
    void *clientData;
    struct elTimeEvent *next;
    int deleted;
} elTimeEvent;

typedef struct eventLoop {
    int maxfd, setsize;
    long long timeEventNextId;
    elFileEvent *events;
    int *firedFds, *firedMasks;
    elTimeEvent *timeEventHead;
    int stop;
    int epfd;
    void *apidata;
    elBeforeSleepProc *beforesleep, *aftersleep;
    int flags;
} eventLoop;

eventLoop *elCreate(int setsize);
void elDelete(eventLoop *el);
void elStop(eventLoop *el);
int elCreateFileEvent(eventLoop *el, int fd, int mask, elFileProc *proc, void *clientData);
void elDeleteFileEvent(eventLoop *el, int fd, int mask);
int elGetFileEvents(eventLoop *el, int fd);
long long elCreateTimeEvent(eventLoop *el, long long milliseconds, elTimeProc *proc, void *clientData);
int elDeleteTimeEvent(eventLoop *el, long long id);
int elProcessEvents(eventLoop *el, int flags);
int elWait(int fd, int mask, long long milliseconds);
void elMain(eventLoop *el);
void elSetBeforeSleepProc(eventLoop *el, elBeforeSleepProc *p);
void elSetAfterSleepProc(eventLoop *el, elBeforeSleepProc *p);
int elGetSetSize(eventLoop *el);
int elResizeSetSize(eventLoop *el, int setsize);
void elSetDontWait(eventLoop *el, int noWait);
void elFireReadable(eventLoop *el, int fd);   /* run fd's readable handler now, if it has one */
#endif
