package script

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/errors/*.golden from the parser's output")

// TestGoldenErrors parses every testdata/errors/*.scn and compares the error
// with the .golden file beside it. Run with -update to rewrite the goldens,
// then review each one: it must say what was expected and what was found.
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.scn"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/errors/*.scn files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".scn")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := Parse(filepath.Base(file), src)
			var e *Error
			if !errors.As(perr, &e) {
				t.Fatalf("Parse error = %v (%T), want an *Error", perr, perr)
			}
			got := perr.Error() + "\n"
			golden := strings.TrimSuffix(file, ".scn") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenErrors -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("error mismatch\n got: %s want: %s", got, want)
			}
		})
	}
}
