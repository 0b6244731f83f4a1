package sigloop_test

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ruleID matches a rule id cited in code: an area prefix and a number.
var ruleID = regexp.MustCompile(`\b(ML|SIG|OBJ|CAN|TASK|SOCK|SL|SS|TSS|EVL|LS|LK)-[0-9]+\b`)

// ruleFiles says which docs/conformance file defines each prefix (the index
// is docs/conformance.md).
var ruleFiles = map[string]string{
	"ML": "mainloop.md", "EVL": "mainloop.md",
	"OBJ": "object.md", "SIG": "signal.md",
	"CAN": "cancellable-task.md", "TASK": "cancellable-task.md",
	"SOCK": "gio-socket.md",
	"SL":   "gio-listener.md", "SS": "gio-listener.md", "TSS": "gio-listener.md",
	"LS": "qtnet.md", "LK": "qtnet.md",
}

// Every rule id cited in a .go file resolves inside the repository: it
// appears in its area's docs/conformance/*.md file, and every area's file
// exists.
func TestRuleIDsResolve(t *testing.T) {
	cited := map[string][]string{} // id → files citing it
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, id := range ruleID.FindAllString(string(src), -1) {
			if files := cited[id]; !slices.Contains(files, path) {
				cited[id] = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cited) == 0 {
		t.Fatal("no rule ids found: is the test running in the module root?")
	}

	docs, _ := filepath.Glob(filepath.Join("docs", "conformance", "*.md"))
	var defined strings.Builder
	for _, f := range docs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		defined.Write(b)
		defined.WriteByte('\n')
	}
	known := map[string]bool{}
	for _, id := range ruleID.FindAllString(defined.String(), -1) {
		known[id] = true
	}

	byPrefix := map[string][]string{}
	for id := range cited {
		p := id[:strings.IndexByte(id, '-')]
		byPrefix[p] = append(byPrefix[p], id)
	}
	for _, p := range slices.Sorted(maps.Keys(byPrefix)) {
		t.Run(p, func(t *testing.T) {
			file := filepath.Join("docs", "conformance", ruleFiles[p])
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("%s- ids are cited (%d) but %s is missing", p, len(byPrefix[p]), file)
			}
			ids := byPrefix[p]
			slices.Sort(ids)
			for _, id := range ids {
				if !known[id] {
					t.Errorf("%s is cited in %s but defined in no docs/conformance/*.md file", id, strings.Join(cited[id], ", "))
				}
			}
		})
	}
}
