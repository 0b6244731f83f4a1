package main

import "testing"

// TestBucketsContiguous checks that every value maps to the bucket whose
// range contains it and that bucket ranges follow each other without gaps.
func TestBucketsContiguous(t *testing.T) {
	for i := range 3000 {
		lo, next := bucketLow(i), bucketLow(i+1)
		if next <= lo {
			t.Fatalf("bucket %d: low %d, next low %d", i, lo, next)
		}
		if got := bucketIndex(lo); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", lo, got, i)
		}
		if got := bucketIndex(next - 1); got != i {
			t.Fatalf("bucketIndex(%d) = %d, want %d", next-1, got, i)
		}
	}
}

// TestQuantileAccuracy checks quantiles of a uniform sample to within 2%.
func TestQuantileAccuracy(t *testing.T) {
	var h histogram
	for v := uint64(1); v <= 200_000; v++ {
		h.add(v * 50)
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		want := q * 10_000_000
		if got := h.quantile(q); got < want*0.98 || got > want*1.02 {
			t.Errorf("quantile(%v) = %v, want about %v", q, got, want)
		}
	}
}

func TestQuantileEdges(t *testing.T) {
	var h histogram
	if got := h.quantile(0.5); got != 0 {
		t.Errorf("empty quantile = %v, want 0", got)
	}
	h.add(1000)
	for _, q := range []float64{0, 0.5, 1} {
		if got := h.quantile(q); got < 990 || got > 1000 {
			t.Errorf("one sample: quantile(%v) = %v, want about 1000 and at most the max", q, got)
		}
	}
	var m histogram
	m.add(5)
	m.merge(&h)
	if m.n != 2 || m.max != 1000 {
		t.Errorf("merge: n=%d max=%d, want 2 and 1000", m.n, m.max)
	}
}
