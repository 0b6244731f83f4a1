package tests

import (
	"testing"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/progtest"
)

func TestMain(m *testing.M) { leakcheck.Main(m, progtest.RemoveBuilds) }
