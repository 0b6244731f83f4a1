//go:build !race

// Package racedetect tells tests whether the race detector is on: its
// instrumentation allocates (and it makes sync.Pool drop a share of its
// Puts), so allocation counts are not checked under it.
package racedetect

// Enabled reports whether the binary is built with the race detector.
const Enabled = false
