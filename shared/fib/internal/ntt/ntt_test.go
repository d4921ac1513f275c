package ntt

import (
	"context"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edge := []uint64{0, 1, 2, epsilon, epsilon + 1, Modulus - 2, Modulus - 1, 1 << 63, Modulus >> 1}

	for range 20000 {
		a, b := edge[rng.IntN(len(edge))], rng.Uint64N(Modulus)
		if rng.IntN(2) == 0 {
			a = rng.Uint64N(Modulus)
		}

		require.Equal(t, bigMod(a, b, '+'), add(a, b), "add(%d, %d)", a, b)
		require.Equal(t, bigMod(a, b, '-'), sub(a, b), "sub(%d, %d)", a, b)
		require.Equal(t, bigMod(a, b, '*'), mul(a, b), "mul(%d, %d)", a, b)
	}
}

func TestRootsHaveExactOrder(t *testing.T) {
	w := pow(generator, (Modulus-1)>>32)

	assert.Equal(t, uint64(1), pow(w, 1<<32))
	assert.Equal(t, Modulus-1, pow(w, 1<<31))
}

func TestTransformRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "two", n: 2},
		{name: "leaf", n: leafLen},
		{name: "recursive", n: 4 * checkLen},
	}
	table, err := NewTable(4 * checkLen)
	require.NoError(t, err)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(tt.n)))
			want := make([]uint64, tt.n)
			for i := range want {
				want[i] = rng.Uint64N(Modulus)
			}
			x := append([]uint64(nil), want...)

			require.NoError(t, table.Forward(context.Background(), x))
			require.NoError(t, table.Inverse(context.Background(), x))
			scale := InverseLen(tt.n)
			for i := range x {
				x[i] = mul(x[i], scale)
			}
			assert.Equal(t, want, x)
		})
	}
}

func TestConvolutionMatchesSchoolbook(t *testing.T) {
	tests := []struct {
		name   string
		la, lb int
	}{
		{name: "tiny", la: 1, lb: 1},
		{name: "unbalanced", la: 3, lb: 700},
		{name: "leaf boundary", la: leafLen / 2, lb: leafLen / 2},
		{name: "recursive", la: 3000, lb: 2500},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(tt.la)))
			a, b := make([]uint64, tt.la), make([]uint64, tt.lb)
			for i := range a {
				a[i] = rng.Uint64N(Modulus)
			}
			for i := range b {
				b[i] = rng.Uint64N(Modulus)
			}

			want := make([]uint64, tt.la+tt.lb-1)
			for i, x := range a {
				for j, y := range b {
					want[i+j] = add(want[i+j], mul(x, y))
				}
			}

			n := Len(len(want))
			table, err := TableFor(n)
			require.NoError(t, err)
			x, y := make([]uint64, n), make([]uint64, n)
			copy(x, a)
			copy(y, b)
			require.NoError(t, table.Forward(context.Background(), x))
			require.NoError(t, table.Forward(context.Background(), y))
			MulInto(x, y, InverseLen(n))
			require.NoError(t, table.Inverse(context.Background(), x))

			assert.Equal(t, want, x[:len(want)])
			assert.Equal(t, make([]uint64, n-len(want)), x[len(want):])
		})
	}
}

func TestSquareMatchesMulInto(t *testing.T) {
	x := []uint64{0, 1, 5, Modulus - 1, 1 << 40}
	y := append([]uint64(nil), x...)

	Square(x, 3)
	MulInto(y, append([]uint64(nil), y...), 3)

	assert.Equal(t, y, x)
}

func TestTransformCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	table, err := NewTable(checkLen)
	require.NoError(t, err)
	x := make([]uint64, checkLen)

	assert.ErrorIs(t, table.Forward(ctx, x), context.Canceled)
	assert.ErrorIs(t, table.Inverse(ctx, x), context.Canceled)
}

func TestTableRejectsInvalidLength(t *testing.T) {
	maxLen := uint64(MaxLen)
	tooLong := int(2 * maxLen) // wraps to 0 where int has 32 bits, also invalid

	for _, n := range []int{-4, 0, 1, 3, 1000, 1<<20 + 1, tooLong} {
		_, err := NewTable(n)
		assert.Error(t, err, "NewTable(%d)", n)

		_, err = TableFor(n)
		assert.Error(t, err, "TableFor(%d)", n)
	}
}

func TestLen(t *testing.T) {
	tests := []struct{ n, want int }{{0, 2}, {1, 2}, {2, 2}, {3, 4}, {4, 4}, {5, 8}, {1 << 20, 1 << 20}, {1<<20 + 1, 1 << 21}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Len(tt.n), "Len(%d)", tt.n)
	}
}

func bigMod(a, b uint64, op byte) uint64 {
	x, y, p := new(big.Int).SetUint64(a), new(big.Int).SetUint64(b), new(big.Int).SetUint64(Modulus)
	switch op {
	case '+':
		x.Add(x, y)
	case '-':
		x.Sub(x, y)
	case '*':
		x.Mul(x, y)
	}
	return x.Mod(x, p).Uint64()
}

func benchmarkForward(b *testing.B, n int) {
	table, err := NewTable(n)
	require.NoError(b, err)
	x := make([]uint64, n)
	for i := range x {
		x[i] = uint64(i) * 0x9E3779B97F4A7C15 % Modulus
	}

	for b.Loop() {
		if err := table.Forward(context.Background(), x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n/2*bits.Len(uint(n-1))), "ns/butterfly")
}

func BenchmarkForward2e17(b *testing.B) { benchmarkForward(b, 1<<17) }
func BenchmarkForward2e20(b *testing.B) { benchmarkForward(b, 1<<20) }
