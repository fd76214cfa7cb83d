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

static const uint32_t tc__sha256_k[64] = {
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

static inline uint32_t tc__load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline void tc__store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* One round: t1 and t2 as in FIPS 180-4 section 6.2.2, with the working
 * variables rotated by renaming instead of by moves. */
#define TC__SHA256_ROUND(a, b, c, d, e, f, g, h, i)                          \
  do {                                                                       \
    uint32_t t1 = h + (tc__rotr(e, 6) ^ tc__rotr(e, 11) ^ tc__rotr(e, 25)) + \
                  ((e & f) ^ (~e & g)) + tc__sha256_k[i] + w[i];             \
    uint32_t t2 = (tc__rotr(a, 2) ^ tc__rotr(a, 13) ^ tc__rotr(a, 22)) +     \
                  ((a & b) ^ (a & c) ^ (b & c));                             \
    d += t1;                                                                 \
    h = t1 + t2;                                                             \
  } while (0)

/* Hash nblocks 64-byte blocks into state. */
static void tc__sha256_blocks(uint32_t state[8], const uint8_t *p,
                              size_t nblocks) {
  uint32_t w[64];
  while (nblocks-- > 0) {
    for (int i = 0; i < 16; i++) w[i] = tc__load_be32(p + 4 * i);
    for (int i = 16; i < 64; i++) {
      uint32_t s0 =
          tc__rotr(w[i - 15], 7) ^ tc__rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 =
          tc__rotr(w[i - 2], 17) ^ tc__rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i += 8) {
      TC__SHA256_ROUND(a, b, c, d, e, f, g, h, i);
      TC__SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);
      TC__SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);
      TC__SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);
      TC__SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);
      TC__SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);
      TC__SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);
      TC__SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);
    }
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

/* The compression function this CPU runs fastest. */
static void tc__sha256_compress(uint32_t state[8], const uint8_t *p,
                                size_t nblocks) {
#ifdef TC__SHA_NI
  if (tc__sha256_has_ni()) {
    tc__sha256_blocks_ni(state, p, nblocks);
    return;
  }
#endif
  tc__sha256_blocks(state, p, nblocks);
}

tc_status tc_sha256(const uint8_t *in, size_t len, uint8_t out[32],
                    const int32_t *cancel) {
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
    tc__sha256_compress(state, in + done * 64, n);
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
  tc__sha256_compress(state, tail, padded / 64);

  for (int i = 0; i < 8; i++) tc__store_be32(out + 4 * i, state[i]);
  return TC_OK;
}
