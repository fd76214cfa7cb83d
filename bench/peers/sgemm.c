/* The reference matmul of the bench: OpenBLAS's cblas_sgemm on as many
 * threads as OPENBLAS_NUM_THREADS (set by the caller), C = A.B for n x n
 * float32. Prints one line of JSON: {"n":N,"seconds":[...],"gflops":best},
 * every call's seconds in order (the bench leaves out the first). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1024;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  size_t nn = (size_t)n * (size_t)n;
  float *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b);
  float *c = malloc(nn * sizeof *c);
  double best = 1e30;
  if (!a || !b || !c || n <= 0 || reps <= 0) return 2;
  for (size_t i = 0; i < nn; i++) {
    a[i] = (float)(i % 17) - 8.0f;
    b[i] = (float)(i % 13) * 0.25f;
  }
  printf("{\"n\":%d,\"seconds\":[", n);
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
                b, n, 0.0f, c, n);
    double dt = now() - t0;
    if (dt < best) best = dt;
    printf("%s%.6f", r ? "," : "", dt);
  }
  printf("],\"gflops\":%.3f}\n", 2.0 * n * n * n / best / 1e9);
  free(a);
  free(b);
  free(c);
  return 0;
}
