package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An upstream that answers 200 mostly repeats the entries it sent before,
// byte for byte, and gofeed's parse of those is most of what a refresh
// costs. layout finds where each entry's bytes lie without parsing the
// document, so that the entries already stored can be cut out before gofeed
// reads the rest. It only finds; what an entry says is gofeed's to read. A
// document it cannot follow (a DOCTYPE with an internal subset, whose
// entities may stand for anything; an end tag that closes no open element;
// anything unterminated) is parsed whole, as before.

// span is a byte range [start, end) of a document.
type span struct{ start, end int }

// layout is a document as a frame around its entries: RSS items, Atom
// entries or JSON Feed items, in document order.
type layout struct {
	json    bool
	entries []span // each entry's own bytes
	// XML: holder is where the start tag of each entry's parent (the
	// channel, or the root) begins, so that an entry's hash says which of
	// the frame's elements held it.
	holder []int
	// XML: cuts[i] is what leaving entry i out removes, its bytes and the
	// blank text before them, so that the frame reads the same whatever
	// the number of entries. volatile are the channel's (or Atom feed's)
	// dates, generator and ttl, cut the same way, left out of the frame's
	// hash: a feed rewrites them on every change and no story reads them.
	cuts, volatile []span
	// XML: inner are the contents of the entries' children (between
	// their start and end tags), entry their entries' indexes: what the
	// side readings (readAtomEntries, readRSSItems), which read those
	// children's attributes only, need not read.
	inner []span
	entry []int
	// JSON: the items array's brackets.
	open, close int
}

// volatileNames are the local names of the channel's or feed's children
// that a story never reads (translate reads the feed's title, link,
// language, authors and id): they are still parsed every time, for the
// feed's own use (ttl), but left out of what an entry's hash covers.
var volatileNames = map[string]bool{
	"lastBuildDate": true, "pubDate": true, "updated": true, "date": true,
	"generator": true, "ttl": true,
	"modified": true, // Atom 0.3's updated
	"items":    true, // an RSS 1.0 channel's list of its items
}

// split finds the layout of a UTF-8 document; false when it cannot.
func split(b []byte) (layout, bool) {
	if isJSON(b) {
		return splitJSON(b)
	}
	return splitXML(b)
}

// maxDepth bounds the scan's element stack: deeper documents are parsed
// whole.
const maxDepth = 256

// splitXML scans an XML document's markup: comments, CDATA sections,
// processing instructions, a DOCTYPE without an internal subset, start and
// end tags with their quoted attribute values. Entries are <item> children
// of the channel (RSS 0.9x, 2.0) or of an RDF root (RSS 0.90, 1.0), and
// <entry> children of a feed root (Atom).
func splitXML(b []byte) (layout, bool) {
	var l layout
	type elem struct {
		name  []byte
		local string
		at    int    // where its start tag begins
		ns    string // the default namespace in scope (the root's and the channel's only)
	}
	var stack []elem
	item, vol := -1, -1 // depth of the open entry or volatile element, -1 when none
	start := 0          // where that element's start tag begins
	child := 0          // where the content of the entry's open child begins
	roots, channels := 0, 0
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest[4:], []byte("-->"))
			if k < 0 {
				return layout{}, false
			}
			i += 4 + k + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest[9:], []byte("]]>"))
			if k < 0 || len(stack) == 0 {
				return layout{}, false
			}
			i += 9 + k + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			k := bytes.Index(rest[2:], []byte("?>"))
			if k < 0 {
				return layout{}, false
			}
			i += 2 + k + 2
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
			k, ok := tagEnd(rest, 9, true)
			if !ok || len(stack) > 0 || roots > 0 {
				return layout{}, false
			}
			i += k + 1
		case bytes.HasPrefix(rest, []byte("<!")):
			return layout{}, false
		case bytes.HasPrefix(rest, []byte("</")):
			n := nameEnd(rest, 2)
			k := bytes.IndexByte(rest, '>')
			if k < 0 || len(stack) == 0 || len(bytes.TrimSpace(rest[n:k])) != 0 ||
				!bytes.Equal(rest[2:n], stack[len(stack)-1].name) {
				return layout{}, false
			}
			stack = stack[:len(stack)-1]
			end := i + k + 1
			switch d := len(stack); {
			case item >= 0 && d == item+1:
				l.inner = append(l.inner, span{child, i})
				l.entry = append(l.entry, len(l.entries))
			case item >= 0 && d == item:
				l.entries = append(l.entries, span{start, end})
				l.cuts = append(l.cuts, span{blankBefore(b, start), end})
				l.holder = append(l.holder, stack[item-1].at)
				item = -1
			case vol >= 0 && d == vol:
				l.volatile = append(l.volatile, span{blankBefore(b, start), end})
				vol = -1
			}
			i = end
		default:
			n := nameEnd(rest, 1)
			k, ok := tagEnd(rest, n, false)
			if n == 1 || !ok {
				return layout{}, false
			}
			empty := rest[k-1] == '/'
			name := rest[1:n]
			local := string(name[bytes.LastIndexByte(name, ':')+1:])
			depth := len(stack)
			if depth == 0 {
				if roots++; roots > 1 {
					return layout{}, false
				}
			}
			root := ""
			if depth > 0 {
				root = stack[0].local
			}
			if depth == 1 && strings.EqualFold(local, "channel") {
				// gofeed keeps the last channel's items only.
				if channels++; channels > 1 {
					return layout{}, false
				}
			}
			inChannel := depth == 2 && string(stack[1].name) == "channel"
			inFeed := depth == 1 && root == "feed"
			ns := ""
			if depth > 0 {
				ns = stack[depth-1].ns
			}
			if depth <= 1 {
				declared, has, ok := defaultNamespace(rest[n:k])
				if !ok {
					return layout{}, false
				}
				if has {
					ns = declared
				}
			}
			var isEntry bool
			if item < 0 && (strings.EqualFold(local, "item") || strings.EqualFold(local, "entry")) {
				// Only entries as gofeed takes them, in the order it lists
				// them: unprefixed, in no namespace of their own, items of
				// an RSS channel or of an RDF root (whose channel holds
				// none), entries of an Atom feed, each in a default
				// namespace gofeed reads as its format's. Anything else
				// gofeed might take for one (<Item>, <x:entry>, an RDF
				// channel's item, an entry of <feed xmlns="urn:other">)
				// and the document is parsed whole.
				isEntry = string(name) == local && !bytes.Contains(rest[n:k], []byte("xmlns")) &&
					(local == "item" && (root == "rss" && inChannel || root == "RDF" && depth == 1) && rssNative(ns) ||
						local == "entry" && inFeed && atomName(xml.Name{Space: ns, Local: local}) == "entry")
				if !isEntry {
					return layout{}, false
				}
			}
			isVolatile := item < 0 && vol < 0 && !isEntry && volatileNames[local] && (inChannel || inFeed)
			end := i + k + 1
			switch {
			case empty && isEntry:
				l.entries = append(l.entries, span{i, end})
				l.cuts = append(l.cuts, span{blankBefore(b, i), end})
				l.holder = append(l.holder, stack[depth-1].at)
			case empty && isVolatile:
				l.volatile = append(l.volatile, span{blankBefore(b, i), end})
			case !empty:
				if depth == maxDepth {
					return layout{}, false
				}
				switch {
				case isEntry:
					item, start = depth, i
				case isVolatile:
					vol, start = depth, i
				case item >= 0 && depth == item+1:
					child = end
				}
				stack = append(stack, elem{name: name, local: local, at: i, ns: ns})
			}
			i = end
		}
	}
	if len(stack) > 0 || roots != 1 {
		return layout{}, false
	}
	return l, true
}

// defaultNamespace reads the default namespace that a start tag's
// attributes (attrs: from the end of its name to its '>') declare, trimmed
// as gofeed compares it; has is false when they declare none. ok is false
// when an attribute is not written as XML writes one (no value, no quotes,
// a declaration given twice or holding a reference): gofeed's lenient
// decoder reads those its own way, so the document is parsed whole.
func defaultNamespace(attrs []byte) (ns string, has, ok bool) {
	if !bytes.Contains(attrs, []byte("xmlns")) {
		return "", false, true
	}
	i := 0
	for {
		i = skipBlank(attrs, i)
		if i == len(attrs) || i == len(attrs)-1 && attrs[i] == '/' {
			return ns, has, true
		}
		n := i
		for n < len(attrs) && !isBlank(attrs[n]) && attrs[n] != '=' {
			n++
		}
		name := attrs[i:n]
		j := skipBlank(attrs, n)
		if j == len(attrs) || attrs[j] != '=' {
			return "", false, false
		}
		j = skipBlank(attrs, j+1)
		if j == len(attrs) || attrs[j] != '"' && attrs[j] != '\'' {
			return "", false, false
		}
		e := bytes.IndexByte(attrs[j+1:], attrs[j])
		if e < 0 {
			return "", false, false
		}
		if string(name) == "xmlns" {
			val := attrs[j+1 : j+1+e]
			if has || bytes.ContainsAny(val, "&<") {
				return "", false, false
			}
			ns, has = strings.TrimSpace(string(val)), true
		}
		i = j + 1 + e + 1
	}
}

// nameEnd is where the name starting at b[from] ends.
func nameEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\r', '\n', '/', '>', '<', '"', '\'', '=':
			return i
		}
	}
	return len(b)
}

// tagEnd is the index of the '>' that closes the tag b starts with,
// looking from b[from] on and over quoted values. A '<' outside quotes
// ends the scan; in a DOCTYPE, so does a '[' (an internal subset).
func tagEnd(b []byte, from int, doctype bool) (int, bool) {
	for i := from; i < len(b); i++ {
		switch c := b[i]; c {
		case '"', '\'':
			k := bytes.IndexByte(b[i+1:], c)
			if k < 0 {
				return 0, false
			}
			i += 1 + k
		case '>':
			return i, true
		case '<':
			return 0, false
		case '[':
			if doctype {
				return 0, false
			}
		}
	}
	return 0, false
}

// blankBefore is where the blank text before b[i] starts, when a tag ends
// right before it; else i.
func blankBefore(b []byte, i int) int {
	j := i
	for j > 0 && isBlank(b[j-1]) {
		j--
	}
	if j > 0 && j < i && b[j-1] == '>' {
		return j
	}
	return i
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// splitJSON finds a JSON Feed's items: the values of the array under the
// top-level key encoding/json would decode as "items" (it matches keys
// without regard to case). A key written with escapes, or two such keys,
// and the document is parsed whole.
func splitJSON(b []byte) (layout, bool) {
	l := layout{json: true, open: -1}
	i := skipBlank(b, 0)
	if i >= len(b) || b[i] != '{' {
		return layout{}, false
	}
	i = skipBlank(b, i+1)
	if i < len(b) && b[i] == '}' {
		return layout{}, false
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return layout{}, false
		}
		k, ok := jsonString(b, i)
		if !ok {
			return layout{}, false
		}
		key := b[i+1 : k-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return layout{}, false
		}
		i = skipBlank(b, k)
		if i >= len(b) || b[i] != ':' {
			return layout{}, false
		}
		i = skipBlank(b, i+1)
		if bytes.EqualFold(key, []byte("items")) {
			if l.open >= 0 || i >= len(b) || b[i] != '[' {
				return layout{}, false
			}
			var ok bool
			if i, ok = l.jsonItems(b, i); !ok {
				return layout{}, false
			}
		} else {
			var ok bool
			if i, ok = jsonValue(b, i, 0); !ok {
				return layout{}, false
			}
		}
		i = skipBlank(b, i)
		if i >= len(b) {
			return layout{}, false
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return layout{}, false
		}
		i = skipBlank(b, i+1)
	}
	if l.open < 0 || skipBlank(b, i+1) != len(b) {
		return layout{}, false
	}
	return l, true
}

// jsonItems records the values of the array at b[i] as entries and
// returns where the array ends.
func (l *layout) jsonItems(b []byte, i int) (int, bool) {
	l.open = i
	i = skipBlank(b, i+1)
	if i < len(b) && b[i] == ']' {
		l.close = i
		return i + 1, true
	}
	for {
		end, ok := jsonValue(b, i, 0)
		if !ok {
			return 0, false
		}
		l.entries = append(l.entries, span{i, end})
		i = skipBlank(b, end)
		if i >= len(b) {
			return 0, false
		}
		if b[i] == ']' {
			l.close = i
			return i + 1, true
		}
		if b[i] != ',' {
			return 0, false
		}
		i = skipBlank(b, i+1)
	}
}

// jsonValue returns where the JSON value at b[i] ends. It checks
// structure, not every rule (a number's digits): gofeed reads what is kept,
// and what is cut was stored from a document gofeed read.
func jsonValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return 0, false
	}
	switch b[i] {
	case '"':
		return jsonString(b, i)
	case '{', '[':
		closer := byte('}')
		if b[i] == '[' {
			closer = ']'
		}
		object := b[i] == '{'
		i = skipBlank(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1, true
		}
		for {
			if object {
				if i >= len(b) || b[i] != '"' {
					return 0, false
				}
				k, ok := jsonString(b, i)
				if !ok {
					return 0, false
				}
				i = skipBlank(b, k)
				if i >= len(b) || b[i] != ':' {
					return 0, false
				}
				i = skipBlank(b, i+1)
			}
			end, ok := jsonValue(b, i, depth+1)
			if !ok {
				return 0, false
			}
			i = skipBlank(b, end)
			if i >= len(b) {
				return 0, false
			}
			if b[i] == closer {
				return i + 1, true
			}
			if b[i] != ',' {
				return 0, false
			}
			i = skipBlank(b, i+1)
		}
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i, i > start
		case '"', '{', '[', ':':
			return 0, false
		}
		i++
	}
	return i, i > start
}

// jsonString returns where the string starting at b[i] ends.
func jsonString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

func skipBlank(b []byte, i int) int {
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}

// splitVersion names the reading of an entry's bytes into a story by this
// package. readerVersion adds the build's own identity, so that a new
// feedloom reads every entry again once; bump it for a change a
// development build would carry under the same identity.
const splitVersion = "feed-entries/3"

// readerVersion is what reads an entry's bytes into a story: splitVersion,
// gofeed's module version, the Go release (its time package reads the
// dates) and the build's version, or its VCS revision when it has none.
func readerVersion() string {
	v := splitVersion + " " + runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	for _, m := range bi.Deps {
		if m.Path == "github.com/mmcdole/gofeed" {
			v += " gofeed " + m.Version
			if m.Replace != nil {
				v += " => " + m.Replace.Path + " " + m.Replace.Version
			}
		}
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return v + " " + bi.Main.Version
	}
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" || st.Key == "vcs.modified" {
			v += " " + st.Value
		}
	}
	return v
}

// zoneKey stands for what z does to zoneless dates: its name and its
// offset on the first and the fifteenth of every month of the years feeds
// are dated in, so that a zone of the same name with other rules (new
// tzdata) gives another key.
func zoneKey(z *time.Location) string {
	h := sha256.New()
	var buf [8]byte
	for t := time.Date(1990, 1, 1, 12, 0, 0, 0, time.UTC); t.Year() < 2040; t = next(t) {
		_, off := t.In(z).Zone()
		binary.BigEndian.PutUint64(buf[:], uint64(int64(off)))
		h.Write(buf[:])
	}
	return z.String() + " " + hex.EncodeToString(h.Sum(nil)[:8])
}

// HashKeys holds the reader's version and the zone keys of entry hashes,
// each made once: a zone key takes about 0.1 ms and the version reads the
// build information, which a build of a thousand feeds listed in config,
// each with a Shared of its own, paid for every feed that answered.
type HashKeys struct {
	mu     sync.Mutex
	reader string
	zones  map[*time.Location]string
}

// get returns readerVersion and zoneKey(z), made on the first call for z.
// A nil *HashKeys makes them every time.
func (k *HashKeys) get(z *time.Location) (reader, zone string) {
	if k == nil {
		return readerVersion(), zoneKey(z)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.zones == nil {
		k.reader, k.zones = readerVersion(), map[*time.Location]string{}
	}
	zone, ok := k.zones[z]
	if !ok {
		zone = zoneKey(z)
		k.zones[z] = zone
	}
	return k.reader, zone
}

// next is the fifteenth of t's month after the first, else the first of
// the next month.
func next(t time.Time) time.Time {
	if t.Day() == 1 {
		return t.AddDate(0, 0, 14)
	}
	return t.AddDate(0, 1, -14)
}

// hashes returns the hash of each of the document's first n entries: of the
// entry's bytes, and of all else its story depends on — the frame (every
// byte of the document but entries and volatile elements) and where in it
// the entry's parent is, the document's URL, the zone zoneless dates are
// read in, the reader's version and salt (the caller's rules and settings).
func (l layout) hashes(b []byte, n int, salt, docURL, zone, reader string) []string {
	h := sha256.New()
	for _, s := range []string{reader, salt, docURL, zone} {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	if l.json {
		h.Write([]byte("json:"))
		h.Write(b[:l.open+1])
		h.Write(b[l.close:])
	}
	var holder []int // each entry's parent's place in the frame
	if !l.json {
		h.Write([]byte("xml:"))
		spans := mergeSpans(l.cuts, l.volatile)
		cut := make([]int, len(spans)+1) // cut[i]: the bytes spans[:i] take
		at := 0
		for i, s := range spans {
			h.Write(b[at:s.start])
			cut[i+1] = cut[i] + s.end - s.start
			at = s.end
		}
		h.Write(b[at:])
		holder = make([]int, len(l.holder))
		for i, p := range l.holder {
			// A parent lies in no span: the spans before it are those
			// that start before it.
			k, _ := slices.BinarySearchFunc(spans, p, func(s span, p int) int { return s.start - p })
			holder[i] = p - cut[k]
		}
	}
	frame := h.Sum(nil)
	out := make([]string, 0, n)
	for i, e := range l.entries[:n] {
		h.Reset()
		h.Write(frame)
		if holder != nil {
			h.Write([]byte(strconv.Itoa(holder[i]) + ":"))
		}
		h.Write(b[e.start:e.end])
		out = append(out, hex.EncodeToString(h.Sum(nil)[:16]))
	}
	return out
}

// side is without's document for the side readings: the entries kept have
// their children's contents cut out too.
func (l layout) side(b []byte, keep func(i int) bool) []byte {
	var drop []span
	for i, c := range l.cuts {
		if !keep(i) {
			drop = append(drop, c)
		}
	}
	var inner []span
	for k, sp := range l.inner {
		if keep(l.entry[k]) {
			inner = append(inner, sp)
		}
	}
	out := make([]byte, 0, len(b)/4)
	at := 0
	for _, sp := range mergeSpans(drop, inner) {
		out = append(out, b[at:sp.start]...)
		at = sp.end
	}
	return append(out, b[at:]...)
}

// mergeSpans merges two sorted lists of disjoint spans.
func mergeSpans(a, b []span) []span {
	out := append(slices.Clip(a), b...)
	slices.SortFunc(out, func(x, y span) int { return x.start - y.start })
	return out
}

// without is the document with only the entries keep reports: the rest are
// cut out, the frame left as it was.
func (l layout) without(b []byte, keep func(i int) bool) []byte {
	out := make([]byte, 0, len(b))
	if l.json {
		out = append(out, b[:l.open+1]...)
		first := true
		for i, e := range l.entries {
			if !keep(i) {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = append(out, b[e.start:e.end]...)
		}
		return append(out, b[l.close:]...)
	}
	at := 0
	for i, c := range l.cuts {
		if keep(i) {
			continue
		}
		out = append(out, b[at:c.start]...)
		at = c.end
	}
	return append(out, b[at:]...)
}
