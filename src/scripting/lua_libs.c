/* lua_libs: the `cjson` and `bit` libraries that Valkey scripts can use.
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

static void openCjson(lua_State *L) {
    lua_newtable(L);
    lua_pushcfunction(L, jsonEncode);
    lua_setfield(L, -2, "encode");
    lua_pushcfunction(L, jsonDecode);
    lua_setfield(L, -2, "decode");
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushstring(L, "cjson");
    lua_setfield(L, -2, "_NAME");
    lua_pushstring(L, "2.1.0");
    lua_setfield(L, -2, "_VERSION");
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
    lua_newtable(L);
    for (int i = 0; fns[i].name; i++) {
        lua_pushcfunction(L, fns[i].func);
        lua_setfield(L, -2, fns[i].name);
    }
    lua_setglobal(L, "bit");
}

/* Registers cjson and bit as globals (before the globals are locked). */
void scriptOpenExtraLibs(lua_State *L) {
    openCjson(L);
    openBit(L);
}
