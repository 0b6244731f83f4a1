//go:build race

package racedetect

// Enabled reports whether the binary is built with the race detector.
const Enabled = true
