/*
 * fib_gmp times GMP's mpz_fib_ui followed by mpz_get_str(base 10), the
 * reference that scripts/bench-fib.sh compares the Go engine against.
 *
 * Usage: fib_gmp N RUNS [DIGEST_FILE]
 *
 * It prints one line per run, "ms=<milliseconds>", then one line
 * "digits=<count> head=<first 10> tail=<last 10> sum=<digest>". When
 * DIGEST_FILE is given, the decimal string of F(N) is written there too.
 */
#include <gmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    if (argc < 3) {
        fprintf(stderr, "usage: %s N RUNS [DIGEST_FILE]\n", argv[0]);
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
        mpz_t f;
        double start = now_ms();
        mpz_init(f);
        mpz_fib_ui(f, n);
        char *s = mpz_get_str(NULL, 10, f);
        double elapsed = now_ms() - start;
        mpz_clear(f);
        printf("ms=%.3f\n", elapsed);
        fflush(stdout);
        free(last);
        last = s;
    }

    size_t len = strlen(last);
    char head[11] = {0}, tail[11] = {0};
    strncpy(head, last, len < 10 ? len : 10);
    strncpy(tail, last + (len < 10 ? 0 : len - 10), 10);
    printf("digits=%zu head=%s tail=%s sum=%016llx\n", len, head, tail,
           (unsigned long long)fnv1a(last, len));

    if (argc > 3) {
        FILE *out = fopen(argv[3], "w");
        if (out == NULL || fwrite(last, 1, len, out) != len || fclose(out) != 0) {
            perror("fib_gmp: writing digest file");
            return 1;
        }
    }
    free(last);
    return 0;
}
