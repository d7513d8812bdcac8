/* config_int: what config.c (directive table, typed access, loading),
 * config_rewrite.c (CONFIG REWRITE) and config_cmd.c (CONFIG GET/SET/...)
 * share. Private to those files: everything else uses server/config.h. */
#ifndef SERVER_CONFIG_INT_H
#define SERVER_CONFIG_INT_H
#include "server/config.h"
#include <stdio.h>

#define CF_IMMUTABLE (1 << 0)
#define CF_SENSITIVE (1 << 1)   /* value must never be logged */
#define CF_PROTECTED (1 << 2)   /* CONFIG SET needs enable-protected-configs */
#define CF_HIDDEN (1 << 3)      /* only exact-name CONFIG GET shows it */
#define CF_MULTI_ARG (1 << 4)   /* value is a list of words */
#define CF_DENY_LOADING (1 << 5)
#define CF_EMPTY_NULL (1 << 6)  /* string: "" is stored as NULL */

#define NF_MEMORY (1 << 0)
#define NF_PERCENT (1 << 1)     /* "n%" stored as -n */
#define NF_OCTAL (1 << 2)

enum { K_BOOL, K_NUM, K_STR, K_ENUM, K_SPECIAL };
enum { N_INT, N_UINT, N_LONG, N_ULONG, N_LL, N_ULL };

typedef struct configEnumItem {
    const char *name;
    int val;
} configEnumItem;

typedef struct rwState rwState;

/* set callbacks return 1 = changed, 2 = unchanged, 0 = error (*err set). */
typedef struct configDef {
    const char *name, *alias;
    unsigned flags;
    unsigned char kind, ntype;
    unsigned nflags;
    void *ptr;
    long long lo, hi, def;
    const char *defstr;
    const configEnumItem *enums;
    int (*check_str)(const char *v, const char **err);
    int (*check_int)(long long v, const char **err);
    int (*sset)(bstr *argv, int argc, const char **err);
    bstr (*sget)(void);
    void (*srewrite)(rwState *st, const char *name);
    int (*apply)(const char **err);
} configDef;

/* The directive table, NULL-name terminated, and its entry count. */
extern const configDef configTable[];
extern const int configTableCount;
extern const int configOomDefaults[CONFIG_OOM_COUNT];

const configDef *configLookup(const char *name, const char **shown);
bstr configGetString(const configDef *d);
int configSetValue(const configDef *d, const char *value, const char **err);
bstr configCatPercentile(bstr s, double v);
bstr configEnumName(const configDef *d, int val);
bstr configGetBind(void);
bstr configGetNotify(void);
bstr configGetOomValues(void);
int configNumIsUnsigned(const configDef *d);
long long configNumLoad(const configDef *d);
const char *configObufClassName(int j);
bstr configReadWholeFile(FILE *fp, bstr into);

/* Rewrite hooks of special directives (config_rewrite.c). */
void configRwSave(rwState *st, const char *name);
void configRwDir(rwState *st, const char *name);
void configRwObufLimits(rwState *st, const char *name);
void configRwOomValues(rwState *st, const char *name);
void configRwNotify(rwState *st, const char *name);
void configRwBind(rwState *st, const char *name);
void configRwReplicaof(rwState *st, const char *name);
void configRwPercentiles(rwState *st, const char *name);
#endif
