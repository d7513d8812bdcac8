/* cmddocs: the argument trees of COMMAND DOCS, parsed from each row's synopsis. */
#ifndef CMDDOCS_H
#define CMDDOCS_H
#include "server/server.h"

/* 1 when COMMAND DOCS lists "arguments" for cmd (not for containers or
 * commands that take none). */
int commandDocsHasArgs(const serverCommand *cmd);
/* The value of that "arguments" entry: an array of argument maps. */
void addReplyCommandDocArgs(client *c, const serverCommand *cmd);
#endif
