package topology

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTopologyDoesNotImportServer keeps topology on node/status: it reads
// embedded nodes through EmbeddedNode, never through the server package.
func TestTopologyDoesNotImportServer(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/replscope/replscope/node" {
				t.Errorf("%s imports %s: use node/status and EmbeddedNode", f, p)
			}
		}
	}
}
