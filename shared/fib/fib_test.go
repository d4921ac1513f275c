package fib_test

import (
	"context"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/shared/fib"
)

func TestDecimalFirstHundred(t *testing.T) {
	for n, want := range firstHundred {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			got, err := fib.Decimal(context.Background(), uint64(n))

			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestDecimalThousand(t *testing.T) {
	got, err := fib.Decimal(context.Background(), 1000)

	require.NoError(t, err)
	assert.Equal(t, thousand, got)
}

func TestDecimalMatchesIteration(t *testing.T) {
	a, b := big.NewInt(0), big.NewInt(1) // F(n), F(n+1)
	for n := range uint64(5001) {
		got, err := fib.Decimal(context.Background(), n)
		require.NoError(t, err)
		require.Equal(t, a.String(), got, "F(%d)", n)

		a.Add(a, b)
		a, b = b, a
	}
}

// Expected digit counts, heads and tails were computed independently with
// Python 3.11 integers (fast doubling, then str) and agree with GMP 6.2.1
// mpz_fib_ui and mpz_get_str through bench/gmp/fib_gmp.c.
func TestDecimalLargeIndexes(t *testing.T) {
	tests := []struct {
		n          uint64
		digits     int
		head, tail string
	}{
		{n: 10_000, digits: 2090, head: "3364476487", tail: "9947366875"},
		{n: 100_000, digits: 20899, head: "2597406934", tail: "3428746875"},
		{n: 1_000_000, digits: 208988, head: "1953282128", tail: "8242546875"},
	}

	for _, tt := range tests {
		t.Run(strconv.FormatUint(tt.n, 10), func(t *testing.T) {
			checkDigits(t, tt.n, tt.digits, tt.head, tt.tail)
		})
	}
}

func TestDecimalIdentities(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240601, 7))
	tests := []struct {
		name     string
		maxIndex uint64
	}{
		{name: "uint64 range", maxIndex: 93},
		{name: "schoolbook", maxIndex: 2_000},
		{name: "transforms", maxIndex: 300_000},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 4 {
				m := 1 + rng.Uint64N(tt.maxIndex)
				n := 1 + rng.Uint64N(tt.maxIndex)

				// F(m+n) = F(m) F(n+1) + F(m-1) F(n)
				sum := new(big.Int).Mul(mustFib(t, m), mustFib(t, n+1))
				sum.Add(sum, new(big.Int).Mul(mustFib(t, m-1), mustFib(t, n)))
				assert.Zero(t, sum.Cmp(mustFib(t, m+n)), "F(%d+%d)", m, n)

				// Cassini: F(n-1) F(n+1) - F(n)^2 = (-1)^n
				fn := mustFib(t, n)
				cassini := new(big.Int).Mul(mustFib(t, n-1), mustFib(t, n+1))
				cassini.Sub(cassini, fn.Mul(fn, fn))
				want := int64(1 - 2*int(n%2))
				assert.Zero(t, cassini.Cmp(big.NewInt(want)), "Cassini at n=%d", n)
			}
		})
	}
}

func TestAppendDecimalKeepsPrefix(t *testing.T) {
	got, err := fib.AppendDecimal(context.Background(), []byte("F(20)="), 20)

	require.NoError(t, err)
	assert.Equal(t, "F(20)=6765", string(got))
}

func TestDecimalCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	for _, n := range []uint64{0, 50, 1_000_000, 2_000_000_000} {
		got, err := fib.Decimal(ctx, n)

		assert.ErrorIs(t, err, context.Canceled, "n=%d", n)
		assert.Empty(t, got, "n=%d", n)
	}
}

// TestDecimalStopsPromptly cancels jobs that run for seconds and checks that
// Decimal returns soon after, both in the base-10^6 engine (n = 10^8) and in
// the math/big path above its range.
func TestDecimalStopsPromptly(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 160 MiB")
	}
	tests := []struct {
		name  string
		n     uint64
		delay time.Duration
	}{
		{name: "engine", n: 100_000_000, delay: 150 * time.Millisecond},
		{name: "math/big fallback", n: 2_000_000_000, delay: 50 * time.Millisecond},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tt.delay)
			defer cancel()

			start := time.Now()
			got, err := fib.Decimal(ctx, tt.n)
			late := time.Since(start) - tt.delay
			t.Logf("returned %v after the deadline", late)

			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Empty(t, got)
			assert.Less(t, late, 500*time.Millisecond, "returned %v after the deadline", late)
		})
	}
}

func FuzzDecimal(f *testing.F) {
	for _, n := range []uint64{0, 1, 2, 93, 94, 1000, 4097, 65_537} {
		f.Add(n)
	}

	f.Fuzz(func(t *testing.T, n uint64) {
		n %= 200_000 // keeps each input under a few milliseconds

		got, err := fib.Decimal(context.Background(), n)

		require.NoError(t, err)
		require.Equal(t, bigFib(n).String(), got, "F(%d)", n)
	})
}

func BenchmarkDecimal(b *testing.B) {
	for _, n := range []uint64{1_000, 10_000, 100_000, 1_000_000, 10_000_000} {
		b.Run("n="+strconv.FormatUint(n, 10), func(b *testing.B) {
			for b.Loop() {
				if _, err := fib.Decimal(context.Background(), n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBigString times the obvious approach for comparison: fast
// doubling on math/big, then String.
func BenchmarkBigString(b *testing.B) {
	for _, n := range []uint64{1_000, 10_000, 100_000, 1_000_000, 10_000_000} {
		b.Run("n="+strconv.FormatUint(n, 10), func(b *testing.B) {
			for b.Loop() {
				_ = bigFib(n).String()
			}
		})
	}
}

func checkDigits(t *testing.T, n uint64, digits int, head, tail string) {
	t.Helper()

	got, err := fib.Decimal(context.Background(), n)

	require.NoError(t, err)
	require.Len(t, got, digits)
	assert.Equal(t, head, got[:10], "first ten digits")
	assert.Equal(t, tail, got[len(got)-10:], "last ten digits")
}

func mustFib(t *testing.T, n uint64) *big.Int {
	t.Helper()

	s, err := fib.Decimal(context.Background(), n)
	require.NoError(t, err)
	f, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok, "F(%d) is not a decimal number: %.20q", n, s)
	return f
}

// bigFib computes F(n) by fast doubling on math/big, independently of the
// engine.
func bigFib(n uint64) *big.Int {
	a, b := big.NewInt(0), big.NewInt(1) // F(k), F(k+1)
	for i := 63; i >= 0; i-- {
		twoB := new(big.Int).Lsh(b, 1)
		a, b = new(big.Int).Mul(a, twoB.Sub(twoB, a)), new(big.Int).Add(new(big.Int).Mul(a, a), new(big.Int).Mul(b, b))
		if n>>uint(i)&1 == 1 {
			a, b = b, new(big.Int).Add(a, b)
		}
	}
	return a
}
