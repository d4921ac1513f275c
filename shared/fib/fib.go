// Package fib computes exact Fibonacci numbers in decimal.
//
// The engine works in base 10^6 from the start, so the result needs no
// binary-to-decimal conversion. At n = 10^7 that conversion takes 5 times
// as long as the Fibonacci computation in GMP 6.2.1 and 1.5 times as long
// in math/big. Products of long numbers use number-theoretic transforms
// modulo 2^64 - 2^32 + 1 (package internal/ntt), and each doubling step
// costs two squarings. See docs/benchmarks.md for measurements and the
// alternatives tried.
package fib

import (
	"context"
	"math/big"
	"math/bits"
	"strconv"
	"unsafe"
)

// maxLimbIndex is the largest index computed in base 10^6. Above it the
// operands of the last product would exceed maxConvLen, so Decimal falls
// back to math/big. F(1e9) has about 2.09e8 digits, 3.5e7 limbs.
const maxLimbIndex = 1_000_000_000

// digitsPerIndex is log10 of the golden ratio: F(n) has about
// n * digitsPerIndex decimal digits.
const digitsPerIndex = 0.20898764024997873

// Decimal returns F(n) in base 10, with F(0) = 0 and F(1) = 1.
//
// It checks ctx between doubling steps and inside the transforms of long
// products, and returns ctx.Err() once ctx is done. The longest stretch
// without a check is one pass over a transform buffer, one carry pass or
// the final conversion to text, each tens of milliseconds of CPU time at
// n = 10^8. Above 1,000,000,000 it uses math/big, where one product can
// run for seconds between checks.
func Decimal(ctx context.Context, n uint64) (string, error) {
	b, err := AppendDecimal(ctx, nil, n)
	if err != nil {
		return "", err
	}
	// The bytes are never written again, so the string can share them
	// instead of copying a result that can be tens of megabytes long.
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// AppendDecimal appends the decimal digits of F(n) to dst and returns the
// extended slice. It checks ctx like Decimal does and returns dst unchanged
// with ctx.Err() once ctx is done.
func AppendDecimal(ctx context.Context, dst []byte, n uint64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return dst, err
	}

	switch {
	case n <= 93: // F(93) is the largest Fibonacci number below 2^64.
		return strconv.AppendUint(dst, small(n), 10), nil
	case n > maxLimbIndex:
		f, err := fibBig(ctx, n)
		if err != nil {
			return dst, err
		}
		return f.Append(dst, 10), nil
	}

	f, err := fibLimbs(ctx, n)
	if err != nil {
		return dst, err
	}
	return appendDecimal(dst, f), nil
}

func small(n uint64) uint64 {
	a, b := uint64(0), uint64(1)
	for range n {
		a, b = b, a+b
	}
	return a
}

// fibLimbs returns F(n) for 2 <= n <= maxLimbIndex.
//
// It walks the bits of n from the top, keeping a = F(k) and b = F(k-1) and
// starting from k = 1. Each bit but the last doubles k with two squarings:
//
//	F(2k-1) = F(k)^2 + F(k-1)^2
//	F(2k+1) = 4 F(k)^2 - F(k-1)^2 + 2(-1)^k
//	F(2k)   = F(2k+1) - F(2k-1)
//
// The last bit needs only F(n), which takes one product:
//
//	F(2k)   = F(k) (F(k) + 2 F(k-1))
//	F(2k+1) = (2 F(k) + F(k-1)) (2 F(k) - F(k-1)) + 2(-1)^k
func fibLimbs(ctx context.Context, n uint64) (limbs, error) {
	size := int(float64(n)*digitsPerIndex)/limbDigits + 4
	m, err := newMultiplier(ctx, size)
	if err != nil {
		return nil, err
	}

	// Every buffer but the result holds at most F(n/2 + 1), about size/2
	// limbs, so it is allocated once at that capacity.
	half := size/2 + 4
	a, b := make(limbs, 1, half), make(limbs, 0, half)
	a[0] = 1
	a2, b2, t := make(limbs, 0, half), make(limbs, 0, half), make(limbs, 0, half)
	odd := true // the parity of k

	top := bits.Len64(n) - 1
	for i := top - 1; i >= 1; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}

		if a2, err = m.mul(a2, a, a); err != nil {
			return nil, err
		}
		if b2, err = m.mul(b2, b, b); err != nil {
			return nil, err
		}
		t = t.add(a2, b2) // F(2k-1)
		a2 = a2.mulSmall(a2, 4)
		a2 = a2.sub(a2, b2)
		a2 = a2.addSigned(a2, plusMinusTwo(odd)) // F(2k+1)
		b2 = b2.sub(a2, t)                       // F(2k)
		freeA, freeB := a, b

		if n>>uint(i)&1 == 1 {
			a, b = a2, b2
		} else {
			a, b, t = b2, t, a2
		}
		a2, b2 = freeA, freeB
		odd = n>>uint(i)&1 == 1
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n&1 == 0 {
		t = t.mulSmall(b, 2)
		t = t.add(t, a) // F(k) + 2 F(k-1)
		return m.mul(make(limbs, 0, len(a)+len(t)+3), a, t)
	}
	a2 = a2.mulSmall(a, 2)
	b2 = b2.add(a2, b) // 2 F(k) + F(k-1)
	t = t.sub(a2, b)   // 2 F(k) - F(k-1)
	result, err := m.mul(make(limbs, 0, len(b2)+len(t)+3), b2, t)
	if err != nil {
		return nil, err
	}
	return result.addSigned(result, plusMinusTwo(odd)), nil
}

func plusMinusTwo(odd bool) int {
	if odd {
		return -2
	}
	return 2
}

// fibBig returns F(n) by fast doubling on math/big, for indexes above
// maxLimbIndex.
func fibBig(ctx context.Context, n uint64) (*big.Int, error) {
	a, b := new(big.Int), big.NewInt(1) // F(k), F(k+1) for k = 0
	t := new(big.Int)
	for i := bits.Len64(n) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}

		// F(2k) = F(k) (2 F(k+1) - F(k)) and F(2k+1) = F(k)^2 + F(k+1)^2.
		t.Lsh(b, 1).Sub(t, a).Mul(t, a)
		a.Mul(a, a)
		b.Mul(b, b).Add(b, a)
		a, t = t, a

		if n>>uint(i)&1 == 1 {
			a.Add(a, b)
			a, b = b, a
		}
	}
	return a, nil
}
