/* Radix sort over unsigned keys of TC__W bits, instantiated by sort.c once
 * per key width. Before inclusion, sort.c defines:
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
/* Keys per line of a write-combining buffer. */
#define TC__LINE (TC__SORT_WC_BYTES / (TC__W / 8))
/* Up to this many keys (512 KiB, twice that with the other buffer), a
 * range is sorted by LSD passes that run in the core's own cache; larger
 * ones are split on their top digit. */
#define TC__LEAF ((size_t)(512 * 1024) / sizeof(TC__U))

/* The float mappings flip every bit of a negative value and the sign bit
 * of the others through a mask made of the sign bit, not a branch: a
 * compiler may turn a choice into one, and on data of both signs it is
 * mispredicted every other key (counting 16M random float64 keys on 16
 * bits: 57 ms with the branch gcc made, 14 ms without). */
static TC__INLINE TC__U TC__FN(tc__key)(int kind, TC__U x) {
  if (kind == TC__KIND_INT) return x ^ TC__SIGN;
  if (kind == TC__KIND_FLOAT)
    return (TC__U)((x ^ (((TC__U)0 - (x >> (TC__W - 1))) | TC__SIGN)) -
                   TC__FOFF);
  return x;
}

static TC__INLINE TC__U TC__FN(tc__unkey)(int kind, TC__U k) {
  if (kind == TC__KIND_INT) return k ^ TC__SIGN;
  if (kind == TC__KIND_FLOAT) {
    TC__U y = (TC__U)(k + TC__FOFF);
    return (TC__U)(y ^ (((TC__U)0 - ((y >> (TC__W - 1)) ^ 1)) | TC__SIGN));
  }
  return k;
}

/* What every level of the sort shares. out and tmp are indexed alike: a
 * range [s, e) of keys sits in one of them, and the other one's [s, e) is
 * free for the next pass. */
typedef struct {
  TC__U *out, *tmp;
  size_t *cnt;    /* TC__DIGITS tables of 256 counts */
  size_t *leaf;   /* TC__SORT_LEAF_COUNTS counts for tc__leaf() */
  TC__U *wc;      /* 256 lines of TC__LINE keys */
  uint32_t *tail; /* TC__SORT_TAIL_BUCKETS counts for tc__tail() */
  int kind;
  const int32_t *cancel;
} TC__FN(tc__sorter);

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

/* tc__finish() for a kind known only at run time. */
static void TC__FN(tc__finish_any)(int kind, const TC__U *src, TC__U *out,
                                   size_t from, size_t to) {
  if (kind == TC__KIND_INT)
    TC__FN(tc__finish)(TC__KIND_INT, src, out, from, to);
  else if (kind == TC__KIND_FLOAT)
    TC__FN(tc__finish)(TC__KIND_FLOAT, src, out, from, to);
  else
    TC__FN(tc__finish)(TC__KIND_UINT, src, out, from, to);
}

static void TC__FN(tc__insertion)(TC__U *k, size_t n) {
  for (size_t i = 1; i < n; i++) {
    TC__U v = k[i];
    size_t j = i;
    for (; j > 0 && k[j - 1] > v; j--) k[j] = k[j - 1];
    k[j] = v;
  }
}

/* Count digits [0, ndig) of db bits of n keys into cnt, a table of
 * 1 << db counts per digit. */
static TC__INLINE void TC__FN(tc__count)(const TC__U *k, size_t n, size_t *cnt,
                                         unsigned ndig, unsigned db) {
  size_t mask = ((size_t)1 << db) - 1;
  for (size_t i = 0; i < n; i++)
    for (unsigned d = 0; d < ndig; d++)
      cnt[((size_t)d << db) + ((size_t)(k[i] >> (db * d)) & mask)]++;
}

/* One pass: move src[from, to) to dst at the offsets c of their digit,
 * writing only inside [lo, hi). The counts were taken in an earlier pass;
 * if another thread wrote to a borrowed array since, they no longer match
 * the keys, and the result is wrong but every write stays inside the
 * range. With unkey set, the keys leave as elements (the last pass). */
static TC__INLINE void TC__FN(tc__scatter)(int unkey_kind, const TC__U *src,
                                           TC__U *dst, size_t hi, size_t from,
                                           size_t to, size_t *c, unsigned shift,
                                           size_t mask) {
  for (size_t i = from; i < to; i++) {
    TC__U k = src[i];
    size_t pos = c[(size_t)(k >> shift) & mask]++;
    if (pos < hi) dst[pos] = TC__FN(tc__unkey)(unkey_kind, k);
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
    tc__offsets(c, 0);
    for (size_t i = 0; i < n; i += TC__SORT_CHUNK) {
      if (tc__cancelled(cancel)) return TC_CANCELED;
      TC__FN(tc__scatter)
      (TC__KIND_UINT, *src, *dst, n, i,
       n - i < TC__SORT_CHUNK ? n : i + TC__SORT_CHUNK, c, shift, 0xFF);
    }
    TC__U *t = *src;
    *src = *dst;
    *dst = t;
  }
  return TC_OK;
}

/* A range [s, e) of keys in src that fits in cache, and whose keys agree
 * on every bit from bits (at most 24) up, sorted by LSD passes on digits
 * of TC__SORT_LEAF_BITS through dst into z->out as elements. */
static TC__INLINE void TC__FN(tc__leaf)(int kind, const TC__FN(tc__sorter) * z,
                                        TC__U *src, TC__U *dst, size_t s,
                                        size_t e, unsigned bits) {
  const unsigned db = TC__SORT_LEAF_BITS;
  const size_t nb = (size_t)1 << db;
  unsigned ndig = (bits + db - 1) / db, pass[TC__DIGITS], np = 0;
  size_t m = e - s, *cnt = z->leaf;
  memset(cnt, 0, ndig * nb * sizeof *cnt);
  /* The digit loop unrolled for each count of digits. */
  switch (ndig) {
#define TC__COUNT_CASE(d)                      \
  case d:                                      \
    TC__FN(tc__count)(src + s, m, cnt, d, db); \
    break;
    TC__COUNT_CASE(1)
    TC__COUNT_CASE(2)
    TC__COUNT_CASE(3)
#undef TC__COUNT_CASE
    default:
      TC__FN(tc__count)(src + s, m, cnt, ndig, db);
  }
  for (unsigned d = 0; d < ndig; d++)
    if (cnt[d * nb + ((size_t)(src[s] >> (db * d)) & (nb - 1))] != m)
      pass[np++] = d;
  for (unsigned p = 0; p < np; p++) {
    size_t *c = cnt + pass[p] * nb;
    unsigned shift = db * pass[p];
    TC__U *t;
    tc__offsets_n(c, nb, s);
    /* The passes alternate between the buffers; the last one writes the
     * elements when it lands in out. */
    if (p == np - 1 && dst == z->out)
      TC__FN(tc__scatter)(kind, src, dst, e, s, e, c, shift, nb - 1);
    else
      TC__FN(tc__scatter)(TC__KIND_UINT, src, dst, e, s, e, c, shift, nb - 1);
    t = src;
    src = dst;
    dst = t;
  }
  if (np == 0 || src != z->out) TC__FN(tc__finish)(kind, src, z->out, s, e);
}

/* Counts of the digit at shift in src[from, to) added to c; four tables
 * in turn, so that runs of one digit do not wait on their own stores. The
 * bits where a key differs from k0 are or-ed into *diff. */
static TC__INLINE void TC__FN(tc__hist)(int kind, const TC__U *src, size_t from,
                                        size_t to, unsigned shift, size_t *c,
                                        TC__U k0, TC__U *diff) {
  uint32_t h[4][256];
  TC__U d = 0;
  size_t i = from;
  if (to - from < 4096) {
    /* Too few keys to pay for four tables. */
    for (; i < to; i++) {
      TC__U k = TC__FN(tc__key)(kind, src[i]);
      d |= k ^ k0;
      c[(k >> shift) & 0xFF]++;
    }
    *diff |= d;
    return;
  }
  memset(h, 0, sizeof h);
  for (; i + 4 <= to; i += 4) {
    TC__U k0_ = TC__FN(tc__key)(kind, src[i]);
    TC__U k1 = TC__FN(tc__key)(kind, src[i + 1]);
    TC__U k2 = TC__FN(tc__key)(kind, src[i + 2]);
    TC__U k3 = TC__FN(tc__key)(kind, src[i + 3]);
    d |= (k0_ ^ k0) | (k1 ^ k0) | (k2 ^ k0) | (k3 ^ k0);
    h[0][(k0_ >> shift) & 0xFF]++;
    h[1][(k1 >> shift) & 0xFF]++;
    h[2][(k2 >> shift) & 0xFF]++;
    h[3][(k3 >> shift) & 0xFF]++;
  }
  for (; i < to; i++) {
    TC__U k = TC__FN(tc__key)(kind, src[i]);
    d |= k ^ k0;
    h[0][(k >> shift) & 0xFF]++;
  }
  for (unsigned b = 0; b < 256; b++)
    c[b] += (size_t)h[0][b] + h[1][b] + h[2][b] + h[3][b];
  *diff |= d;
}

/* Slot of a write-combining line that the key bound for dst[pos] takes:
 * lines follow dst's own TC__SORT_WC_BYTES-aligned lines, dst starting a
 * keys into one. */
#define TC__WC_SLOT(pos, a) (((pos) + (a)) & (TC__LINE - 1))

/* One staged line to dst, aligned when nt is set: then without reading
 * its cache lines first (x86 streaming stores). */
static TC__INLINE void TC__FN(tc__wc_flush)(TC__U *dst, const TC__U *line,
                                            int nt) {
#if TC__HAVE_STREAM
  if (nt) {
    const __m128i *l = (const __m128i *)(const void *)line;
    __m128i *d = (__m128i *)(void *)dst;
    for (unsigned v = 0; v < TC__SORT_WC_BYTES / 16; v++)
      _mm_stream_si128(d + v, _mm_load_si128(l + v));
    return;
  }
#elif defined(__wasm_simd128__)
  /* In 16-byte vectors: memcpy is a memory.copy, which the engine runs
   * as a call. */
  (void)nt;
  {
    const v128_t *l = (const v128_t *)(const void *)line;
    v128_t *d = (v128_t *)(void *)dst;
    for (unsigned v = 0; v < TC__SORT_WC_BYTES / 16; v++)
      wasm_v128_store(d + v, wasm_v128_load(l + v));
    return;
  }
#else
  (void)nt;
#endif
  memcpy(dst, line, TC__SORT_WC_BYTES);
}

/* Where the staged lines of a scatter go: dst, whose writes stay in
 * [lo, hi), and whose lines start a keys into dst's own alignment. start
 * holds where each bucket's keys begin: slots below it are never written,
 * so that scatters into neighbouring stretches of dst (parts of a split
 * job) may run at once. */
typedef struct {
  TC__U *dst;
  size_t a, lo, hi;
  const size_t *start;
  int nt;
} TC__FN(tc__wc_dst);

/* The full line that ends before the key bound for biased position p
 * (position + a) to its place. Out of the hot loop: it runs once per
 * line, and the loop keeps fewer values live without it. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void
TC__FN(tc__wc_line)(const TC__FN(tc__wc_dst) * w, const TC__U *line, size_t p,
                    size_t b) {
  size_t first = p - w->a - TC__LINE;
  size_t lo = w->start[b] > w->lo ? w->start[b] : w->lo;
  if (p >= lo + w->a + TC__LINE && p - w->a <= w->hi) {
    TC__FN(tc__wc_flush)(w->dst + first, line, w->nt);
  } else {
    for (size_t j = 0; j < TC__LINE; j++)
      if (first + j >= lo && first + j < w->hi) w->dst[first + j] = line[j];
  }
}

/* tc__scatter() for ranges far larger than the cache: keys are staged in
 * one line per bucket (wc) and leave as whole lines, so that the 256
 * streams into memory are written a line at a time. A line leaves when
 * its bucket's next key needs it again, long after its last store, and it
 * leaves whole, except a bucket's first line, whose slots before the
 * bucket's start are left alone; tc__wc_tails() writes every bucket's
 * last line.
 * The counts c are biased by w->a, so that a key's slot is its count's
 * low bits. */
static TC__INLINE void TC__FN(tc__scatter_wc)(int kind, const TC__U *src,
                                              const TC__FN(tc__wc_dst) * w,
                                              TC__U *wc, size_t from, size_t to,
                                              size_t *c, unsigned shift,
                                              const uint8_t *map) {
  for (size_t i = from; i < to; i++) {
    TC__U k = TC__FN(tc__key)(kind, src[i]);
    size_t b = map ? map[(size_t)((k >> shift) & 0xFFFF)]
                   : (size_t)((k >> shift) & 0xFF);
    size_t p = c[b]++;
    size_t slot = p & (TC__LINE - 1);
    TC__U *line = wc + b * TC__LINE;
    if (slot == 0) TC__FN(tc__wc_line)(w, line, p, b);
    line[slot] = k;
  }
}

/* The last line of every bucket after tc__scatter_wc(); start and c hold
 * where the buckets begin and end, inside [0, hi). */
static void TC__FN(tc__wc_tails)(TC__U *dst, const TC__U *wc, size_t hi,
                                 size_t a, const size_t *start,
                                 const size_t *c) {
#if TC__HAVE_STREAM
  /* The streaming stores before the plain ones to the same lines. */
  _mm_sfence();
#endif
  for (unsigned b = 0; b < 256; b++) {
    size_t end = c[b] < hi ? c[b] : hi;
    size_t part = TC__WC_SLOT(end, a), from;
    if (part == 0) part = TC__LINE;
    if (end < start[b]) end = start[b];
    from = part < end - start[b] ? end - part : start[b];
    for (size_t p = from; p < end; p++)
      dst[p] = wc[b * TC__LINE + TC__WC_SLOT(p, a)];
  }
}

/* Index of the highest set bit of x, which is not 0. */
static TC__INLINE unsigned TC__FN(tc__top_bit)(TC__U x) {
#if defined(__GNUC__) || defined(__clang__)
#if TC__W == 64
  return 63u - (unsigned)__builtin_clzll((unsigned long long)x);
#else
  return 31u - (unsigned)__builtin_clz((unsigned)x);
#endif
#else
  unsigned b = 0;
  while (x >>= 1) b++;
  return b;
#endif
}

/* The digit that keys agreeing on every bit from bits up are split on:
 * the eight bits below bits, or the low eight where fewer are left. */
#define TC__SHIFT(bits) ((bits) > 8 ? (bits)-8u : 0u)

/* Whether tc__range() sorts m keys that agree on every bit from bits up
 * without splitting them first (unless tc__tail() finds them crowded). */
static TC__INLINE int TC__FN(tc__settles)(size_t m, unsigned bits) {
  return m <= (bits <= 24 ? TC__LEAF : TC__SORT_TAIL_WIDE);
}

/* Once m keys that agree on every bit from bits up have been counted on
 * their digit (TC__SHIFT), diff holding the bits where they differ from
 * the first one: bits when that digit is the one to split them on, 0 when
 * they are all equal, else the bits to count them again below, up to the
 * highest bit where they differ. Counting again reads the keys once; a
 * level of splits more reads them twice and writes them once. So they are
 * counted again when every key has the same digit; when the digit's top
 * bits are the same in every key, so that its buckets (as many as the
 * bits of the digit that vary can tell, if the keys spread evenly) would
 * need splitting again, where those of the digit below the highest bit
 * that varies would not; and, for a range of keys still in a core's cache
 * (up to twice the leaf's), when its top two bits are. Clustered data
 * meets the last two: the keys of a cluster share their top bits,
 * wherever a byte starts. Only the bits below bits count: racing writes
 * to a borrowed array can leave keys that differ above (see scatter), and
 * the bits must still go down for a caller's loop to end. */
static TC__INLINE unsigned TC__FN(tc__aim)(TC__U diff, unsigned bits,
                                           size_t m) {
  unsigned top;
  if (bits < TC__W) diff &= (TC__U)(((TC__U)1 << bits) - 1);
  if (diff == 0) return 0;
  top = TC__FN(tc__top_bit)(diff) + 1;
  if (top + 8 <= bits) return top;
  if (top == bits || bits <= 8) return bits;
  if (m <= 2 * TC__LEAF) return top + 2 <= bits ? top : bits;
  return !TC__FN(tc__settles)(m >> (8 - (bits - top)), TC__SHIFT(bits)) &&
                 TC__FN(tc__settles)(m >> 8, TC__SHIFT(top))
             ? top
             : bits;
}

/* The bits that m keys agreeing from bits up are split on, given diff,
 * the bits where they differ from the first: tc__aim() until it settles,
 * as counting again each time it moves would end. 0 when they are all
 * equal; *leafy set when they fit the leaf first (tc__range). */
static TC__INLINE unsigned TC__FN(tc__settle)(TC__U diff, unsigned bits,
                                              size_t m, int *leafy) {
  unsigned aim;
  *leafy = 0;
  while ((aim = TC__FN(tc__aim)(diff, bits, m)) != bits) {
    if (aim == 0) return 0;
    bits = aim;
    if (m <= TC__LEAF && bits <= 24) {
      *leafy = 1;
      break;
    }
  }
  return bits;
}

/* A range of at most TC__SORT_TAIL keys (TC__SORT_TAIL_WIDE where its keys
 * vary above their low three digits): one split on the top bits where
 * they differ, about twice as many buckets as keys, then one insertion
 * sort over the whole range, which only ever moves a key inside its small
 * bucket, and the range leaves for out as elements. Returns 0, having
 * written nothing, when the keys crowd into a bucket of TC__SORT_TAIL_RUN
 * or more: the caller splits them as usual. */
static TC__INLINE int TC__FN(tc__tail)(int kind, const TC__FN(tc__sorter) * z,
                                       TC__U *src, TC__U *dst, size_t s,
                                       size_t e) {
  uint32_t *t = z->tail;
  size_t m = e - s;
  TC__U k0 = src[s], diff = 0, mask;
  unsigned top, w = 1, shift;
  uint32_t sum = 0, seen = 0;
  for (size_t i = s; i < e; i++) diff |= src[i] ^ k0;
  if (diff == 0) {
    TC__FN(tc__finish)(kind, src, z->out, s, e);
    return 1;
  }
  top = TC__FN(tc__top_bit)(diff);
  while (((size_t)1 << w) < 2 * m && ((size_t)2 << w) <= TC__SORT_TAIL_BUCKETS)
    w++;
  if (w > top + 1) w = top + 1;
  shift = top + 1 - w;
  mask = (TC__U)(((TC__U)1 << w) - 1);
  memset(t, 0, ((size_t)1 << w) * sizeof *t);
  for (size_t i = s; i < e; i++) t[(src[i] >> shift) & mask]++;
  /* Offsets two buckets a step (w is at least 1), and whether a bucket
   * is crowded from the bits of every count or-ed together: a running
   * maximum chained a compare per bucket, and with at least twice as many
   * buckets as keys this loop was the tail's slowest (the buckets of a
   * 16M-key float64 sort: 143 ms natively before, 126 after). */
  for (size_t b = 0; b < ((size_t)1 << w); b += 2) {
    uint32_t c0 = t[b], c1 = t[b + 1];
    t[b] = sum;
    t[b + 1] = sum + c0;
    sum += c0 + c1;
    seen |= c0 | c1;
  }
  if (seen >= TC__SORT_TAIL_RUN) return 0;
  for (size_t i = s; i < e; i++) {
    TC__U k = src[i];
    /* Racing writes can make the counts lie: stay inside the range. */
    uint32_t pos = t[(k >> shift) & mask]++;
    if (pos < m) dst[s + pos] = k;
  }
  TC__FN(tc__insertion)(dst + s, m);
  TC__FN(tc__finish)(kind, dst, z->out, s, e);
  return 1;
}

/* Count the digit that keys [s, e) of src, agreeing on every bit from
 * *bits up, split on into cnt (256): where a sample of them says they
 * differ (tc__settle), then again where all of them do if the sample
 * missed a bit. Where the sample says they fit the leaf, a pass that only
 * looks for the bits that differ makes sure first (a range that fits the
 * leaf fits in cache, and takes no look at the cancel flag). Returns
 * TC__COUNTED with *bits the bits to split on, TC__LEAFY with *bits those
 * the leaf sorts, TC__EQUAL when every key is equal, or TC__STOPPED when
 * the job was cancelled. Out of line in WebAssembly: with these loops
 * inside tc__range(), V8 gave the rest of it worse registers (see
 * tc__leaf_any), and the buckets of a 16M-key float64 sort took 225 ms
 * against 163. */
static TC__WASM_APART int TC__FN(tc__count_range)(const TC__FN(tc__sorter) * z,
                                                  const TC__U *src, size_t s,
                                                  size_t e, unsigned *bits,
                                                  size_t *cnt) {
  size_t m = e - s, step = m / TC__SORT_SAMPLE;
  TC__U sd = 0;
  int leafy;
  unsigned at, want;
  for (size_t i = s; i < e; i += step) sd |= src[i] ^ src[s];
  at = TC__FN(tc__settle)(sd, *bits, m, &leafy);
  if (at == 0) at = *bits;
  if (leafy) {
    for (size_t i = s; i < e; i++) sd |= src[i] ^ src[s];
    at = TC__FN(tc__settle)(sd, *bits, m, &leafy);
    if (at == 0) return TC__EQUAL;
    *bits = at;
    if (leafy) return TC__LEAFY;
  }
  for (;;) {
    TC__U diff = 0;
    memset(cnt, 0, 256 * sizeof *cnt);
    for (size_t i = s; i < e; i += TC__SORT_CHUNK) {
      if (tc__cancelled(z->cancel)) return TC__STOPPED;
      TC__FN(tc__hist)
      (TC__KIND_UINT, src, i, e - i < TC__SORT_CHUNK ? e : i + TC__SORT_CHUNK,
       TC__SHIFT(at), cnt, src[s], &diff);
    }
    want = TC__FN(tc__settle)(diff, *bits, m, &leafy);
    if (want == 0) return TC__EQUAL;
    *bits = want;
    if (leafy) return TC__LEAFY;
    if (want == at) return TC__COUNTED;
    /* Counted again where the keys differ (racing writes to a borrowed
     * array aside, this one is the last: bits only ever go down). */
    at = want;
  }
}

static tc_status TC__FN(tc__range)(const TC__FN(tc__sorter) * z, TC__U *src,
                                   TC__U *dst, size_t s, size_t e,
                                   unsigned bits, size_t *cnt);

/* tc__leaf() for the sorter's kind, out of line in WebAssembly. There V8
 * gives registers out per function: inside the large one that holds the
 * rest of a level (tc__range() and tc__buckets()), the leaf's scatter
 * loop reloaded its bound, bases and shift from the stack for every key;
 * on its own, it keeps them in registers. Of a 16M-key sort, the buckets
 * took 74-75 ms against 90-91 for uint32 and int32, and 164-172 against
 * 255 for float64 (make sort-phases, best of 3 runs taken in turns). The
 * wasm link must not inline it back (WASM_INLINE in the Makefile).
 * Natively it stays inline: out of line, the rest of tc__range() came out
 * slower from gcc (float64 buckets: 136 ms against 127). */
static TC__WASM_APART void TC__FN(tc__leaf_any)(const TC__FN(tc__sorter) * z,
                                                TC__U *src, TC__U *dst,
                                                size_t s, size_t e,
                                                unsigned bits) {
  if (z->kind == TC__KIND_INT)
    TC__FN(tc__leaf)(TC__KIND_INT, z, src, dst, s, e, bits);
  else if (z->kind == TC__KIND_FLOAT)
    TC__FN(tc__leaf)(TC__KIND_FLOAT, z, src, dst, s, e, bits);
  else
    TC__FN(tc__leaf)(TC__KIND_UINT, z, src, dst, s, e, bits);
}

/* After a split of [s, e) from src into dst (c: the buckets' ends), each
 * bucket in turn, on the digits below bits. Small buckets are sorted where
 * they lie, and a run of them leaves for out in one go. On TC_CANCELED,
 * out[s, e) holds the range's elements. */
static tc_status TC__FN(tc__buckets)(const TC__FN(tc__sorter) * z, TC__U *src,
                                     TC__U *dst, size_t s, size_t e,
                                     unsigned bits, size_t *c) {
  /* [run, start): sorted small buckets in dst, not yet in out. */
  size_t start = s, run = s;
  for (unsigned b = 0; b < 256; b++) {
    /* Clamped, in case racing writes made the counts lie (see scatter). */
    size_t end = c[b] < e ? c[b] : e;
    if (end <= start) continue;
    if (end - start <= TC__SORT_SMALL) {
      TC__FN(tc__insertion)(dst + start, end - start);
    } else {
      TC__FN(tc__finish_any)(z->kind, dst, z->out, run, start);
      if (TC__FN(tc__range)(z, dst, src, start, end, bits, c + 256) ==
          TC_CANCELED) {
        TC__FN(tc__finish_any)(z->kind, dst, z->out, end, e);
        return TC_CANCELED;
      }
      run = end;
    }
    start = end;
  }
  /* start < e only when the counts lied: whatever the range holds still
   * leaves. */
  TC__FN(tc__finish_any)(z->kind, dst, z->out, run, e);
  return TC_OK;
}
/* Split [s, e) of src into dst on the digit at shift (counts in c,
 * already offsets: where each bucket's keys begin), a chunk at a time
 * between looks at the cancel flag, writing only inside [lo, hi) of dst.
 * kind: the mapping that src still needs (src may hold the input). With
 * map, the digit is 16 bits wide and map gives each value's bucket (see
 * tc__wide_cut). */
static TC__INLINE tc_status TC__FN(tc__split)(int kind,
                                              const TC__FN(tc__sorter) * z,
                                              const TC__U *src, TC__U *dst,
                                              size_t s, size_t e, size_t lo,
                                              size_t hi, unsigned shift,
                                              size_t *c, const uint8_t *map) {
  size_t a = ((uintptr_t)dst / sizeof(TC__U)) % TC__LINE;
  size_t start[256];
  /* Streaming stores only where the lines are aligned, and only for
   * ranges that would not stay in cache anyway. */
  int nt = (uintptr_t)dst % sizeof(TC__U) == 0 &&
           (e - s) * sizeof(TC__U) >= TC__SORT_STREAM_MIN;
  if (kind == TC__KIND_UINT && map == NULL &&
      (e - s) * sizeof(TC__U) < TC__SORT_WC_MIN) {
    /* In cache, the plain scatter is faster (src holds keys). */
    for (size_t i = s; i < e; i += TC__SORT_CHUNK) {
      if (tc__cancelled(z->cancel)) return TC_CANCELED;
      TC__FN(tc__scatter)
      (TC__KIND_UINT, src, dst, hi, i,
       e - i < TC__SORT_CHUNK ? e : i + TC__SORT_CHUNK, c, shift, 0xFF);
    }
    return TC_OK;
  }
  TC__FN(tc__wc_dst) w;
  memcpy(start, c, sizeof start);
  w.dst = dst;
  w.a = a;
  w.lo = lo;
  w.hi = hi;
  w.start = start;
  w.nt = nt;
  for (unsigned b = 0; b < 256; b++) c[b] += a;
  for (size_t i = s; i < e; i += TC__SORT_CHUNK) {
    if (tc__cancelled(z->cancel)) return TC_CANCELED;
    TC__FN(tc__scatter_wc)
    (kind, src, &w, z->wc, i, e - i < TC__SORT_CHUNK ? e : i + TC__SORT_CHUNK,
     c, shift, map);
  }
  for (unsigned b = 0; b < 256; b++) c[b] -= a;
  TC__FN(tc__wc_tails)(dst, z->wc, hi, a, start, c);
  return TC_OK;
}

/* Sort the keys of [s, e), which sit in src and agree on every bit from
 * bits up, into z->out as elements, with dst's [s, e) as the other buffer
 * and cnt as room for the count tables left. On TC_CANCELED, out[s, e)
 * holds the range's elements in some order. */
static tc_status TC__FN(tc__range)(const TC__FN(tc__sorter) * z, TC__U *src,
                                   TC__U *dst, size_t s, size_t e,
                                   unsigned bits, size_t *cnt) {
  size_t m = e - s;
  if (tc__cancelled(z->cancel)) {
    TC__FN(tc__finish_any)(z->kind, src, z->out, s, e);
    return TC_CANCELED;
  }
  /* No bits left: the keys are equal, and need no sort. (Unless another
   * thread wrote a borrowed input between the count and the scatter that
   * brought them here: then they may not be, and an insertion sort of a
   * large range would take quadratic time over a result that is the
   * racer's business anyway.) */
  if (m <= TC__SORT_SMALL || bits == 0) {
    if (bits != 0) TC__FN(tc__insertion)(src + s, m);
    TC__FN(tc__finish_any)(z->kind, src, z->out, s, e);
    return TC_OK;
  }
  if (m <= TC__SORT_TAIL || (m <= TC__SORT_TAIL_WIDE && bits > 24)) {
    int done;
    if (z->kind == TC__KIND_INT)
      done = TC__FN(tc__tail)(TC__KIND_INT, z, src, dst, s, e);
    else if (z->kind == TC__KIND_FLOAT)
      done = TC__FN(tc__tail)(TC__KIND_FLOAT, z, src, dst, s, e);
    else
      done = TC__FN(tc__tail)(TC__KIND_UINT, z, src, dst, s, e);
    if (done) return TC_OK;
  }
leaf:
  /* LSD passes on a range in cache with at most three digits left; more
   * digits cost more passes than splitting on the top ones until the
   * buckets are small. */
  if (m <= TC__LEAF && bits <= 24) {
    TC__FN(tc__leaf_any)(z, src, dst, s, e, bits);
    return TC_OK;
  }
  switch (TC__FN(tc__count_range)(z, src, s, e, &bits, cnt)) {
    case TC__COUNTED:
      break;
    case TC__LEAFY:
      goto leaf;
    case TC__EQUAL:
      TC__FN(tc__finish_any)(z->kind, src, z->out, s, e);
      return TC_OK;
    default:
      TC__FN(tc__finish_any)(z->kind, src, z->out, s, e);
      return TC_CANCELED;
  }
  {
    unsigned shift = TC__SHIFT(bits);
    tc__offsets(cnt, s);
    if (TC__FN(tc__split)(TC__KIND_UINT, z, src, dst, s, e, s, e, shift, cnt,
                          NULL) == TC_CANCELED) {
      TC__FN(tc__finish_any)(z->kind, src, z->out, s, e);
      return TC_CANCELED;
    }
    return TC__FN(tc__buckets)(z, src, dst, s, e, shift, cnt);
  }
}

/* Whether the top digit's counts c of n keys crowd into few buckets: one
 * holds more than n / 32 (evenly spread keys put n / 256 in each). Floats
 * do: the exponent fills the top byte, and data of one scale has few
 * exponents (values in +-5e5: four buckets, two of them with 37% of the
 * keys each), so that nearly every bucket is split again, out of cache.
 * Only below 2^32 keys, which the 16-bit counts (uint32_t) hold. */
static TC__INLINE int TC__FN(tc__lopsided)(const size_t *c, size_t n) {
  if ((uint64_t)n >> 32 != 0) return 0;
  for (unsigned b = 0; b < 256; b++)
    if (c[b] > n / 32) return 1;
  return 0;
}

/* Counts of the 16-bit digit at shift of in[from, to) into h (65536). */
static TC__INLINE tc_status TC__FN(tc__count16)(int kind, const TC__U *in,
                                                size_t from, size_t to,
                                                unsigned shift, uint32_t *h,
                                                const int32_t *cancel) {
  memset(h, 0, 65536 * sizeof *h);
  for (size_t i = from; i < to; i += TC__SORT_CHUNK) {
    size_t e = to - i < TC__SORT_CHUNK ? to : i + TC__SORT_CHUNK;
    if (tc__cancelled(cancel)) return TC_CANCELED;
    for (size_t j = i; j < e; j++)
      h[(size_t)((TC__FN(tc__key)(kind, in[j]) >> shift) & 0xFFFF)]++;
  }
  return TC_OK;
}

/* The values of a 16-bit digit cut into runs, given had, the counts of
 * its top byte over n keys, and its own counts in nh tables hs (the
 * stretches of a split job; their sums are what counts): map gives each
 * value its run, at most 256 of them in order, and cs[i] (zeroed here)
 * the keys of hs[i] in each run. A run never spans two values of the top
 * byte, so that its keys agree from the digit's bit 8 up, as in a bucket
 * of a split on that byte; each value of the top byte that keys have gets
 * one run, and the runs left over go to them by their share of the keys.
 * A value of 16 bits that holds more keys than a run stays whole. */
static void TC__FN(tc__wide_cut)(const size_t *had, size_t n,
                                 uint32_t *const *hs, size_t nh, uint8_t *map,
                                 size_t *const *cs) {
  unsigned used = 0, g = 0;
  for (unsigned b = 0; b < 256; b++) used += had[b] != 0;
  for (size_t i = 0; i < nh; i++) memset(cs[i], 0, 256 * sizeof *cs[i]);
  for (unsigned b = 0; b < 256; b++) {
    /* This byte's runs, and the keys each holds. */
    uint64_t runs = 1 + (uint64_t)(256 - used) * had[b] / n,
             each = had[b] / runs + 1, sum = 0, r = 0;
    /* A byte that no key had when counted joins the run before (a racing
     * write can still bring one; it stays in order). */
    unsigned at = had[b] != 0 ? g : g > 0 ? g - 1 : 0;
    for (size_t v = (size_t)b << 8; v < ((size_t)b + 1) << 8; v++) {
      uint64_t t = 0;
      for (size_t i = 0; i < nh; i++) {
        cs[i][at + r] += hs[i][v];
        t += hs[i][v];
      }
      map[v] = (uint8_t)(at + r);
      sum += t;
      if (r + 1 < runs && sum >= (r + 1) * each) r++;
    }
    if (had[b] != 0) g += (unsigned)r + 1;
  }
}

/* Large inputs: the keys are made while the input is split on its top
 * digit (tc__aim) into tmp, a line at a time; each bucket is then split
 * further while it is larger than the cache, and sorted by LSD passes in
 * cache once it fits, ending as elements in out. */
static TC__INLINE tc_status TC__FN(tc__sort_big)(int kind,
                                                 TC__FN(tc__sorter) * z,
                                                 const TC__U *in, size_t n) {
  size_t *c = z->cnt;
  TC__U k0 = TC__FN(tc__key)(kind, in[0]);
  unsigned bits = TC__W;
  /* As tc__range() does once it has counted: the top digit, counted again
   * lower down while its top bits are the same in every key and that costs
   * a level of splits (the whole input is not sampled first: see
   * TC__SORT_SAMPLE). */
  for (;;) {
    TC__U diff = 0;
    unsigned aim;
    memset(c, 0, 256 * sizeof *c);
    for (size_t i = 0; i < n; i += TC__SORT_CHUNK) {
      if (tc__cancelled(z->cancel)) goto cancelled;
      TC__FN(tc__hist)
      (kind, in, i, n - i < TC__SORT_CHUNK ? n : i + TC__SORT_CHUNK,
       TC__SHIFT(bits), c, k0, &diff);
    }
    aim = TC__FN(tc__aim)(diff, bits, n);
    if (aim == 0) {
      /* Every element is equal. */
      if (in != z->out) memcpy(z->out, in, n * sizeof *in);
      return TC_OK;
    }
    if (aim == bits) break;
    bits = aim;
  }
  if (kind == TC__KIND_FLOAT && bits >= 16 && TC__FN(tc__lopsided)(c, n)) {
    /* Counted again on 16 bits, whose values go to 256 buckets in runs
     * (tc__wide_cut); the counts in tmp, free until the split. */
    unsigned shift = bits - 16;
    uint8_t *map = (uint8_t *)z->tail;
    uint32_t *h = (uint32_t *)(void *)z->tmp;
    size_t had[256];
    memcpy(had, c, sizeof had);
    if (TC__FN(tc__count16)(kind, in, 0, n, shift, h, z->cancel) == TC_CANCELED)
      goto cancelled;
    TC__FN(tc__wide_cut)(had, n, &h, 1, map, &c);
    tc__offsets(c, 0);
    if (TC__FN(tc__split)(kind, z, in, z->tmp, 0, n, 0, n, shift, c, map) ==
        TC_CANCELED)
      goto cancelled;
    return TC__FN(tc__buckets)(z, z->out, z->tmp, 0, n, TC__SHIFT(bits), c);
  }
  tc__offsets(c, 0);
  if (TC__FN(tc__split)(kind, z, in, z->tmp, 0, n, 0, n, TC__SHIFT(bits), c,
                        NULL) == TC_CANCELED)
    goto cancelled;
  return TC__FN(tc__buckets)(z, z->out, z->tmp, 0, n, TC__SHIFT(bits), c);

cancelled:
  /* Only the input has been read: out is the input, or unwritten. */
  if (in != z->out) memcpy(z->out, in, n * sizeof *in);
  return TC_CANCELED;
}

static TC__INLINE tc_status TC__FN(tc__sort_kind)(int kind, const TC__U *in,
                                                  TC__U *out, size_t n,
                                                  void *scratch,
                                                  const int32_t *cancel) {
  size_t *cnt = (size_t *)tc__align_up(scratch, TC__SCRATCH_ALIGN);
  /* Scratch: the count tables, then for large inputs tc__leaf()'s counts,
   * the staging lines and tc__tail()'s counts, then room for n keys (see
   * tc__sort_scratch). */
  size_t *leaf = cnt + TC__DIGITS * 256;
  TC__U *wc = (TC__U *)(leaf + TC__SORT_LEAF_COUNTS);
  uint32_t *tail = (uint32_t *)(wc + 256 * TC__LINE);
  TC__U *tmp = n >= TC__SORT_MSD_MIN ? (TC__U *)(tail + TC__SORT_TAIL_BUCKETS)
                                     : (TC__U *)leaf;
  TC__U *src = out, *dst = tmp;
  tc_status st;

  if (n <= TC__SORT_SMALL) {
    for (size_t i = 0; i < n; i++) out[i] = TC__FN(tc__key)(kind, in[i]);
    TC__FN(tc__insertion)(out, n);
    TC__FN(tc__finish)(kind, out, out, 0, n);
    return TC_OK;
  }

  if (n >= TC__SORT_MSD_MIN) {
    TC__FN(tc__sorter) z;
    z.out = out;
    z.tmp = tmp;
    z.cnt = cnt;
    z.leaf = leaf;
    z.wc = wc;
    z.tail = tail;
    z.kind = kind;
    z.cancel = cancel;
    /* The staging lines start out defined; their stale slots are always
     * written over (see tc__scatter_wc). */
    memset(wc, 0, 256 * TC__SORT_WC_BYTES);
    return TC__FN(tc__sort_big)(kind, &z, in, n);
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

/* ---- split (tc_begin): the top split of tc__sort_big() in parts.
 *   phase 0: each part counts the top digit of its stretch of the input
 *            (again lower down, as in tc__sort_big(), when its top bits
 *            are the same in every key and that costs a level of splits);
 *   phase 3: where tc__sort_big() would split floats on 16 bits in runs,
 *            each part counts those 16 bits of its stretch, into its
 *            stretch of tmp;
 *   phase 1: each part scatters its stretch into tmp, at offsets that put
 *            its keys of a bucket after those of the parts before it;
 *   phase 2: each part sorts a run of whole buckets, cut so that the runs
 *            hold about as many keys each, into out.
 * The order of the output is the order of the keys, so it is the same
 * for any number of parts. ---- */

typedef struct {
  int kind;
  unsigned bits; /* the keys agree on every bit from bits up: the digit
                  * counted (phase 0) and split on is TC__SHIFT(bits),
                  * unless wide */
  int wide;      /* split on the 16 bits below bits in runs instead
                  * (counted in phase 3; map) */
  TC__U k0;      /* the first key, which the others are compared with */
  size_t ends[256];
  size_t group[TC_MAX_PARTS + 1]; /* part p sorts buckets [group[p], [p+1]) */
  uint8_t map[65536];             /* with wide: each value's bucket */
} TC__FN(tc__split_shared);

typedef struct {
  size_t hist[256]; /* counts of the part's keys; then where they go */
  size_t cnt[TC__DIGITS * 256];
  size_t leaf[TC__SORT_LEAF_COUNTS];
  TC__U wc[256 * TC__LINE];
  uint32_t tail[TC__SORT_TAIL_BUCKETS];
  TC__U diff;
} TC__FN(tc__split_part);

#define TC__ROUND64(x) (((x) + 63) / 64 * 64)

static TC__FN(tc__split_shared) * TC__FN(tc__shared)(tc__split_t *s) {
  return (TC__FN(tc__split_shared) *)(void *)tc__split_area(s);
}

static TC__FN(tc__split_part) * TC__FN(tc__part_of)(tc__split_t *s, size_t p) {
  return (TC__FN(
      tc__split_part) *)(void *)(tc__split_area(s) +
                                 TC__ROUND64(sizeof(TC__FN(tc__split_shared))) +
                                 p * TC__ROUND64(
                                         sizeof(TC__FN(tc__split_part))));
}

static TC__U *TC__FN(tc__split_tmp)(tc__split_t *s) {
  return (TC__U *)(void *)TC__FN(tc__part_of)(s, s->parts);
}

static tc_status TC__FN(tc__sort_parts)(size_t n, size_t want, size_t *parts,
                                        size_t *area_len) {
  size_t keys, per = TC__ROUND64(sizeof(TC__FN(tc__split_part))), all;
  *parts = 1;
  *area_len = 0;
  if (n < TC__SORT_MSD_MIN) return TC_OK;
  if (want > n / TC__SORT_CHUNK) want = n / TC__SORT_CHUNK;
  *parts = want;
  if (tc__mul_overflow(n, sizeof(TC__U), &keys) ||
      tc__mul_overflow(per, want, &all) ||
      tc__add_overflow(all, TC__ROUND64(sizeof(TC__FN(tc__split_shared))),
                       &all) ||
      tc__add_overflow(all, keys, area_len))
    return TC_EOVERFLOW;
  return TC_OK;
}

static tc_status TC__FN(tc__split_begin)(int kind, tc_job *job,
                                         tc__split_t *s) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  sh->kind = kind;
  sh->bits = TC__W;
  sh->wide = 0;
  sh->k0 = TC__FN(tc__key)(kind, ((const TC__U *)job->in)[0]);
  return TC_PENDING;
}

/* The input, in out, ending the job with st: what a split leaves when it
 * is cancelled before its keys moved, or when every element is equal. */
static tc_status TC__FN(tc__split_keep)(tc_job *job, size_t n, tc_status st) {
  if (job->in != job->out) memcpy(job->out, job->in, n * sizeof(TC__U));
  return st;
}

/* The sorter of one part: the shared buffers, the part's own tables. */
static void TC__FN(tc__part_sorter)(TC__FN(tc__sorter) * z, int kind,
                                    tc_job *job, tc__split_t *s,
                                    TC__FN(tc__split_part) * q) {
  z->out = job->out;
  z->tmp = TC__FN(tc__split_tmp)(s);
  z->cnt = q->cnt;
  z->leaf = q->leaf;
  z->wc = q->wc;
  z->tail = q->tail;
  z->kind = kind;
  z->cancel = &job->cancel;
}

static TC__INLINE tc_status TC__FN(tc__split_count)(int kind, tc_job *job,
                                                    tc__split_t *s,
                                                    size_t part) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  TC__FN(tc__split_part) *q = TC__FN(tc__part_of)(s, part);
  const TC__U *in = job->in;
  size_t n = job->in_len / sizeof(TC__U), first, end;
  TC__U diff = 0;
  tc__part_range(n, TC__SORT_CHUNK, s->parts, part, &first, &end);
  memset(q->hist, 0, sizeof q->hist);
  for (size_t i = first; i < end; i += TC__SORT_CHUNK) {
    if (tc__cancelled(&job->cancel)) return TC_CANCELED;
    TC__FN(tc__hist)
    (kind, in, i, end - i < TC__SORT_CHUNK ? end : i + TC__SORT_CHUNK,
     TC__SHIFT(sh->bits), q->hist, sh->k0, &diff);
  }
  q->diff = diff;
  return TC_OK;
}

static TC__INLINE tc_status TC__FN(tc__split_scatter)(int kind, tc_job *job,
                                                      tc__split_t *s,
                                                      size_t part) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  TC__FN(tc__split_part) *q = TC__FN(tc__part_of)(s, part);
  TC__FN(tc__sorter) z;
  size_t n = job->in_len / sizeof(TC__U), first, end;
  tc__part_range(n, TC__SORT_CHUNK, s->parts, part, &first, &end);
  TC__FN(tc__part_sorter)(&z, kind, job, s, q);
  /* The staging lines start out defined (see tc__sort_kind). */
  memset(q->wc, 0, sizeof q->wc);
  /* The map a constant in each copy of the loop, not a test per key. */
  if (sh->wide)
    return TC__FN(tc__split)(kind, &z, job->in, z.tmp, first, end, 0, n,
                             sh->bits - 16, q->hist, sh->map);
  return TC__FN(tc__split)(kind, &z, job->in, z.tmp, first, end, 0, n,
                           TC__SHIFT(sh->bits), q->hist, NULL);
}

/* Phase 3: the 16-bit counts of the part's stretch, in its stretch of
 * tmp (at least a chunk of keys: room for them). */
static TC__INLINE tc_status TC__FN(tc__split_count16)(int kind, tc_job *job,
                                                      tc__split_t *s,
                                                      size_t part) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  size_t n = job->in_len / sizeof(TC__U), first, end;
  tc__part_range(n, TC__SORT_CHUNK, s->parts, part, &first, &end);
  return TC__FN(tc__count16)(
      kind, job->in, first, end, sh->bits - 16,
      (uint32_t *)(void *)(TC__FN(tc__split_tmp)(s) + first), &job->cancel);
}

static tc_status TC__FN(tc__split_buckets)(tc_job *job, tc__split_t *s,
                                           size_t part) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  TC__FN(tc__split_part) *q = TC__FN(tc__part_of)(s, part);
  TC__FN(tc__sorter) z;
  size_t b0 = sh->group[part], b1 = sh->group[part + 1];
  if (b0 == b1) return TC_OK;
  TC__FN(tc__part_sorter)(&z, sh->kind, job, s, q);
  memcpy(q->cnt, sh->ends, sizeof sh->ends);
  return TC__FN(tc__buckets)(&z, z.out, z.tmp, b0 == 0 ? 0 : sh->ends[b0 - 1],
                             sh->ends[b1 - 1], TC__SHIFT(sh->bits), q->cnt);
}

static tc_status TC__FN(tc__split_part_run)(tc_job *job, tc__split_t *s,
                                            size_t part) {
  int kind = TC__FN(tc__shared)(s)->kind;
  if (s->phase == 2) return TC__FN(tc__split_buckets)(job, s, part);
    /* One copy of the loops per key mapping, as in tc__sort(). */
#define TC__SPLIT_KIND(k)                                               \
  if (kind == k)                                                        \
    return s->phase == 0   ? TC__FN(tc__split_count)(k, job, s, part)   \
           : s->phase == 3 ? TC__FN(tc__split_count16)(k, job, s, part) \
                           : TC__FN(tc__split_scatter)(k, job, s, part);
  TC__SPLIT_KIND(TC__KIND_INT)
  TC__SPLIT_KIND(TC__KIND_FLOAT)
  TC__SPLIT_KIND(TC__KIND_UINT)
#undef TC__SPLIT_KIND
  return TC_EDTYPE;
}

/* After the counts (phase 0, or 3 where the split is wide): where each
 * part's keys of each bucket go, and where the buckets end; phase 1
 * next. */
static tc_status TC__FN(tc__split_offsets)(tc__split_t *s) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  size_t base = 0;
  for (unsigned b = 0; b < 256; b++) {
    for (size_t p = 0; p < s->parts; p++) {
      TC__FN(tc__split_part) *q = TC__FN(tc__part_of)(s, p);
      size_t t = q->hist[b];
      q->hist[b] = base;
      base += t;
    }
    sh->ends[b] = base;
  }
  s->phase = 1;
  return TC_PENDING;
}

static tc_status TC__FN(tc__split_next)(tc_job *job, tc__split_t *s) {
  TC__FN(tc__split_shared) *sh = TC__FN(tc__shared)(s);
  size_t n = job->in_len / sizeof(TC__U), had[256];
  tc_status st = tc__phase_status(s);
  if (s->phase == 2 || st != TC_OK)
    return s->phase != 2 && st == TC_CANCELED
               ? TC__FN(tc__split_keep)(job, n, TC_CANCELED)
               : st;
  if (s->phase == 1) {
    /* Runs of buckets of about n / parts keys: a bucket goes to the part
     * whose share holds its middle. */
    size_t b = 0;
    sh->group[0] = 0;
    for (size_t p = 1; p <= s->parts; p++) {
      size_t target = p == s->parts ? n : n / s->parts * p;
      while (b < 256) {
        size_t lo = b == 0 ? 0 : sh->ends[b - 1];
        if (p < s->parts && lo + (sh->ends[b] - lo) / 2 >= target) break;
        b++;
      }
      sh->group[p] = b;
    }
    s->phase = 2;
    return TC_PENDING;
  }
  /* The top byte's counts over every part. */
  memset(had, 0, sizeof had);
  for (size_t p = 0; p < s->parts; p++) {
    TC__FN(tc__split_part) *q = TC__FN(tc__part_of)(s, p);
    for (unsigned b = 0; b < 256; b++) had[b] += q->hist[b];
  }
  if (s->phase == 3) {
    /* The 16-bit counts of every part, in its stretch of tmp, cut into
     * runs as tc__sort_big() does; each part's counts per run in hist. */
    uint32_t *hs[TC_MAX_PARTS];
    size_t *cs[TC_MAX_PARTS], first, end;
    for (size_t p = 0; p < s->parts; p++) {
      tc__part_range(n, TC__SORT_CHUNK, s->parts, p, &first, &end);
      hs[p] = (uint32_t *)(void *)(TC__FN(tc__split_tmp)(s) + first);
      cs[p] = TC__FN(tc__part_of)(s, p)->hist;
    }
    TC__FN(tc__wide_cut)(had, n, hs, s->parts, sh->map, cs);
    return TC__FN(tc__split_offsets)(s);
  }
  /* Phase 0: the counts of every part. */
  TC__U diff = 0;
  unsigned aim;
  for (size_t p = 0; p < s->parts; p++) diff |= TC__FN(tc__part_of)(s, p)->diff;
  aim = TC__FN(tc__aim)(diff, sh->bits, n);
  if (aim == 0) {
    /* Every element is equal. */
    return TC__FN(tc__split_keep)(job, n, TC_OK);
  }
  if (aim != sh->bits) {
    /* Count again, lower down (as in tc__sort_big()). */
    sh->bits = aim;
    return TC_PENDING;
  }
  if (sh->kind == TC__KIND_FLOAT && sh->bits >= 16 &&
      TC__FN(tc__lopsided)(had, n)) {
    /* Split on 16 bits in runs, as tc__sort_big() does. */
    sh->wide = 1;
    s->phase = 3;
    return TC_PENDING;
  }
  return TC__FN(tc__split_offsets)(s);
}

#undef TC__ROUND64

#undef TC__DIGITS
#undef TC__SIGN
#undef TC__LINE
#undef TC__LEAF
#undef TC__WC_SLOT
