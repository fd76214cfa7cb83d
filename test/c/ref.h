/* Plain references for the core's kernels (ref.c). */
#ifndef TC_TEST_REF_H
#define TC_TEST_REF_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/tc.h"

/** FIPS 180-4 SHA-256, padding the whole message in one buffer. */
void tct_ref_sha256(const uint8_t *msg, size_t len, uint8_t out[32]);

/** qsort() of n elements of dtype in TypedArray.prototype.sort()'s order,
 * NaNs in the README's order. */
void tct_ref_sort(int dtype, void *data, size_t n);

/** The naive triple loop, NaNs written canonical. */
void tct_ref_matmul(const float *a, const float *b, float *c, size_t m,
                    size_t k, size_t n);

/** Two passes in long double (sum, mean and variance to rounding). */
void tct_ref_stats(const double *x, size_t n, tc_stats_t *s);

#endif /* TC_TEST_REF_H */
