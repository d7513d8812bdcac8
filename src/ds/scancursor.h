/* scancursor: the reverse-binary cursor of SCAN-style walks over a
 * power-of-two bucket array (hashtable, kvtable). The high bits of the
 * cursor advance first, so a cursor stays meaningful when the table doubles
 * or halves between calls and no element present throughout is missed. */
#ifndef DS_SCANCURSOR_H
#define DS_SCANCURSOR_H

static inline unsigned long scanCursorReverseBits(unsigned long v) {
    unsigned long s = 8 * sizeof(v), mask = ~0UL;
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

/* The cursor after v for a table whose bucket index mask is mask. */
static inline unsigned long scanCursorNext(unsigned long v, unsigned long mask) {
    v |= ~mask;
    v = scanCursorReverseBits(v);
    v++;
    return scanCursorReverseBits(v);
}
#endif
