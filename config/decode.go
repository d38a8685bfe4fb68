package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// decodeYAML parses data into raw. goccy's decoder stops at the first
// problem, so the schema is walked here over goccy's AST instead: every
// unknown key, duplicate key and value of the wrong type is recorded with its
// position, and the walk goes on. Once the walk finds nothing, goccy's own
// strict decoder must agree. A syntax error stops everything, since nothing
// after it can be trusted: decodeYAML then reports false.
func decodeYAML(data []byte, raw *rawConfig, p *problems) bool {
	// Duplicate keys are reported by the walk, all of them, rather than as
	// the parser's first syntax error.
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		p.yamlError(err)
		return false
	}
	var body ast.Node
	for i, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			p.add(tokenPos(doc.Body.GetToken()), "", "only one YAML document is allowed (document %d)", i+1)
			return false
		}
		body = doc.Body
	}
	if body == nil {
		return true
	}
	p.pos[""] = nodePos(body)
	before := len(p.errs)
	w := walker{p: p, anchors: map[string]ast.Node{}}
	w.value("", body, reflect.ValueOf(raw).Elem())
	if len(p.errs) > before {
		return true
	}
	var strict rawConfig
	if err := yaml.NodeToValue(body, &strict, yaml.Strict()); err != nil {
		p.yamlError(err)
		return false
	}
	return true
}

// yamlError records an error from goccy, keeping its position.
func (p *problems) yamlError(err error) {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p.add(tokenPos(ye.GetToken()), "", "%s", ye.GetMessage())
		return
	}
	p.add(position{1, 1}, "", "%v", err)
}

func tokenPos(tk *token.Token) position {
	if tk == nil || tk.Position == nil {
		return position{1, 1}
	}
	return position{tk.Position.Line, tk.Position.Column}
}

// nodePos is where a node starts: for a block mapping, its first key (goccy
// places the mapping itself at that key's colon).
func nodePos(n ast.Node) position {
	if m, ok := n.(ast.MapNode); ok {
		if it := m.MapRange(); it.Next() {
			return tokenPos(it.Key().GetToken())
		}
	}
	return tokenPos(n.GetToken())
}

// walker decodes an AST into the raw types by their yaml tags.
type walker struct {
	p       *problems
	anchors map[string]ast.Node
}

func (w walker) value(path string, n ast.Node, v reflect.Value) {
	n = w.resolve(path, n)
	if n == nil || n.Type() == ast.NullType {
		return // absent: the default applies
	}
	switch v.Kind() {
	case reflect.Pointer:
		// Allocated only when the value decodes, so a count of the wrong
		// type is not also reported as unset or zero.
		e := reflect.New(v.Type().Elem())
		before := len(w.p.errs)
		w.value(path, n, e.Elem())
		if len(w.p.errs) == before {
			v.Set(e)
		}
	case reflect.Struct:
		w.mapping(path, n, v)
	case reflect.Map:
		w.dictionary(path, n, v)
	case reflect.Slice:
		w.sequence(path, n, v)
	case reflect.String:
		w.str(path, n, v)
	case reflect.Int:
		w.integer(path, n, v)
	case reflect.Bool:
		w.boolean(path, n, v)
	default:
		panic(fmt.Sprintf("config: no decoding for %s", v.Type()))
	}
}

// resolve looks through tags, anchors and aliases to the node that holds the value.
func (w walker) resolve(path string, n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			w.anchors[t.Name.GetToken().Value] = t.Value
			n = t.Value
		case *ast.AliasNode:
			name := t.Value.GetToken().Value
			target, ok := w.anchors[name]
			if !ok {
				w.wrong(path, "unknown alias *%s", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
}

func (w walker) mapping(path string, n ast.Node, v reflect.Value) {
	fields := fieldIndex(v.Type())
	w.keys(path, n, func(name, field string, at position, value ast.Node) {
		i, known := fields[name]
		if !known {
			w.p.add(at, field, "unknown field")
			return
		}
		w.p.pos[field] = at
		w.value(field, value, v.Field(i))
	})
}

// dictionary decodes a mapping whose keys are the user's (request
// headers), not the schema's.
func (w walker) dictionary(path string, n ast.Node, v reflect.Value) {
	out := reflect.MakeMap(v.Type())
	w.keys(path, n, func(name, field string, at position, value ast.Node) {
		w.p.pos[field] = at
		e := reflect.New(v.Type().Elem()).Elem()
		w.value(field, value, e)
		out.SetMapIndex(reflect.ValueOf(name), e)
	})
	v.Set(out)
}

// keys walks the keys of the mapping n at path in order, reporting merge
// keys and repeated keys, and hands each other key to f with its field
// path and position.
func (w walker) keys(path string, n ast.Node, f func(name, field string, at position, value ast.Node)) {
	m, ok := n.(ast.MapNode)
	if !ok {
		w.wrong(path, "want a mapping, got %s", describe(n))
		return
	}
	seen := map[string]int{}
	for it := m.MapRange(); it.Next(); {
		k := it.Key()
		at := tokenPos(k.GetToken())
		if k.IsMergeKey() {
			w.p.add(at, path, "merge keys (<<) are not supported")
			continue
		}
		name := keyText(k)
		field := child(path, name)
		if line, dup := seen[name]; dup {
			w.p.add(at, field, "duplicate key (first at line %d)", line)
			continue
		}
		seen[name] = at.line
		f(name, field, at, it.Value())
	}
}

func (w walker) sequence(path string, n ast.Node, v reflect.Value) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		w.wrong(path, "want a sequence, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		elem := fmt.Sprintf("%s[%d]", path, i)
		if e != nil {
			w.p.pos[elem] = nodePos(e)
		}
		w.value(elem, e, s.Index(i))
	}
	v.Set(s)
}

func (w walker) str(path string, n ast.Node, v reflect.Value) {
	switch t := n.(type) {
	case *ast.StringNode:
		v.SetString(t.Value)
	case *ast.LiteralNode:
		v.SetString(t.Value.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		// As written: 010 stays "010", not the 8 YAML 1.1 would read.
		v.SetString(n.GetToken().Value)
	default:
		w.wrong(path, "want a string, got %s", describe(n))
	}
}

func (w walker) integer(path string, n ast.Node, v reflect.Value) {
	t, ok := n.(*ast.IntegerNode)
	if !ok {
		w.wrong(path, "want an integer, got %s", describe(n))
		return
	}
	switch x := t.Value.(type) {
	case int64:
		if x >= math.MinInt && x <= math.MaxInt {
			v.SetInt(x)
			return
		}
	case uint64:
		if x <= math.MaxInt {
			v.SetInt(int64(x))
			return
		}
	}
	w.wrong(path, "integer %s out of range", t.GetToken().Value)
}

// boolean takes YAML 1.2's true and false only: yes, no, on and off are
// strings, refused rather than read as YAML 1.1 would.
func (w walker) boolean(path string, n ast.Node, v reflect.Value) {
	t, ok := n.(*ast.BoolNode)
	if !ok {
		w.wrong(path, "want true or false, got %s", describe(n))
		return
	}
	v.SetBool(t.Value)
}

// wrong records a value of the wrong shape; nothing more is said about path.
func (w walker) wrong(path, format string, args ...any) {
	w.p.at(path, format, args...)
	w.p.bad[path] = true
}

// fieldIndex maps yaml keys to struct field indexes.
func fieldIndex(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
			m[tag] = i
		}
	}
	return m
}

func keyText(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.GetToken().Value
}

// describe names a node's value for "want X, got Y" messages.
func describe(n ast.Node) string {
	switch t := n.(type) {
	case ast.MapNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a sequence"
	case *ast.StringNode:
		return strconv.Quote(t.Value)
	case *ast.LiteralNode:
		return "a block of text"
	default:
		return n.GetToken().Value
	}
}
