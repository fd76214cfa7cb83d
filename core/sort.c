/* Sort of Float64, Float32, Int32 and Uint32 data in the order of
 * TypedArray.prototype.sort() without a comparator: numeric, -0 before +0,
 * NaN after +Infinity.
 *
 * A least-significant-digit radix sort with 8-bit digits over unsigned keys:
 *   - Uint32: the value itself;
 *   - Int32: the value with its sign bit flipped;
 *   - floats: the usual IEEE trick (negative values: all bits flipped;
 *     others: the sign bit set) orders every non-NaN value, -0 before +0,
 *     within [~bits(-Inf), bits(+Inf) | sign]. The NaNs with the sign bit
 *     clear sit just above that range, the ones with it set just below it;
 *     subtracting ~bits(-Inf) rotates the key space so that those wrap
 *     around to the top. Every NaN then sorts after +Infinity and the
 *     mapping stays a bijection.
 * Up to TC__SORT_MSD_MIN elements, LSD passes of 8-bit digits: the counts
 * of every digit come from one pass that also makes the keys, and a digit
 * that is equal in all keys costs no pass. Larger inputs are split on an
 * 8-bit digit (MSD): the byte below the bits every key shares, or the one
 * below the highest bit where they differ when the first wastes its top
 * bits (see tc__aim), the keys staged in lines per bucket on their way to
 * memory (floats whose exponents crowd that digit into few buckets: on
 * 16 bits, cut into runs; see tc__wide_cut); buckets still larger than the
 * cache are split again, those that fit
 * are sorted by LSD passes in cache (32-bit keys: digits of TC__SORT_LEAF_BITS)
 * or split until small, and small ranges end in one wide split and an insertion
 * sort (see sort_impl.h).
 */
#include <string.h>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#include "tc_internal.h"

/* x86 streaming stores (SSE2, in every x86-64) for the lines of the
 * scatters into memory. They write a line without reading it first;
 * plain stores do read it, and then longer lines per bucket keep more of
 * those reads in flight. Line sizes as measured by make sort-phases on
 * 16M keys, the scatter phase: streamed lines of 256 bytes split uint32
 * keys about a fifth faster than lines of 64 (26-28 ms against 34-35) and
 * float64 keys about a third faster (37-45 ms against 60). WebAssembly has
 * no streaming stores, and there longer lines pay: 16M uint32 keys split
 * in 67-70 ms with lines of 256 bytes, 50 with 512, 46-47 with 1 KiB and
 * 41-42 with 2 KiB, copied out as 16-byte vectors (43 with memcpy); 4 KiB
 * were no faster. */
#if defined(__SSE2__) && !defined(__wasm__)
#include <emmintrin.h>
#define TC__HAVE_STREAM 1
#define TC__SORT_WC_BYTES 256
#elif defined(__wasm__)
#define TC__HAVE_STREAM 0
#define TC__SORT_WC_BYTES 2048
#else
#define TC__HAVE_STREAM 0
#define TC__SORT_WC_BYTES 256
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TC__INLINE inline __attribute__((always_inline))
#else
#define TC__INLINE inline
#endif
/* Functions that stay out of line in WebAssembly only (see
 * tc__leaf_any), as long as the link's optimiser keeps them so
 * (WASM_INLINE in the Makefile); natively they are inlined like the
 * rest. */
#if defined(__wasm__)
#define TC__WASM_APART __attribute__((noinline))
#else
#define TC__WASM_APART TC__INLINE
#endif

enum { TC__KIND_UINT, TC__KIND_INT, TC__KIND_FLOAT };
/* What tc__count_range() found. */
enum { TC__COUNTED, TC__LEAFY, TC__EQUAL, TC__STOPPED };

/* Up to this many elements, insertion sort on the keys beats the passes. */
#define TC__SORT_SMALL 64
/* Ranges of up to this many keys end in one split and one insertion sort
 * (see tc__tail), with up to TC__SORT_TAIL_BUCKETS buckets, as long as
 * every bucket holds fewer than TC__SORT_TAIL_RUN keys. So do ranges of up to
 * TC__SORT_TAIL_WIDE keys that still vary above their low three digits:
 * split on a whole digit, they would leave 256 buckets of a few dozen keys
 * each for insertion sorts whose every key mispredicts a branch (float64
 * data in narrow clusters: a cluster's keys vary over 30-odd low bits). */
#define TC__SORT_TAIL 2048
#define TC__SORT_TAIL_WIDE 8192
#define TC__SORT_TAIL_BUCKETS 16384
#define TC__SORT_TAIL_RUN 16
_Static_assert((TC__SORT_TAIL_RUN & (TC__SORT_TAIL_RUN - 1)) == 0,
               "tc__tail() tests the bits of its counts");
/* Bits per digit of the LSD passes that sort a range in cache (see
 * tc__leaf). In WebAssembly, two passes of 12 bits beat three of 8: of a
 * 16M-key sort, the buckets sorted in cache took 74 ms against 79 for
 * uint32 and 74 against 82 for int32 (make sort-phases, the leaf out of
 * line). Natively they do not: 61-62 ms either way. */
#if defined(__wasm__)
#define TC__SORT_LEAF_BITS 12
#else
#define TC__SORT_LEAF_BITS 8
#endif
/* Counts of the leaf's digits: as many tables as digits over 24 bits. */
#define TC__SORT_LEAF_COUNTS                                    \
  ((size_t)((24 + TC__SORT_LEAF_BITS - 1) / TC__SORT_LEAF_BITS) \
   << TC__SORT_LEAF_BITS)
/* Keys of a range that tc__count_range() looks at before it counts, for
 * the bits where they differ (every (m / TC__SORT_SAMPLE)th of m keys: 64
 * to 127 of them): where the first count of a range was on a digit that
 * did not split it, counting again cost a pass over its keys (a 16M-key
 * float64 sort counted 57M keys in its ranges on clustered data, 27M of
 * them in vain, and 33M on random data, 16M in vain). The whole input is
 * not sampled so: floats uniform in [0, 1) have exponents down to 2^-24
 * in 16M keys, which a sample misses, and the count it aimed went again,
 * out of cache (the sort took one pass more). */
#define TC__SORT_SAMPLE 64
_Static_assert(TC__SORT_SAMPLE <= TC__SORT_SMALL,
               "a range that tc__range() counts holds a sample's keys");
/* Elements between two looks at the cancel flag. */
#define TC__SORT_CHUNK ((size_t)1 << 16)
/* From this many elements on, a first pass on the top digit cuts the data
 * into buckets that fit in cache before the LSD passes. */
#define TC__SORT_MSD_MIN ((size_t)1 << 18)
/* A wide top split (tc__wide_cut) keeps a byte per value of a 16-bit digit
 * in tc__tail()'s counts, and counts those values in the keys' other
 * buffer: the whole of it, or a part's stretch, which holds at least a
 * chunk of keys since tc__sort_parts() makes no more parts than chunks. */
_Static_assert(TC__SORT_CHUNK * 4 >= 65536 * 4,
               "a stretch holds 16-bit counts");
_Static_assert(TC__SORT_TAIL_BUCKETS * 4 >= 65536, "room for a 16-bit map");
_Static_assert(TC__SORT_MSD_MIN * 4 >= 65536 * 4, "room for 16-bit counts");
/* Scatters of at least this many bytes stage their keys in lines. Without
 * streaming stores, a range that fits in the last-level cache scatters
 * faster without them. */
#if TC__HAVE_STREAM
#define TC__SORT_WC_MIN ((size_t)1 << 20)
#else
#define TC__SORT_WC_MIN ((size_t)16 << 20)
#endif
/* Scatters of at least this many bytes write their lines past the cache. */
#define TC__SORT_STREAM_MIN ((size_t)1 << 20)

/* Counts of a digit with nb buckets into exclusive prefix sums from base:
 * where each bucket starts. */
static void tc__offsets_n(size_t *c, size_t nb, size_t base) {
  size_t sum = base;
  for (size_t b = 0; b < nb; b++) {
    size_t t = c[b];
    c[b] = sum;
    sum += t;
  }
}

/* The same for a digit of 8 bits. */
static void tc__offsets(size_t *c, size_t base) {
  tc__offsets_n(c, 256, base);
}

#define TC__W 32
#define TC__U uint32_t
#define TC__FOFF ((uint32_t)0x007FFFFFu)
#define TC__FN(x) x##_32
#include "sort_impl.h"
#undef TC__W
#undef TC__U
#undef TC__FOFF
#undef TC__FN

#define TC__W 64
#define TC__U uint64_t
#define TC__FOFF ((uint64_t)0x000FFFFFFFFFFFFFull)
#define TC__FN(x) x##_64
#include "sort_impl.h"
#undef TC__W
#undef TC__U
#undef TC__FOFF
#undef TC__FN

tc_status tc__sort_scratch(size_t n, size_t width, size_t *bytes) {
  size_t keys, total;
  /* one 256-entry count table per 8-bit digit, width digits; for large
   * inputs also tc__leaf()'s counts, 256 write-combining lines and
   * tc__tail()'s counts */
  size_t counts = width * 256 * sizeof(size_t);
  if (n >= TC__SORT_MSD_MIN)
    counts += TC__SORT_LEAF_COUNTS * sizeof(size_t) + 256 * TC__SORT_WC_BYTES +
              TC__SORT_TAIL_BUCKETS * sizeof(uint32_t);
  if (tc__mul_overflow(n, width, &keys) ||
      tc__add_overflow(keys, counts + TC__SCRATCH_ALIGN, &total))
    return TC_EOVERFLOW;
  *bytes = total;
  return TC_OK;
}

tc_status tc_sort(tc_dtype dtype, const void *in, void *out, size_t n,
                  void *scratch, const int32_t *cancel) {
  switch (dtype) {
    case TC_DTYPE_U32:
      return tc__sort_32(TC__KIND_UINT, in, out, n, scratch, cancel);
    case TC_DTYPE_I32:
      return tc__sort_32(TC__KIND_INT, in, out, n, scratch, cancel);
    case TC_DTYPE_F32:
      return tc__sort_32(TC__KIND_FLOAT, in, out, n, scratch, cancel);
    case TC_DTYPE_F64:
      return tc__sort_64(TC__KIND_FLOAT, in, out, n, scratch, cancel);
    default:
      return TC_EDTYPE;
  }
}

/* ---- split: see the end of sort_impl.h ---- */

static int tc__sort_wide(const tc_job *job) {
  return job->dtype == TC_DTYPE_F64;
}

static tc_status tc__sort_parts(const tc_job *job, size_t want, size_t *parts,
                                size_t *area_len) {
  size_t n = job->in_len / tc_dtype_size(job->dtype);
  return tc__sort_wide(job) ? tc__sort_parts_64(n, want, parts, area_len)
                            : tc__sort_parts_32(n, want, parts, area_len);
}

static int tc__sort_kind_of(int dtype) {
  return dtype == TC_DTYPE_U32   ? TC__KIND_UINT
         : dtype == TC_DTYPE_I32 ? TC__KIND_INT
                                 : TC__KIND_FLOAT;
}

static tc_status tc__sort_begin(tc_job *job, tc__split_t *s) {
  int kind = tc__sort_kind_of(job->dtype);
  return tc__sort_wide(job) ? tc__split_begin_64(kind, job, s)
                            : tc__split_begin_32(kind, job, s);
}

static tc_status tc__sort_part(tc_job *job, tc__split_t *s, size_t part) {
  return tc__sort_wide(job) ? tc__split_part_run_64(job, s, part)
                            : tc__split_part_run_32(job, s, part);
}

static tc_status tc__sort_next(tc_job *job, tc__split_t *s) {
  return tc__sort_wide(job) ? tc__split_next_64(job, s)
                            : tc__split_next_32(job, s);
}

const tc__splitter_t tc__sort_splitter = {tc__sort_parts, tc__sort_begin,
                                          tc__sort_part, tc__sort_next};
