package files

import (
	"strconv"
	"strings"

	"github.com/feedloom/feedloom/sources"
)

// listing is a plain-text news listing (.txt) as written: a page title, an
// optional year line, then stories that each start with a category label
// line. Blank lines carry no meaning and are dropped.
type listing struct {
	Title   string
	Year    int // 0 when the listing has no year line
	Stories []listingStory
}

// listingStory is one story of a listing: its label line, its title line and
// every following line up to the next label, one paragraph each.
type listingStory struct {
	Line  int // of the label
	Label string
	Title string
	Paras []string
}

// textLine is a non-blank line, trimmed, with its 1-based number.
type textLine struct {
	n int
	s string
}

// parseListing reads a listing. With labels, a line equal to one of them
// starts a story; without, the first line after the header is the label and
// every later line equal to it starts a story, so no category word is
// built in.
func parseListing(data []byte, labels []string) (listing, error) {
	text, err := decodeText(data, "story listing")
	if err != nil {
		return listing{}, err
	}
	var lines []textLine
	for i, s := range strings.Split(text, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, textLine{n: i + 1, s: s})
		}
	}
	if len(lines) == 0 {
		return listing{}, errAt(1, 0, "empty file")
	}

	var l listing
	l.Title = lines[0].s
	i := 1
	if i < len(lines) && isYear(lines[i].s) {
		l.Year, _ = strconv.Atoi(lines[i].s)
		i++
	}
	if i == len(lines) {
		return listing{}, errAt(lines[i-1].n, 0, "listing has a header but no stories")
	}

	isLabel, err := labelSet(lines[i:], labels)
	if err != nil {
		return listing{}, err
	}
	for i < len(lines) {
		st := listingStory{Line: lines[i].n, Label: lines[i].s}
		i++
		if i == len(lines) || isLabel[lines[i].s] {
			return listing{}, errAt(st.Line, 0, "label %q has no title line after it", st.Label)
		}
		st.Title = lines[i].s
		for i++; i < len(lines) && !isLabel[lines[i].s]; i++ {
			st.Paras = append(st.Paras, lines[i].s)
		}
		l.Stories = append(l.Stories, st)
	}
	return l, nil
}

// labelSet returns the lines that start a story: the configured labels, or
// else the first line of body, which must itself be a label.
func labelSet(body []textLine, labels []string) (map[string]bool, error) {
	set := make(map[string]bool)
	for _, lb := range labels {
		if lb = strings.TrimSpace(lb); lb != "" {
			set[lb] = true
		}
	}
	if len(set) == 0 {
		set[body[0].s] = true
		return set, nil
	}
	if set[body[0].s] {
		return set, nil
	}
	names := strings.Join(quoteAll(labels), ", ")
	for _, ln := range body {
		if set[ln.s] {
			return nil, errAt(body[0].n, 0, "expected a label (%s), found %q", names, body[0].s)
		}
	}
	return nil, errAt(body[0].n, 0, "no label found (labels: %s)", names)
}

// isYear reports whether s is a year line: exactly four ASCII digits.
func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quoteAll quotes the labels that are not blank, for messages.
func quoteAll(list []string) []string {
	var q []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			q = append(q, strconv.Quote(s))
		}
	}
	return q
}

// stories translates the listing. A story's category is its label and its
// body is plain text; the year line travels with every story so that a
// month and day in the text can be dated.
func (l listing) stories() []sources.Story {
	out := make([]sources.Story, len(l.Stories))
	for i, s := range l.Stories {
		out[i] = sources.Story{
			Line:       s.Line,
			Position:   i,
			Title:      s.Title,
			Text:       s.Paras,
			Categories: []string{s.Label},
			Year:       l.Year,
		}
	}
	return out
}
