package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// maxRepairs bounds how many wrongly typed fields one JSON Feed may have
// left out before its parse fails as gofeed's did.
const maxRepairs = 8

// leaveOutMistyped is doc, a JSON Feed that gofeed could not decode because
// of mistyped, the value of a field not of the type the spec gives it (an
// object where authors is a list, a number where a title is a string),
// with that field left out wherever it has a value of that JSON type: in
// the feed object when the field is the feed's, in every item when it is
// an item's. What each item has right is kept, where gofeed gives up on
// the whole document and its every item. It returns the field's name, and
// false when the error does not name a field it can find.
func leaveOutMistyped(doc []byte, mistyped *json.UnmarshalTypeError) ([]byte, string, bool) {
	// gofeed decodes through type aliases, which the path names too:
	// ".alias.items.alias.authors" is an item's authors.
	var path []string
	for _, p := range strings.Split(mistyped.Field, ".") {
		if p != "" && p != "alias" {
			path = append(path, p)
		}
	}
	if len(path) == 0 || len(path) > 2 || (len(path) == 2 && path[0] != "items") {
		return nil, "", false
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber() // numbers go back as they came
	var feed map[string]any
	if err := d.Decode(&feed); err != nil {
		return nil, "", false
	}
	field := path[len(path)-1]
	objects := []any{feed}
	if len(path) == 2 {
		items, _ := feed["items"].([]any)
		objects = items
	}
	removed := false
	for _, o := range objects {
		m, ok := o.(map[string]any)
		if !ok {
			continue
		}
		if v, has := m[field]; has && jsonKind(v) == strings.Fields(mistyped.Value + " ?")[0] {
			delete(m, field)
			removed = true
		}
	}
	if !removed {
		return nil, "", false
	}
	out, err := json.Marshal(feed)
	if err != nil {
		return nil, "", false
	}
	return out, strings.Join(path, "."), true
}

// jsonKind names a decoded JSON value's type as json.UnmarshalTypeError's
// Value does.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return ""
}

// mistypedField is the *json.UnmarshalTypeError err holds, or nil.
func mistypedField(err error) *json.UnmarshalTypeError {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return ute
	}
	return nil
}
