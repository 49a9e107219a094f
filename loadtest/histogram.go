package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// histogram counts latencies in microsecond buckets, in the manner of an HDR
// histogram: exact below 1,024 µs, then 512 buckets per doubling, so that
// every percentile is within 0.2 % of the true sample and the memory stays
// fixed (about 120 KB) however long the run. Latencies beyond the last
// bucket (about 38 hours) count in it.
type histogram struct {
	counts [linearBuckets + (doublings-1)*subBuckets]int64
	total  int64
	sum    time.Duration
	max    time.Duration
}

const (
	linearBuckets = 1024 // one per microsecond below 1,024 µs
	subBuckets    = 512  // per doubling above
	doublings     = 28   // up to 2^37 µs
)

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(d)]++
	h.total++
	h.sum += d
	h.max = max(h.max, d)
}

func bucketOf(d time.Duration) int {
	us := uint64(max(d.Microseconds(), 0))
	if us < linearBuckets {
		return int(us)
	}
	shift := bits.Len64(us) - 10 // us is in [512<<shift, 1024<<shift)
	i := linearBuckets + (shift-1)*subBuckets + int(us>>shift) - subBuckets
	return min(i, len(histogram{}.counts)-1)
}

// bucketFloor is the smallest latency that falls in bucket i.
func bucketFloor(i int) time.Duration {
	if i < linearBuckets {
		return time.Duration(i) * time.Microsecond
	}
	i -= linearBuckets
	shift := i/subBuckets + 1
	return time.Duration(uint64(i%subBuckets+subBuckets)<<shift) * time.Microsecond
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100): the floor of
// the bucket holding the ceil(p/100 × count)-th smallest sample. p = 100 is
// the exact maximum.
func (h *histogram) percentile(p float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	if p >= 100 {
		return h.max
	}
	// The epsilon keeps float error from pushing an exact rank (99.9 % of
	// 100,000) to the next sample.
	rank := max(int64(math.Ceil(p*float64(h.total)/100-1e-9)), 1)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(bucketFloor(i), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.sum / time.Duration(h.total)
}

// merge adds the samples of o to h.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	h.max = max(h.max, o.max)
}
