package publish

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// translate gives every item publish read (the items without a link and
// those of every feed set) its translations: the released items that share
// its TranslationKey in other languages, read in one query, after those an
// upstream declared. They are resolved on every publish, from the store,
// so that a partner still held is linked only once released and one
// deleted is no longer linked. A language in which two items carry one key
// is reported, and its items neither link nor are linked, as nothing tells
// which of them is the translation. An item that exists only in its own
// language (translationOnly) links nothing and is linked by nothing; its
// pages say so instead. Archive documents, kept while their items'
// revisions hold, carry only the translations the store holds (an
// upstream's): a link resolved here would go stale in them.
func (p *Publisher) translate(ctx context.Context, unlinked []feeds.Item, sets []feedSet) error {
	var keys []string
	note := func(items []feeds.Item) {
		for _, it := range items {
			if it.TranslationKey != "" {
				keys = append(keys, it.TranslationKey)
			}
		}
	}
	note(unlinked)
	for _, s := range sets {
		note(s.items)
	}
	var links map[string][]feeds.Translation
	if len(keys) > 0 {
		slices.Sort(keys)
		partners, err := p.r.Items(ctx, store.Query{TranslationKeys: slices.Compact(keys)})
		if err != nil {
			return fmt.Errorf("publish: read translations: %w", err)
		}
		links = p.translationLinks(p.withLinks(partners))
	}
	apply := func(items []feeds.Item) {
		for i := range items {
			it := &items[i]
			switch {
			case p.translationOnly(*it):
				it.Translations = nil
			case len(links[it.ID]) > 0:
				// The slice is the store's, which other feed sets share.
				it.Translations = append(slices.Clip(it.Translations), links[it.ID]...)
			}
		}
	}
	apply(unlinked)
	for i := range sets {
		apply(sets[i].items)
	}
	return nil
}

// translationLinks maps the id of each of items (the released items of
// some translation keys, with their links filled in) to the others of its
// key in other languages, ordered by language then id.
func (p *Publisher) translationLinks(items []feeds.Item) map[string][]feeds.Translation {
	groups := map[string][]feeds.Item{}
	var keys []string
	for _, it := range items {
		// A story of no known language has no language to be read in, and
		// its partners could not link back to it.
		if p.translationOnly(it) || it.Language == "" {
			continue
		}
		if _, ok := groups[it.TranslationKey]; !ok {
			keys = append(keys, it.TranslationKey)
		}
		groups[it.TranslationKey] = append(groups[it.TranslationKey], it)
	}
	slices.Sort(keys)
	out := map[string][]feeds.Translation{}
	for _, key := range keys {
		group := groups[key]
		slices.SortFunc(group, func(a, b feeds.Item) int {
			return cmp.Or(strings.Compare(sameLanguage(a.Language), sameLanguage(b.Language)),
				strings.Compare(strings.ToLower(a.Language), strings.ToLower(b.Language)), strings.Compare(a.ID, b.ID))
		})
		// Items of one language are next to each other now.
		var kept []feeds.Item
		for i := 0; i < len(group); {
			j := i + 1
			for j < len(group) && sameLanguage(group[j].Language) == sameLanguage(group[i].Language) {
				j++
			}
			if j-i > 1 {
				ids := make([]string, 0, j-i)
				for _, it := range group[i:j] {
					ids = append(ids, it.ID)
				}
				p.log.Warn("stories share a translation key in one language; none of them is linked as a translation",
					"translation_key", key, "language", group[i].Language, "ids", ids)
			} else {
				kept = append(kept, group[i])
			}
			i = j
		}
		for _, it := range kept {
			for _, other := range kept {
				if other.ID != it.ID {
					out[it.ID] = append(out[it.ID], feeds.Translation{Language: other.Language, ID: other.ID, URL: other.Link})
				}
			}
		}
	}
	return out
}

// sameLanguage is what two tags must share to be one language for
// translations: the language and its script, not the region (en and en-GB,
// zh-Hant and zh-Hant-HK are one language; zh-Hant and zh-Hans are not).
func sameLanguage(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return strings.ToLower(tag)
	}
	base, _ := t.Base()
	key := base.String()
	if script, conf := t.Script(); conf == language.Exact {
		key += "-" + script.String()
	}
	return key
}

// translationOnly reports whether it exists only in its own language: its
// source lists a translation_only_marker its stored title ends in.
func (p *Publisher) translationOnly(it feeds.Item) bool {
	title := strings.TrimSpace(it.Title)
	for _, m := range p.opts.TranslationOnly[it.Source] {
		if m != "" && strings.HasSuffix(title, m) {
			return true
		}
	}
	return false
}

// translationLink is a link to an item's translation, worded in the
// page's language.
type translationLink struct {
	Href     string
	Hreflang string
	Text     string // "Read in Traditional Chinese"
}

// pageTranslations are it's translations as a page of m's language offers
// them, and, for an item that exists only in its own language, the
// sentence that says so instead.
func (p *Publisher) pageTranslations(it feeds.Item, m messages) (links []translationLink, only string) {
	if p.translationOnly(it) {
		return nil, fmt.Sprintf(m.OnlyIn, m.languageName(it.Language))
	}
	for _, tr := range it.Translations {
		if tr.URL == "" || tr.Language == "" {
			continue
		}
		links = append(links, translationLink{Href: tr.URL, Hreflang: tr.Language, Text: fmt.Sprintf(m.ReadIn, m.languageName(tr.Language))})
	}
	return links, ""
}

// languageName is the name of tag in m's language ("Traditional Chinese",
// "繁體中文"); the tag itself when the language has none.
func (m messages) languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	// Only the shipped catalogues' dictionaries are linked in, not every
	// language's.
	var names display.Namer
	switch m.Tag {
	case "zh-Hant":
		names = display.TraditionalChinese.Tags()
	case "zh-Hans":
		names = display.SimplifiedChinese.Tags()
	default:
		names = display.English.Tags()
	}
	if name := names.Name(t); name != "" {
		return name
	}
	return tag
}
