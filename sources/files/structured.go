package files

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/feedloom/feedloom/sources"
)

// structuredStory is one story of a JSON or YAML file (.json, .yaml, .yml)
// as written: the front-matter fields plus its body, either HTML (content)
// or plain text (text). This format is feedloom's own, so unknown keys are
// errors rather than ignored.
type structuredStory struct {
	Meta    storyMeta `yaml:",inline"`
	Content string    `yaml:"content"`
	Text    string    `yaml:"text"`

	line  int    // where the story starts
	where places // where it and its keys are, for messages
}

// jsonStory is structuredStory as encoding/json reads it (it flattens
// embedded structs where goccy/go-yaml needs an inline tag).
type jsonStory struct {
	storyMeta
	Content string `json:"content"`
	Text    string `json:"text"`
}

// errBothBodies is the problem of a story with both kinds of body.
var errBothBodies = errors.New("a story has either content or text, not both")

// story translates one structured story; text becomes paragraphs split at
// blank lines.
func (s structuredStory) story(zone *time.Location) (sources.Story, error) {
	if strings.TrimSpace(s.Content) != "" && strings.TrimSpace(s.Text) != "" {
		return sources.Story{}, &fieldError{key: "text", err: errBothBodies}
	}
	st, err := s.Meta.story(zone)
	if err != nil {
		return sources.Story{}, err
	}
	st.Line = s.line
	st.Content = strings.TrimSpace(s.Content)
	st.Text = paragraphs(s.Text)
	return st, nil
}

// paragraphs splits plain text at blank lines, trimming each paragraph and
// keeping the line breaks inside it.
func paragraphs(text string) []string {
	var paras, cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, ln := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if ln = strings.TrimSpace(ln); ln == "" {
			flush()
		} else {
			cur = append(cur, ln)
		}
	}
	flush()
	return paras
}

// structuredStories translates every story of a structured file but drafts.
// list tells whether the file holds a list, so that problems name the index.
func structuredStories(stories []structuredStory, list bool, zone *time.Location) ([]sources.Story, error) {
	var out []sources.Story
	for i, s := range stories {
		if s.Meta.Draft {
			continue
		}
		st, err := s.story(zone)
		if err != nil {
			who := ""
			if list {
				who = fmt.Sprintf("story at index %d", i)
			}
			return nil, locate(err, s.where, who)
		}
		st.Position = len(out)
		out = append(out, st)
	}
	return out, nil
}

// parseYAMLStories reads a YAML file holding one story or a list of them.
func parseYAMLStories(data []byte) (stories []structuredStory, list bool, err error) {
	text, err := decodeText(data, "YAML story")
	if err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, false, errAt(1, 0, "empty file")
	}
	body, err := parseYAMLDoc(text, 0, "")
	if err != nil {
		return nil, false, err
	}
	var nodes []*ast.MappingNode
	switch n := body.(type) {
	case nil:
		return nil, false, errAt(1, 0, "no story in the file")
	case *ast.MappingNode:
		nodes = append(nodes, n)
	case *ast.SequenceNode:
		list = true
		for i, v := range n.Values {
			m, ok := v.(*ast.MappingNode)
			if !ok {
				p := nodePos(v, 0)
				return nil, false, errAt(p.line, p.col, "story at index %d is not a mapping of keys to values", i)
			}
			nodes = append(nodes, m)
		}
	default:
		p := nodePos(n, 0)
		return nil, false, errAt(p.line, p.col, "want a story (a mapping of keys to values) or a list of stories")
	}
	for _, m := range nodes {
		var s structuredStory
		if err := decodeYAML(m, &s, true, 0, ""); err != nil {
			return nil, false, err
		}
		start := nodePos(m, 0)
		s.line, s.where = start.line, knownPlaces{at: start, keys: mappingKeys(m, 0)}
		stories = append(stories, s)
	}
	return stories, list, nil
}

// parseYAMLDoc parses text holding at most one YAML document and returns its
// body (nil when there is none). lineOffset is added to every line number
// reported, prefix to every message; a panic of the parser is a problem at
// the text's first line.
func parseYAMLDoc(text string, lineOffset int, prefix string) (body ast.Node, err error) {
	defer catchPanic(&err, lineOffset+1, 0)
	f, err := parser.ParseBytes([]byte(text), 0)
	if err != nil {
		return nil, yamlError(err, lineOffset, prefix)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return nil, nil
	case 1:
		return docs[0].Body, nil
	}
	p := nodePos(docs[1].Body, lineOffset)
	return nil, errAt(p.line, p.col, "%sseveral YAML documents; put the stories in one list", prefix)
}

// decodeYAML decodes the story mapping m into v; strict makes unknown keys
// errors. A panic in the decoder is a problem at the story.
func decodeYAML(m *ast.MappingNode, v any, strict bool, lineOffset int, prefix string) (err error) {
	at := nodePos(m, lineOffset)
	defer catchPanic(&err, at.line, at.col)
	if err := checkListTags(m, lineOffset, prefix); err != nil {
		return err
	}
	var opts []yaml.DecodeOption
	if strict {
		opts = append(opts, yaml.Strict())
	}
	if err := yaml.NodeToValue(m, v, opts...); err != nil {
		return yamlError(err, lineOffset, prefix)
	}
	return nil
}

// metaLists are the keys of storyMeta that hold lists, with their types.
var metaLists = yamlLists(reflect.TypeFor[storyMeta]())

// yamlLists returns the YAML keys of the slice fields of struct type t.
func yamlLists(t reflect.Type) map[string]reflect.Type {
	lists := make(map[string]reflect.Type)
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && f.Type.Kind() == reflect.Slice {
			lists[name] = f.Type
		}
	}
	return lists
}

// checkListTags reports a list key of the story mapping m whose value is
// tagged but holds no list ("tags: !x 0", even "tags: !!str News"):
// goccy/go-yaml v1.19 decodes a tagged value into a slice by ranging over
// it as a list, and panics when it is none. The value is followed through
// anchors and aliases, and keys merged in ("<<: *base") are checked too,
// as the decoder would reach them.
func checkListTags(m *ast.MappingNode, lineOffset int, prefix string) error {
	c := listTagCheck{anchors: yamlAnchors(m), seen: make(map[ast.Node]bool)}
	kv, tag := c.mapping(m, m.Values)
	if kv == nil {
		return nil
	}
	key := keyName(kv.Key)
	p := nodePos(kv.Value, lineOffset)
	return errAt(p.line, p.col, "%s%s: cannot use a value tagged %s as %s", prefix, key, tag.GetToken().Value, describe(metaLists[key]))
}

// listTagCheck looks for a tagged list key through a story's anchors.
type listTagCheck struct {
	anchors map[string][]ast.Node // every definition of each anchor name
	seen    map[ast.Node]bool     // mappings checked, so that a merge loop ends
}

// mapping returns the first of the entries of the mapping m, or of a
// mapping merged into it, that is a list key whose value the decoder would
// range over as a list though it is none, with the tag that makes it so.
func (c listTagCheck) mapping(m ast.Node, entries []*ast.MappingValueNode) (*ast.MappingValueNode, *ast.TagNode) {
	if c.seen[m] {
		return nil, nil
	}
	c.seen[m] = true
	for _, kv := range entries {
		if _, merge := kv.Key.(*ast.MergeKeyNode); merge {
			if bad, tag := c.merged(kv.Value); bad != nil {
				return bad, tag
			}
			continue
		}
		if _, ok := metaLists[keyName(kv.Key)]; !ok {
			continue
		}
		if tag := c.badList(kv.Value); tag != nil {
			return kv, tag
		}
	}
	return nil, nil
}

// merged checks the mappings a merge key's value brings in: one, or a
// list of them (not lists of lists, which could hold themselves).
func (c listTagCheck) merged(n ast.Node) (*ast.MappingValueNode, *ast.TagNode) {
	items := c.values(n, make(map[string]bool))
	if len(items) == 1 {
		if seq, ok := items[0].(*ast.SequenceNode); ok {
			items = nil
			for _, v := range seq.Values {
				items = append(items, c.values(v, make(map[string]bool))...)
			}
		}
	}
	for _, v := range items {
		var bad *ast.MappingValueNode
		var tag *ast.TagNode
		switch m := v.(type) {
		case *ast.MappingNode:
			bad, tag = c.mapping(m, m.Values)
		case *ast.MappingValueNode:
			bad, tag = c.mapping(m, []*ast.MappingValueNode{m})
		}
		if bad != nil {
			return bad, tag
		}
	}
	return nil, nil
}

// values returns what n may stand for past anchors and aliases: an alias
// stands for every definition of its name, since which one the decoder
// takes depends on the order it met them. Each name in expanded is
// followed once, so that aliases of aliases cannot multiply.
func (c listTagCheck) values(n ast.Node, expanded map[string]bool) []ast.Node {
	switch v := n.(type) {
	case *ast.AnchorNode:
		return c.values(v.Value, expanded)
	case *ast.AliasNode:
		name := aliasName(v)
		if expanded[name] {
			return nil
		}
		expanded[name] = true
		var out []ast.Node
		for _, def := range c.anchors[name] {
			out = append(out, c.values(def, expanded)...)
		}
		return out
	case nil:
		return nil
	}
	return []ast.Node{n}
}

// badList returns the tag that would make the decoder panic decoding n
// into a slice, or nil. The decoder looks through anchors, then through
// an alias to its anchor's value, and ranges over a tag's value as a list:
// that value must be a list, or a tag that holds one.
func (c listTagCheck) badList(n ast.Node) *ast.TagNode {
	for n != nil {
		a, ok := n.(*ast.AnchorNode)
		if !ok {
			break
		}
		n = a.Value
	}
	defs := []ast.Node{n}
	if a, ok := n.(*ast.AliasNode); ok {
		defs = c.anchors[aliasName(a)]
	}
	for _, def := range defs {
		if t, ok := def.(*ast.TagNode); ok && !holdsList(t) {
			return t
		}
	}
	return nil
}

// holdsList reports whether the tag t holds a list, maybe under more tags.
func holdsList(t *ast.TagNode) bool {
	for {
		switch v := t.Value.(type) {
		case *ast.SequenceNode:
			return true
		case *ast.TagNode:
			t = v
		default:
			return false
		}
	}
}

// yamlAnchors returns every definition of each anchor name within n.
func yamlAnchors(n ast.Node) map[string][]ast.Node {
	anchors := make(map[string][]ast.Node)
	for _, a := range ast.Filter(ast.AnchorType, n) {
		if a, ok := a.(*ast.AnchorNode); ok && a.Name != nil && a.Name.GetToken() != nil {
			name := a.Name.GetToken().Value
			anchors[name] = append(anchors[name], a.Value)
		}
	}
	return anchors
}

// aliasName returns the anchor name an alias refers to.
func aliasName(a *ast.AliasNode) string {
	if a.Value == nil || a.Value.GetToken() == nil {
		return ""
	}
	return a.Value.GetToken().Value
}

// keyName returns the name of a mapping key as written, unquoted.
func keyName(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// yamlError turns a goccy/go-yaml error into a located problem; its own
// message carries a source excerpt, which a one-line report does not want.
func yamlError(err error, lineOffset int, prefix string) error {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return errAt(0, 0, "%s%v", prefix, err)
	}
	msg := ye.GetMessage()
	var te *yaml.TypeError
	if errors.As(err, &te) && te.SrcType != nil && te.DstType != nil {
		msg = fmt.Sprintf("cannot use %s as %s", describe(te.SrcType), describe(te.DstType))
	}
	if lineOffset != 0 {
		// Messages may cite a second place ("already defined at [1:1]").
		msg = yamlPlace.ReplaceAllStringFunc(msg, func(m string) string {
			var line, col int
			fmt.Sscanf(m, "[%d:%d]", &line, &col)
			return fmt.Sprintf("[%d:%d]", line+lineOffset, col)
		})
	}
	p := ye.GetToken().Position
	return errAt(p.Line+lineOffset, p.Column, "%s%s", prefix, msg)
}

// yamlPlace matches a "[line:col]" place in a goccy/go-yaml message.
var yamlPlace = regexp.MustCompile(`\[\d+:\d+\]`)

// describe names the kind of value of type t for messages.
func describe(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[person]():
		return "an author (a name or {name, email, url})"
	case reflect.TypeFor[stringList]():
		return "a string or a list of strings"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// mappingKeys returns where each key of m is.
func mappingKeys(m *ast.MappingNode, lineOffset int) map[string]position {
	keys := make(map[string]position, len(m.Values))
	for _, kv := range m.Values {
		tk := kv.Key.GetToken()
		if tk == nil {
			continue
		}
		keys[keyName(kv.Key)] = position{line: tk.Position.Line + lineOffset, col: tk.Position.Column}
	}
	return keys
}

// nodePos returns where n starts. A block mapping's own token is its first
// colon, so its first key stands for it.
func nodePos(n ast.Node, lineOffset int) position {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		n = m.Values[0].Key
	}
	tk := n.GetToken()
	if tk == nil {
		return position{}
	}
	return position{line: tk.Position.Line + lineOffset, col: tk.Position.Column}
}

// parseJSONStories reads a JSON file holding one story object or an array of
// them. encoding/json reports syntax and type errors by byte offset, and not
// at all where an unknown key is, so indexJSON walks the tokens first to
// locate every story and key.
func parseJSONStories(data []byte) (stories []structuredStory, list bool, err error) {
	text, err := decodeText(data, "JSON story")
	if err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, false, errAt(1, 0, "empty file")
	}
	b := []byte(text)
	objs, list, err := indexJSON(b)
	if err != nil {
		return nil, false, err
	}
	for _, o := range objs {
		s := structuredStory{line: o.line, where: jsonPlaces{text: b, obj: o}}
		dec := json.NewDecoder(bytes.NewReader(b[o.from:o.to]))
		dec.DisallowUnknownFields() // indexJSON has located any; this is a backstop
		var js jsonStory
		if err := dec.Decode(&js); err != nil {
			return nil, false, jsonError(err, b, o)
		}
		s.Meta, s.Content, s.Text = js.storyMeta, js.Content, js.Text
		stories = append(stories, s)
	}
	return stories, list, nil
}

// jsonError locates an error of decoding the story object o of b.
func jsonError(err error, b []byte, o jsonObject) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.TrimPrefix(te.Field, "storyMeta.")
		key, _, _ := strings.Cut(field, ".")
		at, ok := jsonPlaces{text: b, obj: o}.key(key)
		if !ok {
			line, col := lineCol(b, o.from+int(te.Offset))
			at = position{line: line, col: col}
		}
		value, _, _ := strings.Cut(te.Value, " ") // "number -5" → "number"
		return errAt(at.line, at.col, "%s: cannot use a JSON %s as %s", field, value, describe(te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(b, o.from+int(se.Offset))
		return errAt(line, col, "%v", se)
	}
	at := jsonPlaces{text: b, obj: o}.start()
	return errAt(at.line, at.col, "%v", err)
}

// jsonObject is one story object of a JSON file: its byte range, the line
// it starts on and the offset of each of its keys. Offsets, not columns:
// a column counts the characters from the start of its line, and a
// minified file is one long line, so columns for every key would cost
// time quadratic in the file's size.
type jsonObject struct {
	from, to int
	line     int
	keys     map[string]int
}

// jsonPlaces turns the offsets of a story object into places when a message
// needs one; text is the file, its line ends "\n" only.
type jsonPlaces struct {
	text []byte
	obj  jsonObject
}

func (p jsonPlaces) start() position { return offsetPosition(p.text, p.obj.from) }

func (p jsonPlaces) key(name string) (position, bool) {
	off, ok := p.obj.keys[name]
	if !ok {
		return position{}, false
	}
	return offsetPosition(p.text, off), true
}

// offsetPosition returns the position of byte offset off in text.
func offsetPosition(text []byte, off int) position {
	line, col := lineCol(text, off)
	return position{line: line, col: col}
}

// jsonKeys returns the JSON keys of struct type t, with those of embedded
// structs.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := make(map[string]bool)
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k := range jsonKeys(f.Type) {
				keys[k] = true
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

// jsonWalker reads the tokens of a JSON document, checking keys and
// recording where things are.
type jsonWalker struct {
	b       []byte
	lines   []int // offset of the start of each line
	dec     *json.Decoder
	story   map[string]bool // keys of a story object
	author  map[string]bool // keys of an author object
	objects []jsonObject
}

// indexJSON checks the syntax of b and that its stories hold only known
// keys, and returns each story object with its position.
func indexJSON(b []byte) (objs []jsonObject, list bool, err error) {
	w := &jsonWalker{
		b:      b,
		lines:  lineStarts(b),
		dec:    json.NewDecoder(bytes.NewReader(b)),
		story:  jsonKeys(reflect.TypeFor[jsonStory]()),
		author: jsonKeys(reflect.TypeFor[personFields]()),
	}
	from, tok, err := w.token()
	if err != nil {
		return nil, false, err
	}
	switch tok {
	case json.Delim('{'):
		if err := w.storyObject(from, 1); err != nil {
			return nil, false, err
		}
	case json.Delim('['):
		list = true
		for i := 0; w.dec.More(); i++ {
			from, tok, err := w.token()
			if err != nil {
				return nil, false, err
			}
			if tok != json.Delim('{') {
				return nil, false, w.errAt(from, "story at index %d is not an object", i)
			}
			if err := w.storyObject(from, 2); err != nil {
				return nil, false, err
			}
		}
		if _, _, err := w.token(); err != nil { // ]
			return nil, false, err
		}
	default:
		return nil, false, w.errAt(from, "want a story object or an array of them")
	}
	end := int(w.dec.InputOffset())
	if rest := bytes.TrimLeft(b[end:], " \t\r\n"); len(rest) > 0 {
		return nil, false, w.errAt(len(b)-len(rest), "unexpected data after the stories")
	}
	return w.objects, list, nil
}

// token reads the next token and returns where it starts. Errors come back
// located; the input ending is one, since the walk never reads past the
// end of the stories.
func (w *jsonWalker) token() (int, json.Token, error) {
	from := int(w.dec.InputOffset())
	for from < len(w.b) && strings.IndexByte(" \t\r\n,:", w.b[from]) >= 0 {
		from++
	}
	tok, err := w.dec.Token()
	if err == nil {
		return from, tok, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return from, nil, w.errAt(int(se.Offset), "%v", se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return from, nil, w.errAt(len(w.b), "unexpected end of JSON input")
	}
	return from, nil, w.errAt(from, "%v", err)
}

func (w *jsonWalker) errAt(off int, format string, args ...any) error {
	line, col := lineCol(w.b, off)
	return errAt(line, col, format, args...)
}

// line returns the line of byte offset off, looking it up in the index so
// that a file of many stories is not rescanned for each.
func (w *jsonWalker) line(off int) int {
	i, found := slices.BinarySearch(w.lines, off)
	if !found {
		i--
	}
	return i + 1
}

// lineStarts returns the offset of the start of each line of b, whose line
// ends are "\n" only.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// storyObject walks a story object whose "{" started at from, at nesting
// depth.
func (w *jsonWalker) storyObject(from, depth int) error {
	keys, err := w.object(w.story, depth)
	if err != nil {
		return err
	}
	w.objects = append(w.objects, jsonObject{
		from: from,
		to:   int(w.dec.InputOffset()),
		line: w.line(from),
		keys: keys,
	})
	return nil
}

// maxJSONDepth is how deep arrays and objects may nest in a story file, as
// encoding/json allows when decoding. The walk recurses for each level, and
// a file of nothing but "[" would otherwise overflow the stack, which is
// fatal to the process, not a panic to recover.
const maxJSONDepth = 10000

// object walks the members of an object whose "{" was read, through its
// "}", at nesting depth (1 for a story). allowed is the set of its keys
// (nil: any). Author values are walked as author objects so that their
// keys are checked too.
func (w *jsonWalker) object(allowed map[string]bool, depth int) (map[string]int, error) {
	keys := make(map[string]int)
	for w.dec.More() {
		from, tok, err := w.token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if _, dup := keys[key]; dup {
			return nil, w.errAt(from, "duplicate key %q", key)
		}
		if allowed != nil && !allowed[key] {
			return nil, w.errAt(from, "unknown field %q", key)
		}
		keys[key] = from
		var elem map[string]bool
		if allowed != nil && (key == "author" || key == "authors") {
			elem = w.author
		}
		if err := w.value(elem, key == "authors", depth); err != nil {
			return nil, err
		}
	}
	if _, _, err := w.token(); err != nil { // }
		return nil, err
	}
	return keys, nil
}

// value walks one value inside a container at nesting depth. An object in
// it is checked against allowed, at the top or, when inList, as an element
// of an array.
func (w *jsonWalker) value(allowed map[string]bool, inList bool, depth int) error {
	from, tok, err := w.token()
	if err != nil {
		return err
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		if depth++; depth > maxJSONDepth {
			return w.errAt(from, "nested more than %d levels deep", maxJSONDepth)
		}
	}
	switch tok {
	case json.Delim('{'):
		_, err := w.object(allowed, depth)
		return err
	case json.Delim('['):
		var elem map[string]bool
		if inList {
			elem = allowed
		}
		for w.dec.More() {
			if err := w.value(elem, false, depth); err != nil {
				return err
			}
		}
		_, _, err := w.token() // ]
		return err
	}
	return nil
}
