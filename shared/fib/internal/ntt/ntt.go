// Package ntt implements number-theoretic transforms of power-of-two length
// over the prime field of Modulus, used to multiply long integers exactly.
//
// Forward is a decimation-in-frequency transform that takes coefficients in
// natural order and leaves the values in bit-reversed order, and Inverse is
// the matching decimation-in-time transform that takes bit-reversed values
// and returns natural order. A convolution therefore needs no bit-reversal
// pass: Forward both inputs, multiply pointwise, Inverse the product.
package ntt

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
)

// MaxLen is the longest supported transform: Modulus - 1 is divisible by
// 2^32, so roots of unity of larger power-of-two order do not exist.
const MaxLen = 1 << 32

// cachedLen is the longest table that TableFor keeps for reuse, 8 MiB of
// roots. Longer tables are built per call, so that one large job does not
// leave its table behind in a long-running process.
const cachedLen = 1 << 20

// leafLen is the length below which the transforms run layer by layer
// instead of recursing; 1024 values take 8 KiB and stay in the L1 cache.
const leafLen = 1 << 10

// checkLen is the shortest recursion level that polls the context, so a
// cancelled transform stops after at most one pass of that many values.
const checkLen = 1 << 16

// Table holds the powers of the roots of unity that transforms of length up
// to Len need. Its methods do not modify it, so one Table may serve
// concurrent transforms.
type Table struct {
	// roots[h+j] is w^j for j < h, where w is a primitive root of unity of
	// order 2h. The roots of every shorter transform are a prefix.
	roots []uint64
}

var (
	cacheMu sync.Mutex
	cache   *Table
)

// NewTable builds the roots for transforms of length up to n, a power of
// two between 2 and MaxLen.
func NewTable(n int) (*Table, error) {
	if err := checkTableLen(n); err != nil {
		return nil, err
	}

	roots := make([]uint64, n)
	for h := 1; h < n; h <<= 1 {
		w := pow(generator, (Modulus-1)/uint64(2*h))
		x := uint64(1)
		for j := range h {
			roots[h+j] = x
			x = mul(x, w)
		}
	}
	return &Table{roots: roots}, nil
}

// TableFor returns a table for transforms of length up to n, a power of two
// between 2 and MaxLen. Tables up to 2^20 entries are cached and shared.
func TableFor(n int) (*Table, error) {
	if err := checkTableLen(n); err != nil {
		return nil, err
	}
	if n > cachedLen {
		return NewTable(n)
	}

	cacheMu.Lock()
	defer cacheMu.Unlock()

	if cache != nil && cache.Len() >= n {
		return cache, nil
	}
	t, err := NewTable(max(n, 1<<12))
	if err != nil {
		return nil, err
	}
	cache = t
	return t, nil
}

func checkTableLen(n int) error {
	if n < 2 || uint64(n) > MaxLen || n&(n-1) != 0 {
		return fmt.Errorf("ntt: invalid table length %d, want a power of two in [2, %d]", n, uint64(MaxLen))
	}
	return nil
}

// Len returns the longest transform the table supports.
func (t *Table) Len() int { return len(t.roots) }

// Len returns the transform length for a product with n coefficients: the
// smallest power of two that is at least n, and at least 2.
func Len(n int) int {
	if n <= 2 {
		return 2
	}
	return 1 << bits.Len(uint(n-1))
}

func (t *Table) check(x []uint64) {
	n := len(x)
	if n < 2 || n&(n-1) != 0 || n > len(t.roots) {
		panic(fmt.Sprintf("ntt: transform length %d is not a power of two in [2, %d]", n, len(t.roots)))
	}
}

// Forward replaces x, whose length is a power of two no longer than the
// table, by its transform in bit-reversed order. It returns ctx.Err() if
// ctx is done before the transform completes, leaving x partly transformed.
func (t *Table) Forward(ctx context.Context, x []uint64) error {
	t.check(x)
	return t.forward(ctx, x)
}

// Inverse undoes Forward up to a factor of len(x): it replaces the
// bit-reversed values x by len(x) times the coefficients, in natural order.
// It returns ctx.Err() if ctx is done before the transform completes.
func (t *Table) Inverse(ctx context.Context, x []uint64) error {
	t.check(x)
	return t.inverse(ctx, x)
}

func (t *Table) forward(ctx context.Context, x []uint64) error {
	n := len(x)
	if n <= leafLen {
		t.forwardLeaf(x)
		return nil
	}
	if n >= checkLen {
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	h := n / 2
	lo, hi := x[:h], x[h:n]
	forwardLayer(lo, hi, t.roots[h:n])

	if err := t.forward(ctx, lo); err != nil {
		return err
	}
	return t.forward(ctx, hi)
}

func (t *Table) forwardLeaf(x []uint64) {
	n := len(x)
	for h := n / 2; h >= 2; h >>= 1 {
		w := t.roots[h : 2*h]
		for s := 0; s < n; s += 2 * h {
			forwardLayer(x[s:s+h], x[s+h:s+2*h], w)
		}
	}
	for s := 0; s+1 < n; s += 2 {
		a, b := x[s], x[s+1]
		x[s], x[s+1] = add(a, b), sub(a, b)
	}
}

// forwardLayer combines the halves lo and hi with the roots w = roots[h:2h].
func forwardLayer(lo, hi, w []uint64) {
	hi, w = hi[:len(lo)], w[:len(lo)]
	for j := range lo {
		a, b := lo[j], hi[j]
		lo[j] = add(a, b)
		hi[j] = mul(sub(a, b), w[j])
	}
}

// The inverse transform needs w^-j. Because w^(2h) = 1 and w^h = -1,
// w^-j = w^(2h-j) = -w^(h-j) = -roots[2h-j] for 0 < j < h. The butterfly
// therefore multiplies by roots[2h-j] and swaps the sum and the difference,
// so no second table is needed.

func (t *Table) inverse(ctx context.Context, x []uint64) error {
	n := len(x)
	if n <= leafLen {
		t.inverseLeaf(x)
		return nil
	}
	if n >= checkLen {
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	h := n / 2
	lo, hi := x[:h], x[h:n]
	if err := t.inverse(ctx, lo); err != nil {
		return err
	}
	if err := t.inverse(ctx, hi); err != nil {
		return err
	}
	inverseLayer(lo, hi, t.roots[h:n])
	return nil
}

// inverseLayer combines the halves lo and hi with the roots w = roots[h:2h].
func inverseLayer(lo, hi, w []uint64) {
	a, b := lo[0], hi[0]
	lo[0], hi[0] = add(a, b), sub(a, b)

	h := len(lo)
	hi = hi[:h]
	for j := 1; j < h; j++ {
		a, c := lo[j], mul(hi[j], w[h-j])
		lo[j] = sub(a, c)
		hi[j] = add(a, c)
	}
}

func (t *Table) inverseLeaf(x []uint64) {
	n := len(x)
	for s := 0; s+1 < n; s += 2 {
		a, b := x[s], x[s+1]
		x[s], x[s+1] = add(a, b), sub(a, b)
	}
	for h := 2; h < n; h <<= 1 {
		w := t.roots[h : 2*h]
		for s := 0; s < n; s += 2 * h {
			inverseLayer(x[s:s+h], x[s+h:s+2*h], w)
		}
	}
}

// Square replaces each x[i] by x[i]^2 * scale mod Modulus.
func Square(x []uint64, scale uint64) {
	for i, v := range x {
		x[i] = mul(mul(v, v), scale)
	}
}

// MulInto replaces each x[i] by x[i] * y[i] * scale mod Modulus. It panics
// if y is shorter than x.
func MulInto(x, y []uint64, scale uint64) {
	y = y[:len(x)]
	for i, v := range x {
		x[i] = mul(mul(v, y[i]), scale)
	}
}

// InverseLen returns the inverse of n modulo Modulus, the scale that turns
// the output of Inverse into the coefficients for a transform of length n.
func InverseLen(n int) uint64 {
	return inverse(uint64(n) % Modulus)
}
