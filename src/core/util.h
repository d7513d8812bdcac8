/* util: number<->string conversions with Valkey's exact rules (canonical
 * integers only, no leading spaces or '+', doubles printed with %.17g and
 * inf/-inf), glob matching, random bytes. */
#ifndef CORE_UTIL_H
#define CORE_UTIL_H
#include <stddef.h>
#include <stdint.h>

#define MAX_LONG_DOUBLE_CHARS (5 * 1024)
#define MAX_D2STRING_CHARS 128
#define LONG_STR_SIZE 21

int string2ll(const char *s, size_t slen, long long *value);  /* 1 ok, 0 not canonical */
int string2ull(const char *s, unsigned long long *value);
int string2l(const char *s, size_t slen, long *value);
int string2ld(const char *s, size_t slen, long double *dp);   /* 1 ok */
int string2d(const char *s, size_t slen, double *dp);         /* 1 ok, rejects NaN */
int ll2string(char *dst, size_t dstlen, long long value);     /* returns length */
int ull2string(char *dst, size_t dstlen, unsigned long long value);
int d2string(char *buf, size_t len, double value);            /* %.17g, "inf"/"-inf" */
int fixedpoint_d2string(char *dst, size_t dstlen, double dvalue, int fractional_digits);
#define LD_STR_AUTO 0
#define LD_STR_HUMAN 1
#define LD_STR_HEX 2
int ld2string(char *buf, size_t len, long double value, int mode);
uint32_t digits10(uint64_t v);
int stringmatchlen(const char *pattern, int patternLen, const char *string, int stringLen, int nocase);
int stringmatch(const char *pattern, const char *string, int nocase);
int stringmatchlen_fuzz_test(void);
long long memtoull(const char *p, int *err);   /* "10mb" -> bytes */
void getRandomBytes(unsigned char *p, size_t len);
void getRandomHexChars(char *p, size_t len);
int pathIsBaseName(char *path);
char *getAbsolutePath(char *filename);  /* zmalloc'd */
long long ustime_now(void);
long long mstime_now(void);
long long monotonic_us(void);
#endif
