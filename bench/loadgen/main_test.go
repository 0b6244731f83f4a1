package main

import (
	"testing"

	"github.com/sigloop/sigloop/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }
