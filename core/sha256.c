/* SHA-256 as specified by FIPS 180-4: portable C over bytes (any
 * alignment, any endianness), and on x86-64 CPUs with the SHA extensions
 * the same compression function with those instructions, picked at run
 * time. Both give the digest the standard defines. */
#include <string.h>

#include "tc_internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__EMSCRIPTEN__)
#define TC__SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* Blocks hashed between two looks at the cancel flag: 256 KiB. */
#define TC__SHA256_CHUNK_BLOCKS 4096

/* K (4.2.2), aligned for the vector loads of the portable function. */
__attribute__((aligned(16))) static const uint32_t tc__sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t tc__rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32u - n));
}

static inline void tc__store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* The portable compression function keeps the message schedule in 16-byte
 * vectors (GCC/clang vector extensions: simd128 in the wasm build, SSE2 or
 * NEON natively), four words of W at a time, and the rounds in scalar
 * registers. The two run on different execution units, so the schedule
 * costs the rounds little. */
typedef uint32_t tc__v4u __attribute__((vector_size(16)));
typedef uint64_t tc__v2u64 __attribute__((vector_size(16)));
typedef uint8_t tc__v16u8 __attribute__((vector_size(16)));

/* Lanes i0..i3 of the eight lanes of a then b. */
#if defined(__clang__)
#define TC__SHUF4(a, b, i0, i1, i2, i3) \
  __builtin_shufflevector(a, b, i0, i1, i2, i3)
#else
#define TC__SHUF4(a, b, i0, i1, i2, i3) \
  __builtin_shuffle(a, b, (tc__v4u){i0, i1, i2, i3})
#endif

/* The 32-bit lane that holds the low half of a 64-bit lane. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TC__LO32 1
#else
#define TC__LO32 0
#endif

/* Four big-endian words from p (any alignment). */
static inline tc__v4u tc__vload_be(const uint8_t *p) {
  tc__v4u v;
  memcpy(&v, p, 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return v;
#elif defined(__wasm_simd128__)
  /* One i8x16.shuffle. */
  return (tc__v4u)__builtin_shufflevector((tc__v16u8)v, (tc__v16u8)v, 3, 2, 1,
                                          0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14,
                                          13, 12);
#else
  /* Shifts: baseline x86-64 (SSE2) has no byte shuffle. */
  return v << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24;
#endif
}

/* sigma0 of FIPS 180-4 (4.6) in every lane. */
static inline tc__v4u tc__vsigma0(tc__v4u x) {
  return (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ x >> 3;
}

/* sigma1 (4.7) of two words given as {x, x, y, y}: a 64-bit lane that holds
 * a word twice shifted right by n holds the word rotated right by n in its
 * low half, so two 64-bit shifts make the two rotations. The results are in
 * lanes TC__LO32 and TC__LO32 + 2. */
static inline tc__v4u tc__vsigma1_2(tc__v4u xxyy) {
  tc__v2u64 q = (tc__v2u64)xxyy;
  return (tc__v4u)(q >> 17 ^ q >> 19) ^ xxyy >> 10;
}

/* W[t..t+3] from x0 = W[t-16..t-13], x1, x2, x3 = W[t-4..t-1] (6.2.2 step
 * 1). W[t+2] and W[t+3] need sigma1 of W[t] and W[t+1], so sigma1 is taken
 * of two words, twice. */
static inline tc__v4u tc__vschedule(tc__v4u x0, tc__v4u x1, tc__v4u x2,
                                    tc__v4u x3) {
  const tc__v4u z = {0, 0, 0, 0};
  tc__v4u s = x0 + tc__vsigma0(TC__SHUF4(x0, x1, 1, 2, 3, 4)) +
              TC__SHUF4(x2, x3, 1, 2, 3, 4);
  tc__v4u lo = tc__vsigma1_2(TC__SHUF4(x3, x3, 2, 2, 3, 3));
  s += TC__SHUF4(lo, z, TC__LO32, TC__LO32 + 2, 4, 4);
  tc__v4u hi = tc__vsigma1_2(TC__SHUF4(s, s, 0, 0, 1, 1));
  s += TC__SHUF4(z, hi, 0, 0, TC__LO32 + 4, TC__LO32 + 6);
  return s;
}

/* One round (6.2.2 steps 3 and 4) with the working variables rotated by
 * renaming instead of by moves. wk[i] is W[i] + K[i]. Ch(e,f,g) is
 * g ^ (e & (f ^ g)) and Maj(a,b,c) is b ^ ((a ^ b) & (b ^ c)), where b ^ c
 * is the previous round's a ^ b, kept in bc: three operations each. */
#define TC__SHA256_ROUND(a, b, c, d, e, f, g, h, i)                      \
  do {                                                                   \
    uint32_t t1 = h + wk[i] + (g ^ (e & (f ^ g))) +                      \
                  (tc__rotr(e, 6) ^ tc__rotr(e, 11) ^ tc__rotr(e, 25));  \
    uint32_t ab = a ^ b;                                                 \
    uint32_t t2 = (tc__rotr(a, 2) ^ tc__rotr(a, 13) ^ tc__rotr(a, 22)) + \
                  (b ^ (ab & bc));                                       \
    bc = ab;                                                             \
    d += t1;                                                             \
    h = t1 + t2;                                                         \
  } while (0)

/* Rounds 4j..4j+3, x holding W[4j..4j+3]. W + K goes to wk first; with
 * SCHED, x becomes W[4j+16..4j+19] from x and the three vectors after it
 * (y, z, u) while the scalar rounds run. */
#define TC__SHA256_GROUP(SCHED, j, x, y, z, u, a, b, c, d, e, f, g, h) \
  do {                                                                 \
    tc__v4u xk = x + kv[j];                                            \
    memcpy(&wk[4 * (j)], &xk, 16);                                     \
    if (SCHED) x = tc__vschedule(x, y, z, u);                          \
    TC__SHA256_ROUND(a, b, c, d, e, f, g, h, 4 * (j));                 \
    TC__SHA256_ROUND(h, a, b, c, d, e, f, g, 4 * (j) + 1);             \
    TC__SHA256_ROUND(g, h, a, b, c, d, e, f, 4 * (j) + 2);             \
    TC__SHA256_ROUND(f, g, h, a, b, c, d, e, 4 * (j) + 3);             \
  } while (0)

/* Hash nblocks 64-byte blocks into state. W + K is written to wk and read
 * back by the rounds, and the first 48 rounds are a loop whose index picks
 * the words: so the compilers keep wk in memory, where each round reads its
 * word as an operand, instead of taking every word out of a vector register
 * lane by lane (measured slower in both builds). */
static void tc__sha256_blocks(uint32_t state[8], const uint8_t *p,
                              size_t nblocks) {
  /* K read as vectors: the table is aligned for them and never written. */
  const tc__v4u *kv = (const tc__v4u *)(const void *)tc__sha256_k;
  uint32_t wk[64];
  while (nblocks-- > 0) {
    tc__v4u x0 = tc__vload_be(p), x1 = tc__vload_be(p + 16);
    tc__v4u x2 = tc__vload_be(p + 32), x3 = tc__vload_be(p + 48);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    uint32_t bc = b ^ c;
    /* Rounds 0..47 compute W[16..63]; 48..63 use the last four vectors. */
    for (int j = 0; j < 12; j += 4) {
      TC__SHA256_GROUP(1, j, x0, x1, x2, x3, a, b, c, d, e, f, g, h);
      TC__SHA256_GROUP(1, j + 1, x1, x2, x3, x0, e, f, g, h, a, b, c, d);
      TC__SHA256_GROUP(1, j + 2, x2, x3, x0, x1, a, b, c, d, e, f, g, h);
      TC__SHA256_GROUP(1, j + 3, x3, x0, x1, x2, e, f, g, h, a, b, c, d);
    }
    TC__SHA256_GROUP(0, 12, x0, x1, x2, x3, a, b, c, d, e, f, g, h);
    TC__SHA256_GROUP(0, 13, x1, x2, x3, x0, e, f, g, h, a, b, c, d);
    TC__SHA256_GROUP(0, 14, x2, x3, x0, x1, a, b, c, d, e, f, g, h);
    TC__SHA256_GROUP(0, 15, x3, x0, x1, x2, e, f, g, h, a, b, c, d);
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
    p += 64;
  }
}

#ifdef TC__SHA_NI
/* The compression function with SHA-NI. The instructions keep the state as
 * two vectors, ABEF and CDGH; each sha256rnds2 does two rounds, taking the
 * two message-plus-constant words from the low half of its third operand;
 * sha256msg1/sha256msg2 extend the message schedule four words at a
 * time. */
__attribute__((target("sha,sse4.1"))) static void tc__sha256_blocks_ni(
    uint32_t state[8], const uint8_t *p, size_t nblocks) {
  const __m128i bswap =
      _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
  __m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)&state[0]);
  __m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)&state[4]);
  /* a b c d / e f g h (low lane first) into ABEF / CDGH as the
   * instructions want them: lanes f e b a / h g d c. */
  __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
  __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
  __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
  __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);

  while (nblocks-- > 0) {
    __m128i w[4];
    __m128i abef0 = abef, cdgh0 = cdgh;
    for (int g = 0; g < 16; g++) {
      __m128i wg, mk;
      if (g < 4) {
        wg = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)),
            bswap);
      } else {
        /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], 4 at once:
         * msg1 adds s0 to W[t-16..t-13], alignr brings W[t-7..t-4], msg2
         * adds s1 of the words just before. */
        __m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        t = _mm_add_epi32(t,
                          _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
        wg = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
      }
      w[g & 3] = wg;
      mk = _mm_add_epi32(
          wg,
          _mm_loadu_si128((const __m128i *)(const void *)&tc__sha256_k[4 * g]));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, mk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(mk, 0x0E));
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
    p += 64;
  }
  /* Back to a b c d / e f g h. */
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  abcd = _mm_blend_epi16(feba, dchg, 0xF0);
  efgh = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128((__m128i *)(void *)&state[0], abcd);
  _mm_storeu_si128((__m128i *)(void *)&state[4], efgh);
}
#endif

/* Whether the CPU has the SHA extensions and the SSSE3 and SSE4.1 the
 * function above also uses (asked of cpuid itself: clang's
 * __builtin_cpu_supports does not know "sha"), and TWINCORE_SIMD is not
 * scalar (any other cap keeps them: they are 16-byte code). Asked once: in
 * a virtual machine cpuid traps to the hypervisor, which here took about
 * 16 µs, more than hashing a few KiB. Threads racing on the first call
 * store the same answer. */
static int tc__sha256_has_ni(void) {
#ifdef TC__SHA_NI
  static int32_t known; /* 0: not asked yet; 1: no; 2: yes */
  int32_t k = TC__LOAD_RELAXED(&known);
  if (k == 0) {
    unsigned a, b, c, d;
    int yes = tc__simd_cap_bytes() != 0 &&
              __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) &&
              __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) &&
              (c & (1u << 19));
    k = yes ? 2 : 1;
    TC__STORE_RELAXED(&known, k);
  }
  return k == 2;
#else
  return 0;
#endif
}

const char *tc__sha256_path(void) {
  return tc__sha256_has_ni() ? "sha-ni" : "scalar";
}

/* The compression function this CPU runs fastest, or with portable set
 * the portable one. */
static void tc__sha256_compress(uint32_t state[8], const uint8_t *p,
                                size_t nblocks, int portable) {
#ifdef TC__SHA_NI
  if (!portable && tc__sha256_has_ni()) {
    tc__sha256_blocks_ni(state, p, nblocks);
    return;
  }
#endif
  (void)portable;
  tc__sha256_blocks(state, p, nblocks);
}

static tc_status tc__sha256_run(const uint8_t *in, size_t len, uint8_t out[32],
                                const int32_t *cancel, int portable) {
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t full = len / 64;
  size_t done = 0;
  uint8_t tail[128];
  size_t rest, padded;
  uint64_t bits;

  /* The message length in bits must fit the 64-bit length field. */
  if ((uint64_t)len > UINT64_MAX / 8) return TC_EOVERFLOW;
  bits = (uint64_t)len * 8;

  while (done < full) {
    size_t n = full - done;
    if (n > TC__SHA256_CHUNK_BLOCKS) n = TC__SHA256_CHUNK_BLOCKS;
    if (tc__cancelled(cancel)) return TC_CANCELED;
    tc__sha256_compress(state, in + done * 64, n, portable);
    done += n;
  }

  /* Padding: the remaining bytes, 0x80, zeros, the 64-bit big-endian length;
   * one block if it fits in 56 bytes, two otherwise. */
  rest = len - full * 64;
  if (rest > 0) memcpy(tail, in + full * 64, rest);
  tail[rest] = 0x80;
  padded = rest < 56 ? 64 : 128;
  memset(tail + rest + 1, 0, padded - rest - 1 - 8);
  tc__store_be32(tail + padded - 8, (uint32_t)(bits >> 32));
  tc__store_be32(tail + padded - 4, (uint32_t)bits);
  tc__sha256_compress(state, tail, padded / 64, portable);

  for (int i = 0; i < 8; i++) tc__store_be32(out + 4 * i, state[i]);
  return TC_OK;
}

tc_status tc_sha256(const uint8_t *in, size_t len, uint8_t out[32],
                    const int32_t *cancel) {
  return tc__sha256_run(in, len, out, cancel, 0);
}

/* tc_sha256() with the portable compression function on any CPU: the C
 * tests reach it through this, since on a CPU with SHA-NI nothing else
 * runs it natively. */
tc_status tc__sha256_portable(const uint8_t *in, size_t len, uint8_t out[32],
                              const int32_t *cancel) {
  return tc__sha256_run(in, len, out, cancel, 1);
}
