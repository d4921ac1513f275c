//go:build bench

package fib_test

import "testing"

// TestDecimalTenMillion takes about a second with the race detector off,
// so it runs only with -tags bench. The expected values were computed with
// Python 3.11 integers and agree with GMP 6.2.1 through bench/gmp/fib_gmp.c.
func TestDecimalTenMillion(t *testing.T) {
	checkDigits(t, 10_000_000, 2089877, "1129834378", "6380546875")
}
