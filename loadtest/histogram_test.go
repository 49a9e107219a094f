package loadtest

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	// Every bucket's floor falls in that bucket, and the next floor does not.
	for i := range len(histogram{}.counts) - 1 {
		if got := bucketOf(bucketFloor(i)); got != i {
			t.Fatalf("bucketOf(bucketFloor(%d) = %v) = %d", i, bucketFloor(i), got)
		}
		if got := bucketOf(bucketFloor(i+1) - time.Microsecond); got != i {
			t.Fatalf("the last microsecond of bucket %d falls in %d", i, got)
		}
	}
	if got := bucketOf(100 * time.Hour); got != len(histogram{}.counts)-1 {
		t.Errorf("100 h falls in bucket %d, not the last", got)
	}
}

// The histogram's percentiles match the exact nearest-rank percentiles of the
// samples within the promised 0.2 %.
func TestPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]time.Duration, 100_000)
	for i := range samples {
		// Log-normal-ish: mostly milliseconds, a tail into seconds.
		samples[i] = time.Duration(rng.ExpFloat64() * rng.ExpFloat64() * float64(3*time.Millisecond))
		h.record(samples[i])
	}
	slices.Sort(samples)
	for _, p := range []float64{50, 95, 99, 99.9} {
		rank := int(p / 100 * float64(len(samples))) // an integer for these p and n
		exact := samples[rank-1]
		got := h.percentile(p)
		if got > exact || float64(exact-got) > 0.002*float64(exact)+float64(time.Microsecond) {
			t.Errorf("p%v = %v, exact %v", p, got, exact)
		}
	}
	if h.percentile(100) != samples[len(samples)-1] {
		t.Errorf("p100 = %v, max %v", h.percentile(100), samples[len(samples)-1])
	}
	var empty histogram
	if empty.percentile(99) != 0 || empty.mean() != 0 {
		t.Error("an empty histogram reports latencies")
	}
}
