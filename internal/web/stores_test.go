package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestStoreAreasListOnlyWhatTheWebCalls holds the seam to its rule: each
// method of an area interface (and of Gauges) is called by the web, and no
// method is in two areas. A method no handler calls any more must leave
// its interface, so that a second backend is not asked for it.
func TestStoreAreasListOnlyWhatTheWebCalls(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*ast.File{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		if files[e.Name()], err = parser.ParseFile(fset, e.Name(), nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The interfaces: the areas in stores.go and Gauges in metrics.go.
	declared := map[string]string{} // method -> interface
	for _, name := range []string{"stores.go", "metrics.go"} {
		f := files[name]
		if f == nil {
			t.Fatalf("%s not found", name)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || (!strings.HasSuffix(ts.Name.Name, "Store") && ts.Name.Name != "Gauges") {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok {
				return true
			}
			for _, m := range it.Methods.List {
				for _, id := range m.Names {
					key := id.Name
					if ts.Name.Name == "Gauges" {
						key = "gauges." + key
					}
					if other, twice := declared[key]; twice {
						t.Errorf("%s is in %s and %s", id.Name, other, ts.Name.Name)
					}
					declared[key] = ts.Name.Name
				}
			}
			return false
		})
	}
	if len(declared) < 100 {
		t.Fatalf("found only %d methods in the area interfaces", len(declared))
	}
	// The calls: s.DB.M(...) and d.DB.M(...) through the areas, c.db.M(...)
	// through Gauges; NewMetrics(d.DB, ...) reads the Gauges through the
	// areas.
	called := map[string]bool{}
	gaugesFromAreas := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "NewMetrics" {
					if arg, ok := call.Args[0].(*ast.SelectorExpr); ok && arg.Sel.Name == "DB" {
						gaugesFromAreas = true
					}
				}
			}
			se, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := se.X.(*ast.SelectorExpr); ok {
				switch x.Sel.Name {
				case "DB":
					called[se.Sel.Name] = true
				case "db":
					called["gauges."+se.Sel.Name] = true
				}
			}
			return true
		})
	}
	if gaugesFromAreas {
		for m, in := range declared {
			if in == "Gauges" {
				called[strings.TrimPrefix(m, "gauges.")] = true
			}
		}
	}
	for _, m := range slices.Sorted(maps.Keys(declared)) {
		if !called[m] {
			t.Errorf("%s lists %s, which the web never calls", declared[m], strings.TrimPrefix(m, "gauges."))
		}
	}
}
