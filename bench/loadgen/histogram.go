package main

import "math/bits"

// histogram is a log-linear histogram of nanosecond values: values below
// 128 have their own bucket; above that, each power of two is split into 64
// buckets, so a reported quantile is within about 1.6% of the true value.
// It takes fixed memory however many samples are added. The zero value is
// an empty histogram; it is not safe for concurrent use (each worker owns
// one, and they are merged after the run).
type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	max    uint64
}

const (
	subBits    = 6
	subCount   = 1 << subBits
	numBuckets = 64 * subCount // enough for any uint64
)

// bucketIndex is the bucket that holds v.
func bucketIndex(v uint64) int {
	if v < 2*subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return shift*subCount + int(v>>uint(shift))
}

// bucketLow is the smallest value that falls in bucket i.
func bucketLow(i int) uint64 {
	if i < 2*subCount {
		return uint64(i)
	}
	shift := i/subCount - 1
	return uint64(i-shift*subCount) << uint(shift)
}

func (h *histogram) add(v uint64) {
	h.counts[bucketIndex(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	if o.max > h.max {
		h.max = o.max
	}
}

// quantile returns the middle of the bucket holding the q-quantile, in ns
// (never more than the largest value seen), or 0 for an empty histogram.
func (h *histogram) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := max(uint64(q*float64(h.n)+0.5), 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketLow(i), bucketLow(i+1)
			return min(float64(lo)+float64(hi-lo-1)/2, float64(h.max))
		}
	}
	return float64(h.max)
}
