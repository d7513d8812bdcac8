/* dualchannel: replica side of a dual-channel full sync (placeholder until
 * the rdb channel lands). */
#include "repl/repl.h"

void replDualStart(void) { replCancelSync(); }
void replDualAbort(const char *why) { (void)why; }
int replDualActive(void) { return 0; }
void replDualMainReadable(int fd) { (void)fd; }
void replDualCron(void) {}
size_t replDualBufferSize(void) { return 0; }
size_t replDualBufferPeak(void) { return 0; }
bstr replDualInfo(bstr info) { return info; }
