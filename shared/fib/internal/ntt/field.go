package ntt

import "math/bits"

// Modulus is the prime 2^64 - 2^32 + 1. Its multiplicative group has order
// 2^32 * 3 * 5 * 17 * 257 * 65537, so it contains roots of unity of every
// power-of-two order up to 2^32. Because 2^64 ≡ 2^32 - 1 (mod Modulus),
// reducing a 128-bit product takes a few shifts and additions.
const Modulus uint64 = 0xFFFFFFFF00000001

// epsilon is 2^64 mod Modulus.
const epsilon uint64 = 0xFFFFFFFF

// generator generates the multiplicative group modulo Modulus.
const generator uint64 = 7

// The arithmetic below works on canonical residues in [0, Modulus) and is
// branch-free: data-dependent branches in the butterflies mispredict about
// half the time and cost more than the arithmetic.

func add(a, b uint64) uint64 {
	d, borrow := bits.Sub64(a, Modulus-b, 0)
	return d + (Modulus & -borrow)
}

func sub(a, b uint64) uint64 {
	d, borrow := bits.Sub64(a, b, 0)
	return d + (Modulus & -borrow)
}

// mul returns a*b mod Modulus. With the 128-bit product written as
// lo + 2^64*(hl + 2^32*hh), the identities 2^64 ≡ 2^32-1 and 2^96 ≡ -1
// give lo - hh + hl*(2^32-1).
func mul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)

	t0, borrow := bits.Sub64(lo, hi>>32, 0)
	t0 -= epsilon & -borrow // t0 wrapped past zero: take away 2^64 ≡ epsilon.

	r, carry := bits.Add64(t0, (hi&epsilon)*epsilon, 0)
	r += epsilon & -carry // r wrapped past 2^64: add back 2^64 ≡ epsilon.

	c, borrow := bits.Sub64(r, Modulus, 0)
	return c + (Modulus & -borrow)
}

func pow(a, e uint64) uint64 {
	r := uint64(1)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = mul(r, a)
		}
		a = mul(a, a)
	}
	return r
}

func inverse(a uint64) uint64 {
	return pow(a, Modulus-2)
}
