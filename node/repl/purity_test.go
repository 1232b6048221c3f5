package repl

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure keeps the core pure: no file of the package (tests aside)
// imports time, net, os or sync, nor starts a goroutine. Time arrives as
// an argument; I/O, goroutines and the lock belong to the node.
func TestPure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := map[string]bool{"time": true, "net": true, "os": true, "sync": true, "sync/atomic": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); banned[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				t.Errorf("%s starts a goroutine at offset %d", f, g.Pos())
			}
			return true
		})
	}
}
