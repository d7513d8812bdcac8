/* valkey-cli reply formatting: the human (tty) form with numbered, indented
 * aggregates, the raw form, CSV and JSON. Every function returns a new bstr;
 * the byte-exact layout matches what valkey-cli prints. */
#include "tools/cli/cli.h"
#include "core/zmalloc.h"

#include <stdio.h>
#include <string.h>

static int cliIsAggregate(int type) {
    return type == RESP_T_ARRAY || type == RESP_T_MAP || type == RESP_T_SET || type == RESP_T_PUSH ||
           type == RESP_T_ATTR;
}

static const char *cliEmptyName(int type) {
    switch (type) {
    case RESP_T_ARRAY: return "(empty array)\n";
    case RESP_T_MAP: return "(empty hash)\n";
    case RESP_T_SET: return "(empty set)\n";
    case RESP_T_PUSH: return "(empty push)\n";
    default: return "(empty aggregate type)\n";
    }
}

static bstr cliFormatTTYAggregate(bstr out, const respValue *v, const char *prefix) {
    int is_map = v->type == RESP_T_MAP || v->type == RESP_T_ATTR;
    size_t shown = is_map ? v->elements / 2 : v->elements;
    int idxlen = 0;
    size_t i = shown;
    do { idxlen++; i /= 10; } while (i);
    /* Children are indented past the widest "N) " label of this level. */
    bstr child = bstrCatPrintf(bstrNew(prefix), "%*s", idxlen + 2, "");
    char sep = v->type == RESP_T_SET ? '~' : (is_map ? '#' : ')');
    for (i = 0; i < v->elements; i++) {
        size_t label = (is_map ? i / 2 : i) + 1;
        out = bstrCatPrintf(out, "%s%*zu%c ", i == 0 ? "" : prefix, idxlen, label, sep);
        bstr tmp = cliFormatTTY(v->element[i], child);
        out = bstrCatBstr(out, tmp);
        bstrFree(tmp);
        if (is_map && i + 1 < v->elements) {
            const respValue *val = v->element[++i];
            bstrSetLen(out, bstrLen(out) - 1); /* drop the key's newline */
            out = bstrCat(out, " => ");
            /* A nested aggregate value starts on its own line, fully indented. */
            if (cliIsAggregate(val->type) && val->elements > 0) out = bstrCatPrintf(out, "\n%s", child);
            tmp = cliFormatTTY(val, child);
            out = bstrCatBstr(out, tmp);
            bstrFree(tmp);
        }
    }
    bstrFree(child);
    return out;
}

bstr cliFormatTTY(const respValue *v, const char *prefix) {
    bstr out = bstrEmpty();
    switch (v->type) {
    case RESP_T_ERROR: return bstrCatPrintf(out, "(error) %s\n", v->str);
    case RESP_T_STATUS: out = bstrCatLen(out, v->str, v->len); return bstrCat(out, "\n");
    case RESP_T_INTEGER: return bstrCatPrintf(out, "(integer) %lld\n", v->integer);
    case RESP_T_DOUBLE: return bstrCatPrintf(out, "(double) %s\n", v->str);
    case RESP_T_BIGNUM: return bstrCatPrintf(out, "(big number) %s\n", v->str);
    case RESP_T_STRING: out = bstrCatRepr(out, v->str, v->len); return bstrCat(out, "\n");
    case RESP_T_VERB: out = bstrCatLen(out, v->str, v->len); return bstrCat(out, "\n");
    case RESP_T_NIL: return bstrCat(out, "(nil)\n");
    case RESP_T_BOOL: return bstrCat(out, v->integer ? "(true)\n" : "(false)\n");
    default:
        if (v->elements == 0) return bstrCat(out, cliEmptyName(v->type));
        return cliFormatTTYAggregate(out, v, prefix);
    }
}

static bstr cliFormatRaw(bstr out, const respValue *v) {
    switch (v->type) {
    case RESP_T_ERROR: out = bstrCatLen(out, v->str, v->len); return bstrCat(out, "\n");
    case RESP_T_STATUS:
    case RESP_T_STRING:
    case RESP_T_VERB:
    case RESP_T_DOUBLE:
    case RESP_T_BIGNUM: return bstrCatLen(out, v->str, v->len);
    case RESP_T_INTEGER: return bstrCatPrintf(out, "%lld", v->integer);
    case RESP_T_NIL: return out;
    case RESP_T_BOOL: return bstrCat(out, v->integer ? "(true)" : "(false)");
    default: break;
    }
    int is_map = v->type == RESP_T_MAP || v->type == RESP_T_ATTR;
    for (size_t i = 0; i < v->elements; i++) {
        if (i > 0) out = bstrCat(out, cliCfg.mb_delim);
        out = cliFormatRaw(out, v->element[i]);
        if (is_map && i + 1 < v->elements) {
            out = bstrCat(out, " ");
            out = cliFormatRaw(out, v->element[++i]);
        }
    }
    return out;
}

static bstr cliFormatCSV(bstr out, const respValue *v) {
    switch (v->type) {
    case RESP_T_ERROR: out = bstrCat(out, "ERROR,"); return bstrCatRepr(out, v->str, v->len);
    case RESP_T_STATUS:
    case RESP_T_STRING:
    case RESP_T_VERB: return bstrCatRepr(out, v->str, v->len);
    case RESP_T_DOUBLE:
    case RESP_T_BIGNUM: return bstrCatLen(out, v->str, v->len);
    case RESP_T_INTEGER: return bstrCatPrintf(out, "%lld", v->integer);
    case RESP_T_NIL: return bstrCat(out, "NULL");
    case RESP_T_BOOL: return bstrCat(out, v->integer ? "true" : "false");
    default: break;
    }
    for (size_t i = 0; i < v->elements; i++) {
        if (i > 0) out = bstrCat(out, ",");
        out = cliFormatCSV(out, v->element[i]);
    }
    return out;
}

bstr cliFormatJSONString(bstr out, const char *s, size_t len, int quoted) {
    if (quoted) {
        /* The quoted form is the repr text with its backslashes doubled. */
        bstr r = bstrCatRepr(bstrEmpty(), s, len);
        out = bstrCat(out, "\"");
        for (size_t i = 1; i + 1 < bstrLen(r); i++) {
            if (r[i] == '\\') out = bstrCat(out, "\\\\");
            else out = bstrCatLen(out, r + i, 1);
        }
        bstrFree(r);
        return bstrCat(out, "\"");
    }
    out = bstrCat(out, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': out = bstrCat(out, "\\\""); break;
        case '\\': out = bstrCat(out, "\\\\"); break;
        case '\n': out = bstrCat(out, "\\n"); break;
        case '\r': out = bstrCat(out, "\\r"); break;
        case '\t': out = bstrCat(out, "\\t"); break;
        case '\b': out = bstrCat(out, "\\b"); break;
        case '\f': out = bstrCat(out, "\\f"); break;
        default:
            if (c < 0x20) out = bstrCatPrintf(out, "\\u%04x", c);
            else out = bstrCatLen(out, (const char *)&c, 1);
        }
    }
    return bstrCat(out, "\"");
}

static bstr cliFormatJSON(bstr out, const respValue *v, int quoted) {
    switch (v->type) {
    case RESP_T_ERROR: out = bstrCat(out, "error:"); return cliFormatJSONString(out, v->str, v->len, quoted);
    case RESP_T_STATUS:
    case RESP_T_STRING:
    case RESP_T_VERB: return cliFormatJSONString(out, v->str, v->len, quoted);
    case RESP_T_DOUBLE:
    case RESP_T_BIGNUM: return bstrCatLen(out, v->str, v->len);
    case RESP_T_INTEGER: return bstrCatPrintf(out, "%lld", v->integer);
    case RESP_T_NIL: return bstrCat(out, "null");
    case RESP_T_BOOL: return bstrCat(out, v->integer ? "true" : "false");
    default: break;
    }
    int is_map = v->type == RESP_T_MAP || v->type == RESP_T_ATTR;
    out = bstrCat(out, is_map ? "{" : "[");
    for (size_t i = 0; i < v->elements; i++) {
        if (i > 0) out = bstrCat(out, ",");
        if (!is_map) {
            out = cliFormatJSON(out, v->element[i], quoted);
            continue;
        }
        const respValue *k = v->element[i];
        /* JSON object keys must be strings: other key types are quoted. */
        if (k->type == RESP_T_STRING || k->type == RESP_T_STATUS || k->type == RESP_T_VERB) {
            out = cliFormatJSON(out, k, quoted);
        } else {
            bstr tmp = cliFormatJSON(bstrEmpty(), k, quoted);
            out = bstrCatPrintf(out, "\"%s\"", tmp);
            bstrFree(tmp);
        }
        out = bstrCat(out, ":");
        if (i + 1 < v->elements) out = cliFormatJSON(out, v->element[++i], quoted);
        else out = bstrCat(out, "null");
    }
    return bstrCat(out, is_map ? "}" : "]");
}

bstr cliFormatReply(const respValue *v, int output) {
    bstr out;
    switch (output) {
    case CLI_OUT_RAW:
        out = cliFormatRaw(bstrEmpty(), v);
        return bstrCat(out, cliCfg.cmd_delim);
    case CLI_OUT_CSV: return bstrCat(cliFormatCSV(bstrEmpty(), v), "\n");
    case CLI_OUT_JSON: return bstrCat(cliFormatJSON(bstrEmpty(), v, 0), "\n");
    case CLI_OUT_QUOTED_JSON: return bstrCat(cliFormatJSON(bstrEmpty(), v, 1), "\n");
    default: return cliFormatTTY(v, "");
    }
}
