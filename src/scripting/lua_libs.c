/* lua_libs: the `cjson`, `cmsgpack`, `struct` and `bit` libraries that Valkey
 * scripts can use.
 * Behaviour follows what scripts observe in Valkey (lua-cjson 2.1 defaults and
 * LuaBitOp 1.0): JSON numbers printed with 14 significant digits, '/' escaped,
 * empty tables encoded as objects, sparse arrays refused, bit results as signed
 * 32-bit numbers. Written for this server; only the observable behaviour is
 * shared with those libraries. */
#include "core/zmalloc.h"
#include <lua5.1/lua.h>
#include <lua5.1/lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 1000
#define JSON_SPARSE_RATIO 2
#define JSON_SPARSE_SAFE 10

/* ---------------------------------------------------------------- encoding */

/* Encoding walks tables on the Lua stack, which a luaL_Buffer cannot share,
 * and errors longjmp out: the text goes to one buffer kept between calls
 * (reset at each encode), so an error never leaks it. */
typedef struct jsonOut {
    char *buf;
    size_t len, cap;
} jsonOut;

static jsonOut out;

static void outAdd(const char *s, size_t n) {
    if (out.len + n > out.cap) {
        size_t cap = out.cap ? out.cap : 256;
        while (cap < out.len + n) cap *= 2;
        out.buf = zrealloc(out.buf, cap);
        out.cap = cap;
    }
    memcpy(out.buf + out.len, s, n);
    out.len += n;
}

static void outStr(const char *s) { outAdd(s, strlen(s)); }
static void outChar(char c) { outAdd(&c, 1); }

static void jsonAddString(const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    outChar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': outStr("\\\""); break;
        case '\\': outStr("\\\\"); break;
        case '/': outStr("\\/"); break;
        case '\b': outStr("\\b"); break;
        case '\f': outStr("\\f"); break;
        case '\n': outStr("\\n"); break;
        case '\r': outStr("\\r"); break;
        case '\t': outStr("\\t"); break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
                outAdd(u, 6);
            } else {
                outChar((char)ch);
            }
        }
    }
    outChar('"');
}

static void jsonAddNumber(lua_State *L, lua_Number n) {
    if (isnan(n) || isinf(n)) luaL_error(L, "Cannot serialise number: must not be NaN or Inf");
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%.14g", (double)n);
    outAdd(buf, (size_t)len);
}

/* Array length of the table at the top, 0 when it is empty, -1 when it must
 * be an object (a key that is not a positive integer). */
static int jsonArrayLength(lua_State *L) {
    double max = 0;
    int items = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            double k = lua_tonumber(L, -1);
            if (floor(k) == k && k >= 1) {
                if (k > max) max = k;
                items++;
                continue;
            }
        }
        lua_pop(L, 1);
        return -1;
    }
    if (max > JSON_SPARSE_SAFE && max > (double)items * JSON_SPARSE_RATIO)
        luaL_error(L, "Cannot serialise table: excessively sparse array");
    return (int)max;
}

static void jsonEncodeValue(lua_State *L, int depth);

static void jsonEncodeTable(lua_State *L, int depth) {
    if (depth > JSON_MAX_DEPTH) luaL_error(L, "Cannot serialise, excessive nesting (%d)", depth);
    luaL_checkstack(L, 4, "nesting");
    int len = jsonArrayLength(L);
    if (len > 0) {
        outChar('[');
        for (int i = 1; i <= len; i++) {
            if (i > 1) outChar(',');
            lua_rawgeti(L, -1, i);
            jsonEncodeValue(L, depth);
            lua_pop(L, 1);
        }
        outChar(']');
        return;
    }
    outChar('{');
    int first = 1;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (!first) outChar(',');
        first = 0;
        int kt = lua_type(L, -2);
        if (kt == LUA_TSTRING) {
            size_t kl;
            const char *k = lua_tolstring(L, -2, &kl);
            jsonAddString(k, kl);
        } else if (kt == LUA_TNUMBER) {
            outChar('"');
            jsonAddNumber(L, lua_tonumber(L, -2));
            outChar('"');
        } else {
            luaL_error(L, "Cannot serialise %s: table key must be a number or string", luaL_typename(L, -2));
        }
        outChar(':');
        jsonEncodeValue(L, depth);
        lua_pop(L, 1);
    }
    outChar('}');
}

static void jsonEncodeValue(lua_State *L, int depth) {
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        jsonAddString(s, len);
        break;
    }
    case LUA_TNUMBER: jsonAddNumber(L, lua_tonumber(L, -1)); break;
    case LUA_TBOOLEAN: outStr(lua_toboolean(L, -1) ? "true" : "false"); break;
    case LUA_TNIL: outStr("null"); break;
    case LUA_TTABLE: jsonEncodeTable(L, depth + 1); break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, -1) == NULL) {
            outStr("null");
            break;
        }
        /* fall through */
    default: luaL_error(L, "Cannot serialise %s: type not supported", luaL_typename(L, -1));
    }
}

static int jsonEncode(lua_State *L) {
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    out.len = 0;
    jsonEncodeValue(L, 0);
    lua_pushlstring(L, out.buf ? out.buf : "", out.len);
    return 1;
}

/* ---------------------------------------------------------------- decoding */

typedef struct jsonIn {
    lua_State *L;
    const char *s, *p, *end;
    int depth;
} jsonIn;

/* Error texts name what was expected and what was found, with the 1-based
 * character position of the offending token. */
static void jsonFail(jsonIn *in, const char *expected, const char *found, const char *at) {
    luaL_error(in->L, "Expected %s but found %s at character %d", expected, found, (int)(at - in->s) + 1);
}

static void skipSpace(jsonIn *in) {
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')) in->p++;
}

/* What the next token is, for error messages. */
static const char *tokenName(jsonIn *in) {
    if (in->p >= in->end) return "T_END";
    switch (*in->p) {
    case '{': return "T_OBJ_BEGIN";
    case '}': return "T_OBJ_END";
    case '[': return "T_ARR_BEGIN";
    case ']': return "T_ARR_END";
    case '"': return "T_STRING";
    case ':': return "T_COLON";
    case ',': return "T_COMMA";
    default: break;
    }
    if ((*in->p >= '0' && *in->p <= '9') || *in->p == '-') return "T_NUMBER";
    if (in->end - in->p >= 4 && !memcmp(in->p, "true", 4)) return "T_BOOLEAN";
    if (in->end - in->p >= 5 && !memcmp(in->p, "false", 5)) return "T_BOOLEAN";
    if (in->end - in->p >= 4 && !memcmp(in->p, "null", 4)) return "T_NULL";
    return "invalid token";
}

static void putUtf8(luaL_Buffer *b, unsigned long cp) {
    if (cp < 0x80) {
        luaL_addchar(b, (char)cp);
    } else if (cp < 0x800) {
        luaL_addchar(b, (char)(0xC0 | (cp >> 6)));
        luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        luaL_addchar(b, (char)(0xE0 | (cp >> 12)));
        luaL_addchar(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        luaL_addchar(b, (char)(0xF0 | (cp >> 18)));
        luaL_addchar(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        luaL_addchar(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hex4(const char *p, const char *end, unsigned long *v) {
    if (end - p < 4) return 0;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        *v = (*v << 4) | (unsigned long)d;
    }
    return 1;
}

/* Pushes the string starting at the opening quote. */
static void decodeString(jsonIn *in) {
    const char *start = in->p++;
    luaL_Buffer b;
    luaL_buffinit(in->L, &b);
    while (1) {
        if (in->p >= in->end) jsonFail(in, "value", "unexpected end of string", in->p);
        char c = *in->p++;
        if (c == '"') break;
        if (c != '\\') {
            luaL_addchar(&b, c);
            continue;
        }
        if (in->p >= in->end) jsonFail(in, "value", "unexpected end of string", in->p);
        c = *in->p++;
        switch (c) {
        case '"': case '\\': case '/': luaL_addchar(&b, c); break;
        case 'b': luaL_addchar(&b, '\b'); break;
        case 'f': luaL_addchar(&b, '\f'); break;
        case 'n': luaL_addchar(&b, '\n'); break;
        case 'r': luaL_addchar(&b, '\r'); break;
        case 't': luaL_addchar(&b, '\t'); break;
        case 'u': {
            unsigned long cp, lo = 0;
            if (!hex4(in->p, in->end, &cp)) jsonFail(in, "value", "invalid unicode escape code", start);
            in->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* A high surrogate must be followed by its low half. */
                if (in->end - in->p < 6 || in->p[0] != '\\' || in->p[1] != 'u' || !hex4(in->p + 2, in->end, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    jsonFail(in, "value", "invalid unicode escape code", start);
                in->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                jsonFail(in, "value", "invalid unicode escape code", start);
            }
            putUtf8(&b, cp);
            break;
        }
        default: jsonFail(in, "value", "invalid escape code", start);
        }
    }
    luaL_pushresult(&b);
}

static void decodeValue(jsonIn *in);

static void decodeContainer(jsonIn *in, int object) {
    const char *start = in->p++;
    if (++in->depth > JSON_MAX_DEPTH)
        luaL_error(in->L, "Found too many nested data structures (%d) at character %d", in->depth, (int)(start - in->s) + 1);
    luaL_checkstack(in->L, 4, "nesting");
    lua_newtable(in->L);
    skipSpace(in);
    char close = object ? '}' : ']';
    if (in->p < in->end && *in->p == close) {
        in->p++;
        in->depth--;
        return;
    }
    for (int i = 1;; i++) {
        if (object) {
            skipSpace(in);
            if (in->p >= in->end || *in->p != '"') jsonFail(in, "object key string", tokenName(in), in->p);
            decodeString(in);
            skipSpace(in);
            if (in->p >= in->end || *in->p != ':') jsonFail(in, "colon", tokenName(in), in->p);
            in->p++;
            decodeValue(in);
            lua_rawset(in->L, -3);
        } else {
            decodeValue(in);
            lua_rawseti(in->L, -2, i);
        }
        skipSpace(in);
        if (in->p < in->end && *in->p == close) {
            in->p++;
            break;
        }
        if (in->p >= in->end || *in->p != ',')
            jsonFail(in, object ? "comma or object end" : "comma or array end", tokenName(in), in->p);
        in->p++;
    }
    in->depth--;
}

static void decodeValue(jsonIn *in) {
    skipSpace(in);
    const char *at = in->p;
    if (at >= in->end) jsonFail(in, "value", "T_END", at);
    switch (*at) {
    case '{': decodeContainer(in, 1); return;
    case '[': decodeContainer(in, 0); return;
    case '"': decodeString(in); return;
    default: break;
    }
    size_t left = (size_t)(in->end - at);
    if (left >= 4 && !memcmp(at, "true", 4)) {
        lua_pushboolean(in->L, 1);
        in->p += 4;
        return;
    }
    if (left >= 5 && !memcmp(at, "false", 5)) {
        lua_pushboolean(in->L, 0);
        in->p += 5;
        return;
    }
    if (left >= 4 && !memcmp(at, "null", 4)) {
        lua_pushlightuserdata(in->L, NULL);
        in->p += 4;
        return;
    }
    if (*at == '-' || (*at >= '0' && *at <= '9') || *at == 'i' || *at == 'I' || *at == 'n' || *at == 'N') {
        /* strtod needs a terminated string; numbers are short. */
        char buf[64];
        size_t n = left < sizeof(buf) - 1 ? left : sizeof(buf) - 1;
        memcpy(buf, at, n);
        buf[n] = '\0';
        char *endp;
        double d = strtod(buf, &endp);
        if (endp != buf) {
            lua_pushnumber(in->L, d);
            in->p += endp - buf;
            return;
        }
        jsonFail(in, "value", "invalid number", at);
    }
    jsonFail(in, "value", tokenName(in), at);
}

static int jsonDecode(lua_State *L) {
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    jsonIn in = {L, s, s, s + len, 0};
    decodeValue(&in);
    skipSpace(&in);
    if (in.p < in.end) jsonFail(&in, "the end", tokenName(&in), in.p);
    return 1;
}

/* Leaves a new table holding fns (and _NAME/_VERSION when given) on the stack. */
static void newLibTable(lua_State *L, const luaL_Reg *fns, const char *name, const char *version) {
    lua_newtable(L);
    for (int i = 0; fns[i].name; i++) {
        lua_pushcfunction(L, fns[i].func);
        lua_setfield(L, -2, fns[i].name);
    }
    if (name) {
        lua_pushstring(L, name);
        lua_setfield(L, -2, "_NAME");
    }
    if (version) {
        lua_pushstring(L, version);
        lua_setfield(L, -2, "_VERSION");
    }
}

static void openCjson(lua_State *L) {
    static const luaL_Reg fns[] = {{"encode", jsonEncode}, {"decode", jsonDecode}, {NULL, NULL}};
    newLibTable(L, fns, "cjson", "2.1.0");
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_setglobal(L, "cjson");
}

/* ---------------------------------------------------------------- bit */

/* Any number to its low 32 bits: adding 2^52+2^51 puts the integer part of
 * the value in the low word of the double (rounding to nearest). */
static int32_t toBit(lua_State *L, int idx) {
    union {
        double d;
        uint64_t u;
    } v;
    v.d = (double)luaL_checknumber(L, idx) + 6755399441055744.0;
    return (int32_t)(uint32_t)v.u;
}

static int pushBit(lua_State *L, int32_t v) {
    lua_pushnumber(L, (lua_Number)v);
    return 1;
}

static int bitTobit(lua_State *L) { return pushBit(L, toBit(L, 1)); }
static int bitBnot(lua_State *L) { return pushBit(L, ~toBit(L, 1)); }

static int bitFold(lua_State *L, int op) {
    uint32_t acc = (uint32_t)toBit(L, 1);
    for (int i = lua_gettop(L); i > 1; i--) {
        uint32_t v = (uint32_t)toBit(L, i);
        acc = op == 0 ? acc & v : op == 1 ? acc | v : acc ^ v;
    }
    return pushBit(L, (int32_t)acc);
}
static int bitBand(lua_State *L) { return bitFold(L, 0); }
static int bitBor(lua_State *L) { return bitFold(L, 1); }
static int bitBxor(lua_State *L) { return bitFold(L, 2); }

static int bitLshift(lua_State *L) { return pushBit(L, (int32_t)((uint32_t)toBit(L, 1) << (toBit(L, 2) & 31))); }
static int bitRshift(lua_State *L) { return pushBit(L, (int32_t)((uint32_t)toBit(L, 1) >> (toBit(L, 2) & 31))); }
static int bitArshift(lua_State *L) {
    int32_t v = toBit(L, 1);
    int n = toBit(L, 2) & 31;
    /* Sign-filling shift without relying on implementation-defined >>. */
    uint32_t u = (uint32_t)v >> n;
    if (v < 0 && n) u |= ~(UINT32_MAX >> n);
    return pushBit(L, (int32_t)u);
}
static int bitRol(lua_State *L) {
    uint32_t v = (uint32_t)toBit(L, 1);
    int n = toBit(L, 2) & 31;
    return pushBit(L, (int32_t)(n ? (v << n) | (v >> (32 - n)) : v));
}
static int bitRor(lua_State *L) {
    uint32_t v = (uint32_t)toBit(L, 1);
    int n = toBit(L, 2) & 31;
    return pushBit(L, (int32_t)(n ? (v >> n) | (v << (32 - n)) : v));
}
static int bitBswap(lua_State *L) {
    uint32_t v = (uint32_t)toBit(L, 1);
    v = (v >> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
    return pushBit(L, (int32_t)v);
}

/* tohex(x [, n]): n hex digits of x (default 8), upper case when n < 0. */
static int bitTohex(lua_State *L) {
    uint32_t v = (uint32_t)toBit(L, 1);
    int n = lua_isnone(L, 2) ? 8 : (int)toBit(L, 2);
    const char *digits = "0123456789abcdef";
    if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    char buf[8];
    for (int i = n - 1; i >= 0; i--) {
        buf[i] = digits[v & 15];
        v >>= 4;
    }
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

static void openBit(lua_State *L) {
    static const luaL_Reg fns[] = {{"tobit", bitTobit}, {"bnot", bitBnot}, {"band", bitBand}, {"bor", bitBor},
                                   {"bxor", bitBxor}, {"lshift", bitLshift}, {"rshift", bitRshift},
                                   {"arshift", bitArshift}, {"rol", bitRol}, {"ror", bitRor}, {"bswap", bitBswap},
                                   {"tohex", bitTohex}, {NULL, NULL}};
    newLibTable(L, fns, NULL, NULL);
    lua_setglobal(L, "bit");
}

/* ---------------------------------------------------------------- cmsgpack */

/* MessagePack as lua-cmsgpack writes it: integral numbers in the smallest
 * integer form, other numbers as float32 when exact else float64, strings as
 * str8/16/32, tables as arrays when their keys are exactly 1..n, anything
 * nested deeper than 16 levels (or not serialisable) as nil. */
#define MP_MAX_NESTING 16

static void mpPut(const void *p, size_t n) { outAdd(p, n); }

static void mpPutBE(uint64_t v, int bytes) {
    unsigned char b[8];
    for (int i = bytes - 1; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    mpPut(b, (size_t)bytes);
}

static void mpHead(unsigned char tag, uint64_t v, int bytes) {
    mpPut(&tag, 1);
    mpPutBE(v, bytes);
}

static void mpInt(int64_t n) {
    if (n >= 0) {
        if (n <= 127) mpHead((unsigned char)n, 0, 0);
        else if (n <= 0xff) mpHead(0xcc, (uint64_t)n, 1);
        else if (n <= 0xffff) mpHead(0xcd, (uint64_t)n, 2);
        else if (n <= 0xffffffffLL) mpHead(0xce, (uint64_t)n, 4);
        else mpHead(0xcf, (uint64_t)n, 8);
    } else {
        if (n >= -32) mpHead((unsigned char)(int8_t)n, 0, 0);
        else if (n >= -128) mpHead(0xd0, (uint8_t)(int8_t)n, 1);
        else if (n >= -32768) mpHead(0xd1, (uint16_t)(int16_t)n, 2);
        else if (n >= -2147483648LL) mpHead(0xd2, (uint32_t)(int32_t)n, 4);
        else mpHead(0xd3, (uint64_t)n, 8);
    }
}

static void mpNumber(double d) {
    if (!isinf(d) && !isnan(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
        mpInt((int64_t)d);
        return;
    }
    float f = (float)d;
    if ((double)f == d) {
        uint32_t u;
        memcpy(&u, &f, 4);
        mpHead(0xca, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &d, 8);
        mpHead(0xcb, u, 8);
    }
}

static void mpBytes(const char *s, size_t len) {
    if (len < 32) mpHead((unsigned char)(0xa0 | len), 0, 0);
    else if (len <= 0xff) mpHead(0xd9, len, 1);
    else if (len <= 0xffff) mpHead(0xda, len, 2);
    else mpHead(0xdb, len, 4);
    mpPut(s, len);
}

/* Keys exactly 1..n (an empty table counts as an array). */
static int mpIsArray(lua_State *L) {
    double max = 0, count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TNUMBER) {
            lua_pop(L, 1);
            return 0;
        }
        double k = lua_tonumber(L, -1);
        if (k <= 0 || floor(k) != k) {
            lua_pop(L, 1);
            return 0;
        }
        if (k > max) max = k;
        count++;
    }
    return max == count;
}

static void mpEncode(lua_State *L, int level);

static void mpTable(lua_State *L, int level) {
    luaL_checkstack(L, 4, "nesting");
    if (mpIsArray(L)) {
        size_t n = lua_objlen(L, -1);
        if (n < 16) mpHead((unsigned char)(0x90 | n), 0, 0);
        else if (n <= 0xffff) mpHead(0xdc, n, 2);
        else mpHead(0xdd, n, 4);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (int)i);
            mpEncode(L, level + 1);
            lua_pop(L, 1);
        }
        return;
    }
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        n++;
    }
    if (n < 16) mpHead((unsigned char)(0x80 | n), 0, 0);
    else if (n <= 0xffff) mpHead(0xde, n, 2);
    else mpHead(0xdf, n, 4);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        mpEncode(L, level + 1);
        lua_pop(L, 1);
        mpEncode(L, level + 1);
        lua_pop(L, 1);
    }
}

static void mpEncode(lua_State *L, int level) {
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE && level == MP_MAX_NESTING) t = LUA_TNIL;
    switch (t) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        mpBytes(s, len);
        break;
    }
    case LUA_TBOOLEAN: mpHead(lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0); break;
    case LUA_TNUMBER: mpNumber((double)lua_tonumber(L, -1)); break;
    case LUA_TTABLE: mpTable(L, level); break;
    default: mpHead(0xc0, 0, 0); break;
    }
}

static int mpPack(lua_State *L) {
    int n = lua_gettop(L);
    if (n == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    out.len = 0;
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
        mpEncode(L, 0);
        lua_pop(L, 1);
    }
    lua_pushlstring(L, out.buf ? out.buf : "", out.len);
    return 1;
}

typedef struct mpIn {
    lua_State *L;
    const unsigned char *p, *end;
} mpIn;

static uint64_t mpGetBE(mpIn *in, int bytes) {
    if (in->end - in->p < bytes) luaL_error(in->L, "Missing bytes in input.");
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v = (v << 8) | in->p[i];
    in->p += bytes;
    return v;
}

static void mpDecode(mpIn *in);

static void mpDecodeString(mpIn *in, uint64_t len) {
    if ((uint64_t)(in->end - in->p) < len) luaL_error(in->L, "Missing bytes in input.");
    lua_pushlstring(in->L, (const char *)in->p, (size_t)len);
    in->p += len;
}

static void mpDecodeArray(mpIn *in, uint64_t n) {
    luaL_checkstack(in->L, 4, "nesting");
    lua_newtable(in->L);
    for (uint64_t i = 1; i <= n; i++) {
        mpDecode(in);
        lua_rawseti(in->L, -2, (int)i);
    }
}

static void mpDecodeMap(mpIn *in, uint64_t n) {
    luaL_checkstack(in->L, 4, "nesting");
    lua_newtable(in->L);
    for (uint64_t i = 0; i < n; i++) {
        mpDecode(in);
        mpDecode(in);
        lua_rawset(in->L, -3);
    }
}

static void mpDecode(mpIn *in) {
    lua_State *L = in->L;
    if (in->p >= in->end) luaL_error(L, "Missing bytes in input.");
    unsigned char c = *in->p++;
    if (c <= 0x7f) { lua_pushnumber(L, c); return; }
    if (c >= 0xe0) { lua_pushnumber(L, (int8_t)c); return; }
    if ((c & 0xe0) == 0xa0) { mpDecodeString(in, c & 0x1f); return; }
    if ((c & 0xf0) == 0x90) { mpDecodeArray(in, c & 0x0f); return; }
    if ((c & 0xf0) == 0x80) { mpDecodeMap(in, c & 0x0f); return; }
    switch (c) {
    case 0xc0: lua_pushnil(L); return;
    case 0xc2: lua_pushboolean(L, 0); return;
    case 0xc3: lua_pushboolean(L, 1); return;
    case 0xcc: lua_pushnumber(L, (lua_Number)mpGetBE(in, 1)); return;
    case 0xcd: lua_pushnumber(L, (lua_Number)mpGetBE(in, 2)); return;
    case 0xce: lua_pushnumber(L, (lua_Number)mpGetBE(in, 4)); return;
    case 0xcf: lua_pushnumber(L, (lua_Number)mpGetBE(in, 8)); return;
    case 0xd0: lua_pushnumber(L, (int8_t)mpGetBE(in, 1)); return;
    case 0xd1: lua_pushnumber(L, (int16_t)mpGetBE(in, 2)); return;
    case 0xd2: lua_pushnumber(L, (int32_t)mpGetBE(in, 4)); return;
    case 0xd3: lua_pushnumber(L, (lua_Number)(int64_t)mpGetBE(in, 8)); return;
    case 0xca: {
        uint32_t u = (uint32_t)mpGetBE(in, 4);
        float f;
        memcpy(&f, &u, 4);
        lua_pushnumber(L, f);
        return;
    }
    case 0xcb: {
        uint64_t u = mpGetBE(in, 8);
        double d;
        memcpy(&d, &u, 8);
        lua_pushnumber(L, d);
        return;
    }
    case 0xc4: case 0xd9: mpDecodeString(in, mpGetBE(in, 1)); return;
    case 0xc5: case 0xda: mpDecodeString(in, mpGetBE(in, 2)); return;
    case 0xc6: case 0xdb: mpDecodeString(in, mpGetBE(in, 4)); return;
    case 0xdc: mpDecodeArray(in, mpGetBE(in, 2)); return;
    case 0xdd: mpDecodeArray(in, mpGetBE(in, 4)); return;
    case 0xde: mpDecodeMap(in, mpGetBE(in, 2)); return;
    case 0xdf: mpDecodeMap(in, mpGetBE(in, 4)); return;
    default: luaL_error(L, "Bad data format in input.");
    }
}

/* Decodes up to limit objects (0: all) from offset; with want_offset the
 * next offset (-1 at the end) comes first, as unpack_one/unpack_limit do. */
static int mpUnpackFull(lua_State *L, int limit, int offset, int want_offset) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    if (offset < 0 || limit < 0) return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, (int)len);
    if ((size_t)offset > len) return luaL_error(L, "Start offset %d greater than input length %d.", offset, (int)len);
    mpIn in = {L, (const unsigned char *)s + offset, (const unsigned char *)s + len};
    int base = lua_gettop(L), n = 0;
    if (want_offset) lua_pushnil(L);
    while (in.p < in.end && (!limit || n < limit)) {
        luaL_checkstack(L, 2, "too many values");
        mpDecode(&in);
        n++;
    }
    if (want_offset) {
        lua_pushnumber(L, in.p < in.end ? (lua_Number)((const char *)in.p - s) : -1);
        lua_replace(L, base + 1);
        return n + 1;
    }
    return n;
}

static int mpUnpack(lua_State *L) { return mpUnpackFull(L, 0, 0, 0); }
static int mpUnpackOne(lua_State *L) { return mpUnpackFull(L, 1, (int)luaL_optinteger(L, 2, 0), 1); }
static int mpUnpackLimit(lua_State *L) {
    return mpUnpackFull(L, (int)luaL_checkinteger(L, 2), (int)luaL_optinteger(L, 3, 0), 1);
}

static void openCmsgpack(lua_State *L) {
    static const luaL_Reg fns[] = {{"pack", mpPack}, {"unpack", mpUnpack}, {"unpack_one", mpUnpackOne},
                                   {"unpack_limit", mpUnpackLimit}, {NULL, NULL}};
    newLibTable(L, fns, "cmsgpack", "lua-cmsgpack 0.4.0");
    lua_setglobal(L, "cmsgpack");
}

/* ---------------------------------------------------------------- struct */

/* struct.pack/unpack/size as lua-struct defines them: '<' '>' set the byte
 * order (native, little endian here, by default), '!'[n] the maximum
 * alignment (1 until set), then b B h H l L T i[n] I[n] f d s c[n] x. */
#define ST_MAXINTSIZE 32
#define ST_MAXALIGN 8

typedef struct stState {
    int little, align;
} stState;

static int stNum(const char **fmt, int def) {
    if (!(**fmt >= '0' && **fmt <= '9')) return def;
    int a = 0;
    do {
        a = a * 10 + (*(*fmt)++ - '0');
    } while (**fmt >= '0' && **fmt <= '9' && a <= (INT32_MAX - 9) / 10);
    return a;
}

static size_t stOptSize(lua_State *L, char opt, const char **fmt) {
    switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': return 8;
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return (size_t)stNum(fmt, 1);
    case 'i': case 'I': {
        int sz = stNum(fmt, (int)sizeof(int));
        if (sz > ST_MAXINTSIZE) luaL_error(L, "integral size %d is larger than limit of %d", sz, ST_MAXINTSIZE);
        return (size_t)sz;
    }
    default: return 0; /* s and the controls */
    }
}

static size_t stGap(lua_State *L, char opt, size_t size, size_t total, int align) {
    if (size <= 1 || opt == 'c') return 0;
    size_t a = size < (size_t)align ? size : (size_t)align;
    if (a & (a - 1)) luaL_error(L, "alignment %d is not a power of 2", (int)a);
    return (a - (total & (a - 1))) & (a - 1);
}

/* Handles the option characters that change state; returns 1 if opt was one. */
static int stControl(lua_State *L, char opt, const char **fmt, stState *h) {
    switch (opt) {
    case ' ': return 1;
    case '>': h->little = 0; return 1;
    case '<': h->little = 1; return 1;
    case '!': {
        int a = stNum(fmt, ST_MAXALIGN);
        if (a & (a - 1)) luaL_error(L, "alignment %d is not a power of 2", a);
        h->align = a;
        return 1;
    }
    default: return 0;
    }
}

static int stKnown(char opt) { return opt && strchr("bBhHlLTiIfdxsc", opt) != NULL; }

static void stBadOption(lua_State *L, char opt) {
    luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
}

static void stPutBytes(luaL_Buffer *b, const unsigned char *src, size_t n, int little) {
    /* src is in host (little endian) order */
    for (size_t i = 0; i < n; i++) luaL_addchar(b, (char)src[little ? i : n - 1 - i]);
}

static int stPack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    stState h = {1, 1};
    luaL_Buffer b;
    int arg = 2;
    size_t total = 0;
    /* A nil between the arguments and the buffer: a missing argument reads
     * as nil, as in lua-struct. */
    lua_pushnil(L);
    luaL_buffinit(L, &b);
    while (*fmt) {
        char opt = *fmt++;
        if (stControl(L, opt, &fmt, &h)) continue;
        if (!stKnown(opt)) stBadOption(L, opt);
        size_t size = stOptSize(L, opt, &fmt), gap = stGap(L, opt, size, total, h.align);
        total += gap;
        while (gap--) luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
            lua_Number n = luaL_checknumber(L, arg++);
            uint64_t v = n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n;
            unsigned char buf[ST_MAXINTSIZE];
            /* Only 64 bits are carried: bytes past the 8th are zero. */
            for (size_t i = 0; i < size; i++) buf[i] = i < 8 ? (unsigned char)(v >> (8 * i)) : 0;
            stPutBytes(&b, buf, size, h.little);
            break;
        }
        case 'x': luaL_addchar(&b, '\0'); break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            stPutBytes(&b, (unsigned char *)&f, size, h.little);
            break;
        }
        case 'd': {
            double d = (double)luaL_checknumber(L, arg++);
            stPutBytes(&b, (unsigned char *)&d, size, h.little);
            break;
        }
        case 'c': case 's': {
            size_t l;
            const char *str = luaL_checklstring(L, arg, &l);
            if (size == 0) size = l;
            /* lua-struct names the argument after this one. */
            luaL_argcheck(L, l >= size, arg + 1, "string too short");
            luaL_addlstring(&b, str, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            arg++;
            break;
        }
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

static lua_Number stGetInt(const unsigned char *p, size_t size, int little, int issigned) {
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char byte = p[little ? size - 1 - i : i];
        v = (v << 8) | byte;
    }
    if (!issigned) return (lua_Number)v;
    if (size < 8 && size > 0) {
        uint64_t mask = ~(uint64_t)0 << (size * 8 - 1);
        if (v & mask) v |= mask;
    }
    return (lua_Number)(int64_t)v;
}

/* Copies size bytes stored in the given byte order into host (little-endian) order. */
static void stCopyLittleEndian(unsigned char *dst, const char *src, size_t size, int little) {
    for (size_t i = 0; i < size; i++) dst[i] = (unsigned char)src[little ? i : size - 1 - i];
}

static int stUnpack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    size_t ld;
    const char *data = luaL_checklstring(L, 2, &ld);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1) - 1;
    stState h = {1, 1};
    int n = 0;
    luaL_argcheck(L, pos <= ld, 3, "offset must be 1 or greater");
    lua_settop(L, 2);
    while (*fmt) {
        char opt = *fmt++;
        if (stControl(L, opt, &fmt, &h)) continue;
        if (!stKnown(opt)) stBadOption(L, opt);
        size_t size = stOptSize(L, opt, &fmt);
        pos += stGap(L, opt, size, pos, h.align);
        luaL_argcheck(L, pos + size <= ld, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
            int issigned = opt == 'b' || opt == 'h' || opt == 'l' || opt == 'i';
            lua_pushnumber(L, stGetInt((const unsigned char *)data + pos, size, h.little, issigned));
            n++;
            break;
        }
        case 'x': break;
        case 'f': {
            float f;
            unsigned char tmp[sizeof(float)];
            stCopyLittleEndian(tmp, data + pos, size, h.little);
            memcpy(&f, tmp, sizeof(f));
            lua_pushnumber(L, f);
            n++;
            break;
        }
        case 'd': {
            double d;
            unsigned char tmp[sizeof(double)];
            stCopyLittleEndian(tmp, data + pos, size, h.little);
            memcpy(&d, tmp, sizeof(d));
            lua_pushnumber(L, d);
            n++;
            break;
        }
        case 'c':
            if (size == 0) {
                if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                size = (size_t)lua_tonumber(L, -1);
                lua_pop(L, 1);
                n--;
                luaL_argcheck(L, pos + size <= ld, 2, "data string too short");
            }
            lua_pushlstring(L, data + pos, size);
            n++;
            break;
        case 's': {
            const char *e = memchr(data + pos, '\0', ld - pos);
            if (e == NULL) luaL_error(L, "unfinished string in data");
            size = (size_t)(e - (data + pos)) + 1;
            lua_pushlstring(L, data + pos, size - 1);
            n++;
            break;
        }
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos + 1);
    return n + 1;
}

static int stSize(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    stState h = {1, 1};
    size_t pos = 0;
    while (*fmt) {
        char opt = *fmt++;
        if (stControl(L, opt, &fmt, &h)) continue;
        if (!stKnown(opt)) stBadOption(L, opt);
        size_t size = stOptSize(L, opt, &fmt);
        pos += stGap(L, opt, size, pos, h.align);
        if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

static void openStruct(lua_State *L) {
    static const luaL_Reg fns[] = {{"pack", stPack}, {"unpack", stUnpack}, {"size", stSize}, {NULL, NULL}};
    newLibTable(L, fns, NULL, NULL);
    lua_setglobal(L, "struct");
}

/* Registers cjson, cmsgpack, struct and bit as globals (before the globals
 * are locked). */
void scriptOpenExtraLibs(lua_State *L) {
    openCjson(L);
    openCmsgpack(L);
    openStruct(L);
    openBit(L);
}
