package integration

import (
	"math"
	"math/big"
	"strings"
)

// The functions here compute Fibonacci numbers with math/big's plain fast
// doubling, independently of the product's engine, to check stored values.

// bigFibonacci returns F(n).
func bigFibonacci(n uint64) *big.Int {
	return fibonacciMod(n, nil)
}

// fibonacciMod returns F(n) mod modulus, or F(n) itself for a nil modulus.
func fibonacciMod(n uint64, modulus *big.Int) *big.Int {
	a, b := big.NewInt(0), big.NewInt(1)
	reduce := func(x *big.Int) {
		if modulus != nil {
			x.Mod(x, modulus)
		}
	}
	for bit := 63; bit >= 0; bit-- {
		// F(2k) = F(k)(2F(k+1) - F(k)), F(2k+1) = F(k)^2 + F(k+1)^2.
		twice := new(big.Int).Lsh(b, 1)
		twice.Sub(twice, a)
		if modulus != nil && twice.Sign() < 0 {
			twice.Add(twice, modulus)
		}
		c := new(big.Int).Mul(a, twice)
		d := new(big.Int).Mul(a, a)
		d.Add(d, new(big.Int).Mul(b, b))
		reduce(c)
		reduce(d)

		if n>>uint(bit)&1 == 1 {
			c.Add(c, d)
			reduce(c)
			a, b = d, c
		} else {
			a, b = c, d
		}
	}
	return a
}

// fibonacciDigits returns the number of decimal digits of F(n) for n >= 2,
// from Binet's formula: F(n) is the integer nearest to phi^n / sqrt(5).
func fibonacciDigits(n uint64) int {
	phi := (1 + math.Sqrt(5)) / 2
	return int(math.Floor(float64(n)*math.Log10(phi)-math.Log10(math.Sqrt(5)))) + 1
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
