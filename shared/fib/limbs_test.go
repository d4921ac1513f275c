package fib

import (
	"context"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/shared/fib/internal/ntt"
)

func TestMultiplyMatchesBig(t *testing.T) {
	tests := []struct {
		name   string
		lx, ly int
		allMax bool
	}{
		{name: "one limb", lx: 1, ly: 1},
		{name: "schoolbook", lx: schoolbookLen, ly: 300},
		{name: "transform", lx: schoolbookLen + 1, ly: schoolbookLen + 1},
		{name: "unbalanced transform", lx: 100, ly: 5000},
		{name: "long transform", lx: 40_000, ly: 40_000},
		{name: "largest coefficients", lx: 40_000, ly: 40_000, allMax: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tt.lx), uint64(tt.ly)))
			x, y := randomLimbs(rng, tt.lx, tt.allMax), randomLimbs(rng, tt.ly, tt.allMax)
			m, err := newMultiplier(context.Background(), tt.lx+tt.ly)
			require.NoError(t, err)

			product, err := m.mul(nil, x, y)
			require.NoError(t, err)
			square, err := m.mul(nil, x, x)
			require.NoError(t, err)

			bx, by := toBig(t, x), toBig(t, y)
			assert.Equal(t, new(big.Int).Mul(bx, by).String(), toString(product), "x*y")
			assert.Equal(t, new(big.Int).Mul(bx, bx).String(), toString(square), "x*x")
		})
	}
}

// TestMultiplyRandomLengths covers the choice between plain and wrapped
// transforms, which depends on how far the product length is above a power
// of two.
func TestMultiplyRandomLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	m, err := newMultiplier(context.Background(), 8000)
	require.NoError(t, err)

	for range 60 {
		lx := schoolbookLen + 1 + rng.IntN(3000)
		ly := lx
		if rng.IntN(2) == 0 {
			ly = schoolbookLen + 1 + rng.IntN(3000)
		}
		x, y := randomLimbs(rng, lx, false), randomLimbs(rng, ly, false)
		if ly == lx && rng.IntN(2) == 0 {
			y = x
		}

		got, err := m.mul(nil, x, y)
		require.NoError(t, err)

		want := new(big.Int).Mul(toBig(t, x), toBig(t, y))
		require.Equal(t, want.String(), toString(got), "%d x %d limbs", lx, ly)
	}
}

func TestLimbArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		x, y := randomLimbs(rng, 1+rng.IntN(20), rng.IntN(4) == 0), randomLimbs(rng, 1+rng.IntN(20), rng.IntN(4) == 0)
		bx, by := toBig(t, x), toBig(t, y)
		if bx.Cmp(by) < 0 {
			x, y, bx, by = y, x, by, bx
		}
		k := uint32(rng.IntN(4096))

		require.Equal(t, new(big.Int).Add(bx, by).String(), toString(limbs(nil).add(x, y)), "%v + %v", bx, by)
		require.Equal(t, new(big.Int).Sub(bx, by).String(), toString(limbs(nil).sub(x, y)), "%v - %v", bx, by)
		require.Equal(t, new(big.Int).Mul(bx, big.NewInt(int64(k))).String(), toString(limbs(nil).mulSmall(x, k)), "%v * %d", bx, k)
		require.Equal(t, new(big.Int).Add(bx, big.NewInt(2)).String(), toString(limbs(nil).addSigned(x, 2)), "%v + 2", bx)
	}
}

func TestLimbArithmeticInPlace(t *testing.T) {
	x := limbs{999_999, 999_999}
	x = x.add(x, limbs{1})
	assert.Equal(t, limbs{0, 0, 1}, x)

	x = x.sub(x, limbs{1})
	assert.Equal(t, limbs{999_999, 999_999}, x)

	x = x.mulSmall(x, 4)
	assert.Equal(t, limbs{999_996, 999_999, 3}, x)
}

func TestSubUnderflowPanics(t *testing.T) {
	assert.Panics(t, func() { limbs(nil).sub(limbs{1}, limbs{2}) })
	assert.Panics(t, func() { limbs(nil).sub(limbs{1}, limbs{0, 1}) })
}

func TestAppendDecimalPadsLimbs(t *testing.T) {
	tests := []struct {
		z    limbs
		want string
	}{
		{z: nil, want: "0"},
		{z: limbs{7}, want: "7"},
		{z: limbs{5, 12}, want: "12000005"},
		{z: limbs{999_999, 0, 1}, want: "1000000999999"},
	}

	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendDecimal(nil, tt.z)))
	}
}

func BenchmarkMultiply(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{16, 32, 48, 64, 96, 128, 256} {
		x := randomLimbs(rng, n, false)
		z := make(limbs, 0, 2*n+4)

		b.Run("schoolbook/limbs="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				z = z.carry(schoolbook(x, x))
			}
		})
		b.Run("transform/limbs="+strconv.Itoa(n), func(b *testing.B) {
			m := mustTransformMultiplier(b, 2*n)
			for b.Loop() {
				var err error
				if z, err = m.transform(z, x, x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// mustTransformMultiplier returns a multiplier that can use the transforms
// for products of up to n limbs, however short.
func mustTransformMultiplier(tb testing.TB, n int) *multiplier {
	tb.Helper()

	l := ntt.Len(n)
	table, err := ntt.TableFor(l)
	require.NoError(tb, err)
	return &multiplier{ctx: context.Background(), table: table, x: make([]uint64, l), y: make([]uint64, l)}
}

func randomLimbs(rng *rand.Rand, n int, allMax bool) limbs {
	z := make(limbs, n)
	for i := range z {
		z[i] = limbBase - 1
		if !allMax {
			z[i] = uint32(rng.IntN(limbBase))
		}
	}
	z[n-1] = max(z[n-1], 1)
	return z
}

func toString(z limbs) string {
	return string(appendDecimal(nil, z))
}

func toBig(t testing.TB, z limbs) *big.Int {
	t.Helper()

	s := strings.TrimLeft(toString(z), "0")
	if s == "" {
		s = "0"
	}
	v, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok)
	return v
}

// TestFibBigMatchesEngine checks the math/big path that Decimal takes above
// maxLimbIndex, on indexes small enough to compare with the engine.
func TestFibBigMatchesEngine(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 93, 94, 1000, 12_345, 100_000} {
		f, err := fibBig(context.Background(), n)
		require.NoError(t, err)

		want, err := Decimal(context.Background(), n)
		require.NoError(t, err)
		assert.Equal(t, want, f.String(), "F(%d)", n)
	}
}
