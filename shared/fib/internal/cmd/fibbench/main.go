// Command fibbench times fib.Decimal, or plain fast doubling on math/big
// followed by String, for one index. scripts/bench-fib.sh runs it beside the
// GMP program in bench/gmp and compares their outputs.
//
// Usage:
//
//	fibbench -impl engine|bigint|bigfft -n N -runs R
//
// bigint multiplies with math/big and bigfft with
// github.com/remyoudompheng/bigfft; both convert with (*big.Int).String.
//
// It prints one line per run, "ms=<milliseconds per job>", then one line
// "digits=<count> head=<first 10> tail=<last 10> sum=<FNV-1a of the digits>"
// and, for the engine, "peak_heap_mib=<MiB> total_alloc_mib=<MiB>" measured
// on one extra run: the largest heap in use, sampled every millisecond, and
// all bytes allocated during that run.
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math/big"
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/remyoudompheng/bigfft"

	"github.com/fibstack/fibstack/shared/fib"
)

// minRunTime is the shortest timed run; bench/gmp/fib_gmp.c uses the same.
const minRunTime = 2 * time.Millisecond

func main() {
	impl := flag.String("impl", "engine", "implementation to time: engine (fib.Decimal), bigint (math/big fast doubling and String) or bigfft (the same with github.com/remyoudompheng/bigfft products)")
	n := flag.Uint64("n", 1_000_000, "Fibonacci index")
	runs := flag.Int("runs", 5, "number of timed runs")
	flag.Parse()

	if err := run(*impl, *n, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "fibbench:", err)
		os.Exit(1)
	}
}

func run(impl string, n uint64, runs int) error {
	var compute func() (string, error)
	switch impl {
	case "engine":
		compute = func() (string, error) { return fib.Decimal(context.Background(), n) }
	case "bigint":
		compute = func() (string, error) { return fibBig(n, (*big.Int).Mul).String(), nil }
	case "bigfft":
		compute = func() (string, error) { return fibBig(n, mulFFT).String(), nil }
	default:
		return fmt.Errorf("invalid -impl %q, want engine, bigint or bigfft", impl)
	}
	if runs < 1 {
		return fmt.Errorf("invalid -runs %d, want at least 1", runs)
	}

	var s string
	for range runs {
		runtime.GC()

		// Short jobs repeat until minRunTime has passed, and the run
		// reports the mean, so that timer resolution and one-off costs do
		// not dominate.
		count := 0
		start := time.Now()
		for count == 0 || time.Since(start) < minRunTime {
			var err error
			if s, err = compute(); err != nil {
				return err
			}
			count++
		}
		fmt.Printf("ms=%.4f\n", float64(time.Since(start).Nanoseconds())/1e6/float64(count))
	}

	h := fnv.New64a()
	h.Write([]byte(s))
	head, tail := s[:min(10, len(s))], s[max(0, len(s)-10):]
	fmt.Printf("digits=%d head=%s tail=%s sum=%016x\n", len(s), head, tail, h.Sum64())

	if impl == "engine" {
		peak, total, err := measureMemory(compute)
		if err != nil {
			return err
		}
		fmt.Printf("peak_heap_mib=%.1f total_alloc_mib=%.1f\n", float64(peak)/(1<<20), float64(total)/(1<<20))
	}
	return nil
}

// measureMemory runs compute once and returns the peak of live heap bytes,
// sampled every millisecond, and the bytes allocated during the run. The
// garbage collector runs at its default pace, as it would in the worker.
func measureMemory(compute func() (string, error)) (peak, total uint64, err error) {
	runtime.GC()
	debug.FreeOSMemory()

	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(samples)
	base, allocBefore := samples[0].Value.Uint64(), samples[1].Value.Uint64()

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := make([]metrics.Sample, 1)
		s[0].Name = "/memory/classes/heap/objects:bytes"
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	})

	result, err := compute()
	close(done)
	wg.Wait()
	metrics.Read(samples)
	peak = max(peak, samples[0].Value.Uint64())
	runtime.KeepAlive(result)

	return peak - min(peak, base), samples[1].Value.Uint64() - allocBefore, err
}

// fibBig is the obvious approach the engine is measured against: fast
// doubling with three products per step, each computed by mul.
func fibBig(n uint64, mul func(z, x, y *big.Int) *big.Int) *big.Int {
	a, b := new(big.Int), big.NewInt(1) // F(k), F(k+1) for k = 0
	t := new(big.Int)
	for i := bits.Len64(n) - 1; i >= 0; i-- {
		t.Lsh(b, 1).Sub(t, a)
		t = mul(t, t, a) // F(2k) = F(k) (2 F(k+1) - F(k))
		a = mul(a, a, a)
		b = mul(b, b, b)
		b.Add(b, a) // F(2k+1) = F(k)^2 + F(k+1)^2
		a, t = t, a
		if n>>uint(i)&1 == 1 {
			a.Add(a, b)
			a, b = b, a
		}
	}
	return a
}

// mulFFT has the shape of (*big.Int).Mul but multiplies with bigfft, which
// switches to its FFT above about 1800 words and returns a new Int.
func mulFFT(_, x, y *big.Int) *big.Int {
	return bigfft.Mul(x, y)
}
