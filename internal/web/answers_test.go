package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every JSON answer of the package goes through answer (typed answers) or
// writeFHIR (fhir.Answer): no handler may hand echo or encoding/json a
// value of its own. A call of c.JSON, c.JSONPretty, c.JSONBlob, c.JSONP or
// json.Marshal / json.NewEncoder anywhere else in the package's code fails.
func TestAnswersAreTyped(t *testing.T) {
	// heldJSON gives a person back the form they typed themselves before
	// their session timed out, into their own page.
	// riskOf re-encodes the risk section a View released, without its history.
	allowed := map[string]bool{"answer": true, "writeFHIR": true, "heldJSON": true, "riskOf": true}
	encoders := map[string]bool{"JSON": true, "JSONPretty": true, "JSONBlob": true, "JSONP": true, "Marshal": true, "NewEncoder": true, "MarshalIndent": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || allowed[fn.Name.Name] {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && encoders[sel.Sel.Name] {
					t.Errorf("%s: %s encodes JSON itself; answer through answer(c, status, apiAnswer)", fset.Position(call.Pos()), fn.Name.Name)
				}
				checked++
				return true
			})
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d calls inspected: the test is not reading the package", checked)
	}
}
