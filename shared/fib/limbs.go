package fib

import (
	"context"
	"fmt"
	"math/bits"
	"slices"

	"github.com/fibstack/fibstack/shared/fib/internal/ntt"
)

// limbBase is the radix of limbs: each limb holds six decimal digits, so
// converting a result to text needs no division of long numbers.
const (
	limbBase   = 1_000_000
	limbDigits = 6
)

// maxConvLen is the longest operand, in limbs, whose product the
// transforms compute exactly. A product coefficient is a sum of at most
// min(len(x), len(y)) terms below limbBase^2, and it must stay below
// ntt.Modulus (about 1.8447e19) together with the carry from the
// coefficient before it, which is below 1.9e13.
const maxConvLen = 18_000_000

// schoolbookLen is the operand length, in limbs, up to which multiplying
// term by term beats the transforms: BenchmarkMultiply puts the crossover
// near 110 limbs for products and 160 for squares.
const schoolbookLen = 128

// limbs is a natural number as little-endian base-10^6 digits with no
// leading zero limb; zero is the empty slice.
type limbs []uint32

func (z limbs) resize(n int) limbs {
	if cap(z) >= n {
		return z[:n]
	}
	return make(limbs, n, n+n/8)
}

func (z limbs) norm() limbs {
	i := len(z)
	for i > 0 && z[i-1] == 0 {
		i--
	}
	return z[:i]
}

// add sets z to x + y and returns it; z may alias x or y.
func (z limbs) add(x, y limbs) limbs {
	if len(x) < len(y) {
		x, y = y, x
	}
	z = z.resize(len(x) + 1)

	var carry uint32
	for i := range y {
		s := x[i] + y[i] + carry
		carry = 0
		if s >= limbBase {
			s -= limbBase
			carry = 1
		}
		z[i] = s
	}
	for i := len(y); i < len(x); i++ {
		s := x[i] + carry
		carry = 0
		if s >= limbBase {
			s -= limbBase
			carry = 1
		}
		z[i] = s
	}
	z[len(x)] = carry
	return z.norm()
}

// sub sets z to x - y and returns it; z may alias x or y. It panics if
// x < y, which would be a bug in the Fibonacci identities that call it.
func (z limbs) sub(x, y limbs) limbs {
	if len(x) < len(y) {
		panic("fib: limbs.sub underflow")
	}
	z = z.resize(len(x))

	var borrow uint32
	for i := range y {
		d := x[i] - y[i] - borrow
		borrow = 0
		if d >= limbBase { // wrapped below zero
			d += limbBase
			borrow = 1
		}
		z[i] = d
	}
	for i := len(y); i < len(x); i++ {
		d := x[i] - borrow
		borrow = 0
		if d >= limbBase {
			d += limbBase
			borrow = 1
		}
		z[i] = d
	}
	if borrow != 0 {
		panic("fib: limbs.sub underflow")
	}
	return z.norm()
}

// mulSmall sets z to x * k for k < 4096 and returns it; z may alias x.
func (z limbs) mulSmall(x limbs, k uint32) limbs {
	z = z.resize(len(x) + 1)

	var carry uint32
	for i, v := range x {
		p := v*k + carry // below 2^32 for k < 4096
		carry = p / limbBase
		z[i] = p - carry*limbBase
	}
	z[len(x)] = carry
	return z.norm()
}

// addSigned sets z to x + d for a small d and returns it; z may alias x.
// The result must not be negative.
func (z limbs) addSigned(x limbs, d int) limbs {
	if d >= 0 {
		return z.add(x, limbs{uint32(d)}.norm())
	}
	return z.sub(x, limbs{uint32(-d)}.norm())
}

// carry turns exact product coefficients into limbs of z and returns z.
func (z limbs) carry(coef []uint64) limbs {
	z = z.resize(len(coef) + 3)

	var carry uint64
	for i, c := range coef {
		v := c + carry
		carry = v / limbBase
		z[i] = uint32(v - carry*limbBase)
	}
	for i := len(coef); i < len(z); i++ {
		z[i] = uint32(carry % limbBase)
		carry /= limbBase
	}
	return z.norm()
}

// multiplier multiplies limbs, keeping the transform buffers of one job.
type multiplier struct {
	ctx   context.Context
	table *ntt.Table
	x, y  []uint64
}

// newMultiplier prepares for products of up to n limbs.
func newMultiplier(ctx context.Context, n int) (*multiplier, error) {
	m := &multiplier{ctx: ctx}
	if n <= 2*schoolbookLen {
		return m, nil
	}

	l := ntt.Len(n)
	table, err := ntt.TableFor(l)
	if err != nil {
		return nil, fmt.Errorf("fib: preparing transforms of length %d: %w", l, err)
	}
	m.table = table
	m.x = make([]uint64, l)
	m.y = make([]uint64, l)
	return m, nil
}

// mul sets z to x * y and returns it. z must not alias x or y. Passing the
// same slice as x and y squares with one transform fewer.
func (m *multiplier) mul(z, x, y limbs) (limbs, error) {
	if len(x) == 0 || len(y) == 0 {
		return z[:0], nil
	}
	if min(len(x), len(y)) > maxConvLen {
		panic(fmt.Sprintf("fib: operands of %d and %d limbs exceed the exact transform bound", len(x), len(y)))
	}

	if min(len(x), len(y)) <= schoolbookLen {
		return z.carry(schoolbook(x, y)), nil
	}
	return m.transform(z, x, y)
}

// transform sets z to x * y through the transforms and returns it.
func (m *multiplier) transform(z, x, y limbs) (limbs, error) {
	coef, err := m.convolve(x, y)
	if err != nil {
		return nil, err
	}
	return z.carry(coef), nil
}

// convolve returns the len(x)+len(y)-1 coefficients of the product x * y
// before carrying, in m.x or, for short operands, in a new slice.
//
// A product of n coefficients needs a transform of length L >= n, and
// rounding n up to a power of two wastes up to half of it. When n is only a
// little above a power of two L/2, a cyclic transform of length L/2 is
// cheaper: it returns c[i] + c[i+L/2] for the w = n - L/2 lowest i, and the
// low coefficients c[0:w] come from the product of x[:w] and y[:w], which
// convolve computes first, recursively, and parks in m.x[L/2:L/2+w].
func (m *multiplier) convolve(x, y limbs) ([]uint64, error) {
	if min(len(x), len(y)) <= schoolbookLen {
		return schoolbook(x, y), nil
	}

	n := len(x) + len(y) - 1
	l := ntt.Len(n)
	if l > len(m.x) {
		panic(fmt.Sprintf("fib: product of %d limbs exceeds the prepared transform length %d", n, len(m.x)))
	}
	square := len(x) == len(y) && &x[0] == &y[0]

	wrap := 0
	if w := n - l/2; max(len(x), len(y)) <= l/2 && wrapCost(l/2, w) < transformCost(l) {
		low, err := m.convolve(x[:min(w, len(x))], y[:min(w, len(y))])
		if err != nil {
			return nil, err
		}
		l /= 2
		wrap = w
		copy(m.x[l:l+wrap], low)
	}

	fx := load(m.x[:l], x)
	if err := m.table.Forward(m.ctx, fx); err != nil {
		return nil, err
	}
	if square {
		ntt.Square(fx, ntt.InverseLen(l))
	} else {
		fy := load(m.y[:l], y)
		if err := m.table.Forward(m.ctx, fy); err != nil {
			return nil, err
		}
		ntt.MulInto(fx, fy, ntt.InverseLen(l))
	}
	if err := m.table.Inverse(m.ctx, fx); err != nil {
		return nil, err
	}

	// Split each wrapped sum c[i] + c[i+l] using the parked c[i]. Both
	// coefficients are below ntt.Modulus, so the difference modulo it is
	// exact.
	for i := range wrap {
		low, sum := m.x[l+i], m.x[i]
		high := sum - low
		if sum < low {
			high += ntt.Modulus
		}
		m.x[i], m.x[l+i] = low, high
	}
	return m.x[:n], nil
}

// transformCost estimates the work of a product through transforms of
// length l, in butterflies.
func transformCost(l int) int {
	return l * bits.Len(uint(l))
}

// wrapCost estimates the work of a product wrapped into length l, with w
// coefficients past l recovered from a product of w-limb operands.
func wrapCost(l, w int) int {
	if w <= schoolbookLen {
		return transformCost(l) + w*w/8
	}
	return transformCost(l) + transformCost(ntt.Len(2*w-1))
}

func load(dst []uint64, x limbs) []uint64 {
	for i, v := range x {
		dst[i] = uint64(v)
	}
	clear(dst[len(x):])
	return dst
}

func schoolbook(x, y limbs) []uint64 {
	if len(x) == len(y) && &x[0] == &y[0] {
		return schoolbookSquare(x)
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	coef := make([]uint64, len(x)+len(y)-1)
	for i, a := range x {
		row := coef[i : i+len(y)]
		for j, b := range y {
			row[j] += uint64(a) * uint64(b)
		}
	}
	return coef
}

// schoolbookSquare computes each cross product x[i]*x[j] once and doubles
// the sum, which saves almost half of the multiplications.
func schoolbookSquare(x limbs) []uint64 {
	coef := make([]uint64, 2*len(x)-1)
	for i, a := range x {
		row := coef[2*i+1 : i+len(x)]
		for j, b := range x[i+1:] {
			row[j] += uint64(a) * uint64(b)
		}
	}
	for i, a := range x {
		coef[2*i] = 2*coef[2*i] + uint64(a)*uint64(a)
		if 2*i+1 < len(coef) {
			coef[2*i+1] *= 2
		}
	}
	return coef
}

// appendDecimal appends the decimal digits of z to dst.
func appendDecimal(dst []byte, z limbs) []byte {
	if len(z) == 0 {
		return append(dst, '0')
	}

	dst = slices.Grow(dst, len(z)*limbDigits)
	top := z[len(z)-1]
	var buf [limbDigits]byte
	i := len(buf)
	for ; top > 0; top /= 10 {
		i--
		buf[i] = byte('0' + top%10)
	}
	dst = append(dst, buf[i:]...)

	start := len(dst)
	dst = dst[:start+(len(z)-1)*limbDigits]
	out := dst[start:]
	for k := len(z) - 2; k >= 0; k-- {
		v := z[k]
		hi, mid, lo := v/10000, v/100%100, v%100
		o := out[:limbDigits]
		o[0], o[1] = digitPairs[2*hi], digitPairs[2*hi+1]
		o[2], o[3] = digitPairs[2*mid], digitPairs[2*mid+1]
		o[4], o[5] = digitPairs[2*lo], digitPairs[2*lo+1]
		out = out[limbDigits:]
	}
	return dst
}

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"
