package config

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/feedloom/feedloom/feeds"
)

// Channel is a feed set a partner subscribes to: the items of some
// languages, sources and categories whose title or summary matches.
type Channel struct {
	Name       string   // [a-z0-9][a-z0-9-]*; public/channels/<name>/
	Title      string   // site.title + " — " + name when not set
	Languages  []string // canonical tags; nil for every configured language
	Sources    []string // source names; nil for all
	Categories []string // as written; nil for any (matched by CategoryKey)
	Include    []Match  // any of them, on title and summary; nil for all
	Exclude    []Match  // none of them
	Content    string   // "full", "summary" or "headlines"
	MaxItems   int      // output.max_items when not set
}

// Match is one include or exclude rule: a word or phrase, found anywhere
// ignoring case (CJK text has no word boundaries), or an RE2 regular
// expression written /like this/.
type Match struct {
	Text string         // as written
	Word string         // the folded phrase; "" for a regex
	Re   *regexp.Regexp // nil for a phrase
}

// Matches reports whether m finds its phrase or pattern in text.
func (m Match) Matches(text string) bool {
	if m.Re != nil {
		return m.Re.MatchString(text)
	}
	return strings.Contains(feeds.CategoryKey(text), m.Word)
}

// Content modes of a channel.
const (
	ContentFull      = "full"
	ContentSummary   = "summary"
	ContentHeadlines = "headlines"
)

type rawChannel struct {
	Name       string   `yaml:"name"`
	Title      string   `yaml:"title"`
	Languages  []string `yaml:"languages"`
	Sources    []string `yaml:"sources"`
	Categories []string `yaml:"categories"`
	Include    []string `yaml:"include"`
	Exclude    []string `yaml:"exclude"`
	Content    string   `yaml:"content"`
	MaxItems   *int     `yaml:"max_items"`
}

// channels checks the configured channels against the languages and
// sources already built.
func (b *builder) channels(raw []rawChannel, c *Config) []Channel {
	var out []Channel
	first := map[string]int{}
	reserved := map[string]bool{"all": true}
	for _, l := range c.Languages {
		reserved[feeds.LangFolder(l.Tag)] = true
	}
	for i, r := range raw {
		f := fmt.Sprintf("channels[%d]", i)
		ch := Channel{
			Name: r.Name, Title: r.Title, Categories: r.Categories,
			Content:  cmp.Or(strings.TrimSpace(r.Content), ContentFull),
			MaxItems: b.count(f+".max_items", r.MaxItems, c.Output.MaxItems),
		}
		if ch.Title == "" {
			ch.Title = c.Site.Title + " — " + r.Name
		}
		// embed/<name>.html would be a language's embed page.
		b.name(f+".name", "channel", r.Name, first, reserved)
		for j, tag := range r.Languages {
			field := fmt.Sprintf("%s.languages[%d]", f, j)
			canon := b.lang(field, tag)
			if canon != "" && !slices.ContainsFunc(c.Languages, func(l Language) bool { return strings.EqualFold(l.Tag, canon) }) {
				b.p.at(field, "language %q is not configured (languages)", tag)
			}
			ch.Languages = append(ch.Languages, canon)
		}
		for j, name := range r.Sources {
			if !slices.ContainsFunc(c.Sources, func(s Source) bool { return s.Name == name }) {
				b.p.at(fmt.Sprintf("%s.sources[%d]", f, j), "unknown source %q", name)
			}
		}
		ch.Sources = r.Sources
		for j, cat := range r.Categories {
			if strings.TrimSpace(cat) == "" {
				b.p.at(fmt.Sprintf("%s.categories[%d]", f, j), "must not be empty")
			}
		}
		ch.Include = b.matches(f+".include", r.Include)
		ch.Exclude = b.matches(f+".exclude", r.Exclude)
		switch ch.Content {
		case ContentFull, ContentSummary, ContentHeadlines:
		default:
			b.p.at(f+".content", "unknown content %q (want full, summary or headlines)", r.Content)
		}
		out = append(out, ch)
	}
	return out
}

// matches reads include or exclude rules.
func (b *builder) matches(field string, raw []string) []Match {
	var out []Match
	for i, s := range raw {
		f := fmt.Sprintf("%s[%d]", field, i)
		m := Match{Text: s}
		if len(s) >= 2 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
			re, err := regexp.Compile(s[1 : len(s)-1])
			if err != nil {
				b.p.at(f, "not a valid regular expression: %v", err)
				continue
			}
			m.Re = re
		} else if m.Word = feeds.CategoryKey(s); m.Word == "" {
			b.p.at(f, "must not be empty")
			continue
		}
		out = append(out, m)
	}
	return out
}

// categories checks output.categories: each names a category once.
func (b *builder) categories(field string, raw []string) []string {
	seen := map[string]bool{}
	for i, c := range raw {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch k := feeds.CategoryKey(c); {
		case k == "":
			b.p.at(f, "must not be empty")
		case seen[k]:
			b.p.at(f, "category %q is listed twice (categories ignore case)", c)
		default:
			seen[k] = true
		}
	}
	return raw
}

// String is the rule as written, which names it in messages and
// fingerprints.
func (m Match) String() string { return m.Text }
