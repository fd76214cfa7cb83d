/* LSD radix sort over unsigned keys of TC__W bits, instantiated by sort.c
 * once per key width. Before inclusion, sort.c defines:
 *   TC__W       32 or 64
 *   TC__U       the unsigned type of that width
 *   TC__FN(x)   x with a width suffix, for the function names
 *   TC__FOFF    ~bits(-Infinity) at that width (see sort.c)
 *
 * Elements are first turned into keys whose unsigned order is the order of
 * TypedArray.prototype.sort() (see sort.c); every key mapping is a
 * bijection, so the sort moves only keys and turns them back at the end,
 * keeping every bit pattern of the input, NaN payloads included.
 */

#define TC__DIGITS (TC__W / 8)
#define TC__SIGN ((TC__U)1 << (TC__W - 1))

static TC__INLINE TC__U TC__FN(tc__key)(int kind, TC__U x) {
  if (kind == TC__KIND_INT) return x ^ TC__SIGN;
  if (kind == TC__KIND_FLOAT)
    return ((x & TC__SIGN) ? (TC__U)~x : (TC__U)(x | TC__SIGN)) - TC__FOFF;
  return x;
}

static TC__INLINE TC__U TC__FN(tc__unkey)(int kind, TC__U k) {
  if (kind == TC__KIND_INT) return k ^ TC__SIGN;
  if (kind == TC__KIND_FLOAT) {
    TC__U y = (TC__U)(k + TC__FOFF);
    return (y & TC__SIGN) ? (TC__U)(y ^ TC__SIGN) : (TC__U)~y;
  }
  return k;
}

/* Keys of in[from, to) into out, counting every digit into cnt. */
static TC__INLINE void TC__FN(tc__prepare)(int kind, const TC__U *in,
                                           TC__U *out, size_t from, size_t to,
                                           size_t *cnt) {
  for (size_t i = from; i < to; i++) {
    TC__U k = TC__FN(tc__key)(kind, in[i]);
    out[i] = k;
    for (unsigned d = 0; d < TC__DIGITS; d++)
      cnt[d * 256 + ((k >> (8 * d)) & 0xFF)]++;
  }
}

/* Turn keys of src[from, to) back into elements of out. */
static TC__INLINE void TC__FN(tc__finish)(int kind, const TC__U *src,
                                          TC__U *out, size_t from, size_t to) {
  if (kind == TC__KIND_UINT && src == out) return;
  for (size_t i = from; i < to; i++) out[i] = TC__FN(tc__unkey)(kind, src[i]);
}

static void TC__FN(tc__insertion)(TC__U *k, size_t n) {
  for (size_t i = 1; i < n; i++) {
    TC__U v = k[i];
    size_t j = i;
    for (; j > 0 && k[j - 1] > v; j--) k[j] = k[j - 1];
    k[j] = v;
  }
}

/* Count digits [0, ndig) of n keys into cnt. */
static TC__INLINE void TC__FN(tc__count)(const TC__U *k, size_t n, size_t *cnt,
                                         unsigned ndig) {
  for (size_t i = 0; i < n; i++)
    for (unsigned d = 0; d < ndig; d++)
      cnt[d * 256 + ((k[i] >> (8 * d)) & 0xFF)]++;
}

/* One pass: move src[from, to) to dst (n elements) at the offsets c of
 * their digit. The counts were taken in an earlier pass; if another thread
 * wrote to a borrowed array since, they no longer match the keys, and the
 * result is wrong but every write stays inside dst. */
static TC__INLINE void TC__FN(tc__scatter)(const TC__U *src, TC__U *dst,
                                           size_t n, size_t from, size_t to,
                                           size_t *c, unsigned shift) {
  for (size_t i = from; i < to; i++) {
    TC__U k = src[i];
    size_t pos = c[(k >> shift) & 0xFF]++;
    if (pos < n) dst[pos] = k;
  }
}

/* LSD passes over digits [0, ndig) of n keys at *src, with *dst as the
 * other buffer; cnt holds the counts of those digits. On return *src holds
 * every key: sorted on TC_OK, as they were after the last whole pass on
 * TC_CANCELED (a pass only writes its destination). */
static TC__INLINE tc_status TC__FN(tc__lsd)(TC__U **src, TC__U **dst, size_t n,
                                            size_t *cnt, unsigned ndig,
                                            const int32_t *cancel) {
  for (unsigned d = 0; d < ndig; d++) {
    size_t *c = cnt + d * 256;
    unsigned shift = 8 * d;
    /* A digit that is the same in every key orders nothing. */
    if (c[((*src)[0] >> shift) & 0xFF] == n) continue;
    tc__offsets(c);
    for (size_t i = 0; i < n; i += TC__SORT_CHUNK) {
      if (tc__cancelled(cancel)) return TC_CANCELED;
      TC__FN(tc__scatter)
      (*src, *dst, n, i, n - i < TC__SORT_CHUNK ? n : i + TC__SORT_CHUNK, c,
       shift);
    }
    TC__U *t = *src;
    *src = *dst;
    *dst = t;
  }
  return TC_OK;
}

/* Large inputs: one pass on the top digit splits the keys into 256
 * buckets, each then sorted on its lower digits while it sits in cache,
 * instead of every LSD pass streaming the whole array through memory. */
static TC__INLINE tc_status TC__FN(tc__msd_then_lsd)(int kind, TC__U *out,
                                                     TC__U *tmp, size_t n,
                                                     size_t *cnt,
                                                     const int32_t *cancel) {
  const unsigned top = TC__DIGITS - 1;
  size_t *ct = cnt + top * 256;
  size_t start = 0;

  tc__offsets(ct);
  for (size_t i = 0; i < n; i += TC__SORT_CHUNK) {
    if (tc__cancelled(cancel)) {
      TC__FN(tc__finish)(kind, out, out, 0, n);
      return TC_CANCELED;
    }
    TC__FN(tc__scatter)
    (out, tmp, n, i, n - i < TC__SORT_CHUNK ? n : i + TC__SORT_CHUNK, ct,
     8 * top);
  }
  /* ct[b] is now the end of bucket b in tmp. Buckets before start are
   * sorted into out, the others wait in tmp. */
  for (unsigned b = 0; b < 256; b++) {
    /* Clamped, in case racing writes made the counts lie (see scatter). */
    size_t end = ct[b] < n ? ct[b] : n;
    size_t len = end > start ? end - start : 0;
    TC__U *src = tmp + start, *dst = out + start;
    if (tc__cancelled(cancel)) {
      TC__FN(tc__finish)(kind, out, out, 0, start);
      TC__FN(tc__finish)(kind, tmp, out, start, n);
      return TC_CANCELED;
    }
    if (len <= TC__SORT_SMALL) {
      TC__FN(tc__insertion)(src, len);
    } else {
      memset(cnt, 0, top * 256 * sizeof *cnt);
      TC__FN(tc__count)(src, len, cnt, top);
      TC__FN(tc__lsd)(&src, &dst, len, cnt, top, NULL);
    }
    if (src != out + start) memcpy(out + start, src, len * sizeof *out);
    start += len;
  }
  TC__FN(tc__finish)(kind, out, out, 0, n);
  return TC_OK;
}

static TC__INLINE tc_status TC__FN(tc__sort_kind)(int kind, const TC__U *in,
                                                  TC__U *out, size_t n,
                                                  void *scratch,
                                                  const int32_t *cancel) {
  size_t *cnt = (size_t *)tc__align_up(scratch, TC__SCRATCH_ALIGN);
  TC__U *tmp = (TC__U *)(cnt + TC__DIGITS * 256);
  TC__U *src = out, *dst = tmp;
  const unsigned top = TC__DIGITS - 1;
  tc_status st;

  if (n <= TC__SORT_SMALL) {
    for (size_t i = 0; i < n; i++) out[i] = TC__FN(tc__key)(kind, in[i]);
    TC__FN(tc__insertion)(out, n);
    TC__FN(tc__finish)(kind, out, out, 0, n);
    return TC_OK;
  }

  memset(cnt, 0, TC__DIGITS * 256 * sizeof *cnt);
  for (size_t i = 0; i < n; i += TC__SORT_CHUNK) {
    if (tc__cancelled(cancel)) {
      /* out[0, i) holds keys, the rest is input (in place) or unwritten. */
      TC__FN(tc__finish)(kind, out, out, 0, i);
      if (in != out) memcpy(out + i, in + i, (n - i) * sizeof *out);
      return TC_CANCELED;
    }
    TC__FN(tc__prepare)
    (kind, in, out, i, n - i < TC__SORT_CHUNK ? n : i + TC__SORT_CHUNK, cnt);
  }

  if (n >= TC__SORT_MSD_MIN &&
      cnt[top * 256 + ((out[0] >> (8 * top)) & 0xFF)] != n)
    return TC__FN(tc__msd_then_lsd)(kind, out, tmp, n, cnt, cancel);

  st = TC__FN(tc__lsd)(&src, &dst, n, cnt, TC__DIGITS, cancel);
  TC__FN(tc__finish)(kind, src, out, 0, n);
  return st;
}

static tc_status TC__FN(tc__sort)(int kind, const void *in, void *out, size_t n,
                                  void *scratch, const int32_t *cancel) {
  /* One copy of the passes per key mapping, so that the mapping is a
   * constant inside every loop. */
  if (kind == TC__KIND_INT)
    return TC__FN(tc__sort_kind)(TC__KIND_INT, in, out, n, scratch, cancel);
  if (kind == TC__KIND_FLOAT)
    return TC__FN(tc__sort_kind)(TC__KIND_FLOAT, in, out, n, scratch, cancel);
  return TC__FN(tc__sort_kind)(TC__KIND_UINT, in, out, n, scratch, cancel);
}

#undef TC__DIGITS
#undef TC__SIGN
