#include "core/util.h"
#include "core/zmalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Strict: no spaces, no '+', no leading zeros (except "0"), fits in long long. */
int string2ll(const char *s, size_t slen, long long *value) {
    const char *p = s;
    size_t plen = 0;
    int negative = 0;
    unsigned long long v;

    if (slen == 0 || slen >= LONG_STR_SIZE) return 0;
    if (slen == 1 && p[0] == '0') {
        if (value) *value = 0;
        return 1;
    }
    if (p[0] == '-') {
        negative = 1;
        p++;
        plen++;
        if (plen == slen) return 0;
    }
    if (p[0] >= '1' && p[0] <= '9') {
        v = (unsigned long long)(p[0] - '0');
        p++;
        plen++;
    } else {
        return 0;
    }
    while (plen < slen && p[0] >= '0' && p[0] <= '9') {
        if (v > ULLONG_MAX / 10) return 0;
        v *= 10;
        if (v > ULLONG_MAX - (unsigned long long)(p[0] - '0')) return 0;
        v += (unsigned long long)(p[0] - '0');
        p++;
        plen++;
    }
    if (plen < slen) return 0;
    if (negative) {
        if (v > ((unsigned long long)(-(LLONG_MIN + 1)) + 1)) return 0;
        if (value) *value = (long long)(0 - v);
    } else {
        if (v > LLONG_MAX) return 0;
        if (value) *value = (long long)v;
    }
    return 1;
}

int string2ull(const char *s, unsigned long long *value) {
    long long ll;
    if (string2ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *value = (unsigned long long)ll;
        return 1;
    }
    errno = 0;
    char *endptr = NULL;
    *value = strtoull(s, &endptr, 10);
    if (errno == EINVAL || errno == ERANGE || !(*s != '\0' && *endptr == '\0')) return 0;
    return 1;
}

int string2l(const char *s, size_t slen, long *lval) {
    long long llval;
    if (!string2ll(s, slen, &llval)) return 0;
    if (llval < LONG_MIN || llval > LONG_MAX) return 0;
    *lval = (long)llval;
    return 1;
}

int string2ld(const char *s, size_t slen, long double *dp) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    long double value;
    char *eptr;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    value = strtold(buf, &eptr);
    /* The whole input must be the number: an embedded NUL ends strtold early. */
    if (isspace((unsigned char)buf[0]) || eptr != buf + slen || (errno == ERANGE && (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) || isnan(value))
        return 0;
    if (dp) *dp = value;
    return 1;
}

int string2d(const char *s, size_t slen, double *dp) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    char *eptr;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    double v = strtod(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr != buf + slen || (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) || isnan(v))
        return 0;
    if (dp) *dp = v;
    return 1;
}

uint32_t digits10(uint64_t v) {
    uint32_t n = 1;
    while (v >= 10) { v /= 10; n++; }
    return n;
}

int ull2string(char *dst, size_t dstlen, unsigned long long value) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + value % 10); value /= 10; } while (value);
    if ((size_t)n + 1 > dstlen) { if (dstlen) dst[0] = '\0'; return 0; }
    for (int i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
    dst[n] = '\0';
    return n;
}

int ll2string(char *dst, size_t dstlen, long long svalue) {
    if (svalue < 0) {
        if (dstlen < 2) { if (dstlen) dst[0] = '\0'; return 0; }
        unsigned long long v = (svalue == LLONG_MIN) ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)(-svalue);
        dst[0] = '-';
        int n = ull2string(dst + 1, dstlen - 1, v);
        return n ? n + 1 : 0;
    }
    return ull2string(dst, dstlen, (unsigned long long)svalue);
}

/* Valkey's double text: integers within +-2^52 print without exponent, the rest %.17g. */
int d2string(char *buf, size_t len, double value) {
    if (isnan(value)) return snprintf(buf, len, "nan");
    if (isinf(value)) return snprintf(buf, len, value > 0 ? "inf" : "-inf");
    if (value == 0) return snprintf(buf, len, (1.0 / value < 0) ? "-0" : "0");
    double min = -4503599627370495.0, max = 4503599627370496.0;
    long long lv = (long long)value;
    if (value > min && value < max && (double)lv == value) return ll2string(buf, len, lv);
    /* Shortest text that reads back as the same double, in %g layout. */
    for (int prec = 15; prec <= 17; prec++) {
        int n = snprintf(buf, len, "%.*g", prec, value);
        if (prec == 17 || strtod(buf, NULL) == value) return n;
    }
    return 0;
}

int fixedpoint_d2string(char *dst, size_t dstlen, double dvalue, int fractional_digits) {
    return snprintf(dst, dstlen, "%.*f", fractional_digits, dvalue);
}

/* Long double as Valkey prints INCRBYFLOAT results: %.17Lf, trailing zeros trimmed. */
int ld2string(char *buf, size_t len, long double value, int mode) {
    int l;
    if (isinf(value)) {
        if (len < 5) return 0;
        if (value > 0) { memcpy(buf, "inf", 3); l = 3; }
        else { memcpy(buf, "-inf", 4); l = 4; }
        buf[l] = '\0';
        return l;
    }
    if (mode == LD_STR_HEX) {
        l = snprintf(buf, len, "%La", value);
    } else if (mode == LD_STR_HUMAN) {
        l = snprintf(buf, len, "%.17Lf", value);
        if (l < 0 || (size_t)l >= len) return 0;
        if (strchr(buf, '.') != NULL) {
            char *p = buf + l - 1;
            while (*p == '0') { p--; l--; }
            if (*p == '.') l--;
        }
        if (l == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; l = 1; }
    } else {
        l = snprintf(buf, len, "%.17Lg", value);
    }
    if (l < 0 || (size_t)l >= len) return 0;
    buf[l] = '\0';
    return l;
}

/* Glob matching: * ? [abc] [^a-z] and \ escapes, as KEYS/SCAN MATCH/PSUBSCRIBE use. */
static int matchImpl(const char *pattern, int patternLen, const char *string, int stringLen, int nocase, int *skipLongerMatches, int nesting) {
    if (nesting > 1000) return 0;
    while (patternLen && stringLen) {
        switch (pattern[0]) {
        case '*':
            while (patternLen && pattern[1] == '*') { pattern++; patternLen--; }
            if (patternLen == 1) return 1;
            while (stringLen) {
                if (matchImpl(pattern + 1, patternLen - 1, string, stringLen, nocase, skipLongerMatches, nesting + 1)) return 1;
                if (*skipLongerMatches) return 0;
                string++;
                stringLen--;
            }
            *skipLongerMatches = 1;
            return 0;
        case '?':
            string++;
            stringLen--;
            break;
        case '[': {
            int not, match = 0;
            pattern++;
            patternLen--;
            not = patternLen && pattern[0] == '^';
            if (not) { pattern++; patternLen--; }
            while (1) {
                if (patternLen >= 2 && pattern[0] == '\\') {
                    pattern++;
                    patternLen--;
                    if (pattern[0] == string[0]) match = 1;
                } else if (patternLen == 0) {
                    pattern--;
                    patternLen++;
                    break;
                } else if (pattern[0] == ']') {
                    break;
                } else if (patternLen >= 3 && pattern[1] == '-') {
                    int start = (unsigned char)pattern[0], end = (unsigned char)pattern[2], c = (unsigned char)string[0];
                    if (start > end) { int t = start; start = end; end = t; }
                    if (nocase) { start = tolower(start); end = tolower(end); c = tolower(c); }
                    pattern += 2;
                    patternLen -= 2;
                    if (c >= start && c <= end) match = 1;
                } else {
                    if (!nocase) {
                        if (pattern[0] == string[0]) match = 1;
                    } else if (tolower((unsigned char)pattern[0]) == tolower((unsigned char)string[0])) {
                        match = 1;
                    }
                }
                pattern++;
                patternLen--;
            }
            if (not) match = !match;
            if (!match) return 0;
            string++;
            stringLen--;
            break;
        }
        case '\\':
            if (patternLen >= 2) { pattern++; patternLen--; }
            /* fall through */
        default:
            if (!nocase) {
                if (pattern[0] != string[0]) return 0;
            } else if (tolower((unsigned char)pattern[0]) != tolower((unsigned char)string[0])) {
                return 0;
            }
            string++;
            stringLen--;
            break;
        }
        pattern++;
        patternLen--;
        if (stringLen == 0) {
            while (*pattern == '*' && patternLen) { pattern++; patternLen--; }
            break;
        }
    }
    return patternLen == 0 && stringLen == 0;
}

int stringmatchlen(const char *pattern, int patternLen, const char *string, int stringLen, int nocase) {
    int skip = 0;
    return matchImpl(pattern, patternLen, string, stringLen, nocase, &skip, 0);
}

int stringmatch(const char *pattern, const char *string, int nocase) {
    return stringmatchlen(pattern, (int)strlen(pattern), string, (int)strlen(string), nocase);
}

/* "1gb" / "10mb" / "1k" / "4096": bytes; *err set on bad input. k = 1000, kb = 1024. */
long long memtoull(const char *p, int *err) {
    const char *u;
    char buf[128];
    long mul;
    long long val;
    unsigned int digits;
    if (err) *err = 0;
    u = p;
    if (*u == '-') { if (err) *err = 1; return 0; }
    while (*u && isdigit((unsigned char)*u)) u++;
    if (*u == '\0' || !strcasecmp(u, "b")) mul = 1;
    else if (!strcasecmp(u, "k")) mul = 1000;
    else if (!strcasecmp(u, "kb")) mul = 1024;
    else if (!strcasecmp(u, "m")) mul = 1000 * 1000;
    else if (!strcasecmp(u, "mb")) mul = 1024 * 1024;
    else if (!strcasecmp(u, "g")) mul = 1000L * 1000 * 1000;
    else if (!strcasecmp(u, "gb")) mul = 1024L * 1024 * 1024;
    else { if (err) *err = 1; return 0; }
    digits = (unsigned int)(u - p);
    if (digits == 0 || digits >= sizeof(buf)) { if (err) *err = 1; return 0; }
    memcpy(buf, p, digits);
    buf[digits] = '\0';
    char *endptr;
    errno = 0;
    val = strtoll(buf, &endptr, 10);
    if ((val == 0 && errno == EINVAL) || *endptr != '\0' || errno == ERANGE) { if (err) *err = 1; return 0; }
    if (val > LLONG_MAX / mul) { if (err) *err = 1; return 0; }
    return val * mul;
}

void getRandomBytes(unsigned char *p, size_t len) {
    static int fd = -2;
    if (fd == -2) fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        size_t got = 0;
        while (got < len) {
            ssize_t n = read(fd, p + got, len - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == len) return;
    }
    /* Fallback: time-seeded PRNG (only when /dev/urandom is unavailable). */
    unsigned long long x = (unsigned long long)ustime_now() ^ (unsigned long long)getpid() << 20;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        p[i] = (unsigned char)x;
    }
}

void getRandomHexChars(char *p, size_t len) {
    const char *charset = "0123456789abcdef";
    getRandomBytes((unsigned char *)p, len);
    for (size_t j = 0; j < len; j++) p[j] = charset[p[j] & 0x0F];
}

int pathIsBaseName(char *path) { return strchr(path, '/') == NULL; }

char *getAbsolutePath(char *filename) {
    char cwd[4096];
    if (filename[0] == '/') return zstrdup(filename);
    while (filename[0] == '.' && filename[1] == '/') filename += 2;
    if (!getcwd(cwd, sizeof(cwd))) return NULL;
    size_t l = strlen(cwd) + strlen(filename) + 2;
    char *abs = zmalloc(l);
    snprintf(abs, l, "%s/%s", cwd, filename);
    return abs;
}

long long ustime_now(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}
long long mstime_now(void) { return ustime_now() / 1000; }
long long monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}
