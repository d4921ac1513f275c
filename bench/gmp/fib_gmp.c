/*
 * fib_gmp times GMP's mpz_fib_ui followed by mpz_get_str(base 10), the
 * reference that scripts/bench-fib.sh compares the Go engine against.
 *
 * Usage: fib_gmp N RUNS
 *
 * It prints one line per run, "ms=<milliseconds per job>", then one line
 * "digits=<count> head=<first 10> tail=<last 10> sum=<FNV-1a of the digits>".
 * Build: gcc -O2 -o fib_gmp fib_gmp.c -lgmp
 */
#include <gmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* MIN_RUN_MS is the shortest timed run; fibbench uses the same. */
#define MIN_RUN_MS 2.0

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* FNV-1a over the decimal digits, matching the Go benchmark program. */
static uint64_t fnv1a(const char *s, size_t len) {
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s N RUNS\n", argv[0]);
        return 2;
    }
    unsigned long n = strtoul(argv[1], NULL, 10);
    int runs = atoi(argv[2]);
    if (runs < 1) {
        fprintf(stderr, "fib_gmp: RUNS must be at least 1, got %s\n", argv[2]);
        return 2;
    }

    char *last = NULL;
    for (int r = 0; r < runs; r++) {
        /* Short jobs repeat until MIN_RUN_MS has passed, and the run reports
         * the mean, as the Go benchmark program does. */
        int count = 0;
        double start = now_ms(), elapsed;
        do {
            mpz_t f;
            mpz_init(f);
            mpz_fib_ui(f, n);
            free(last);
            last = mpz_get_str(NULL, 10, f);
            mpz_clear(f);
            count++;
            elapsed = now_ms() - start;
        } while (elapsed < MIN_RUN_MS);
        printf("ms=%.4f\n", elapsed / count);
        fflush(stdout);
    }

    size_t len = strlen(last);
    char head[11] = {0}, tail[11] = {0};
    strncpy(head, last, len < 10 ? len : 10);
    strncpy(tail, last + (len < 10 ? 0 : len - 10), 10);
    printf("digits=%zu head=%s tail=%s sum=%016llx\n", len, head, tail,
           (unsigned long long)fnv1a(last, len));

    free(last);
    return 0;
}
