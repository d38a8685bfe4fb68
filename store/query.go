package store

import (
	"fmt"
	"strings"
	"time"
)

// ItemsSQL is a backend's text for each part of the statement that Items
// runs; Build puts the parts a Query needs together in one order for every
// backend. A part that takes arguments holds a %d for the position (1, 2,
// …) of each, to be formatted into the backend's placeholder.
type ItemsSQL struct {
	// Select reads the columns ReadItems decodes and ends in a WHERE
	// clause that holds for every item, so that each filter below can
	// begin with AND. Its %s is the content column's expression.
	Select string
	// SparseSelect is Select for Query.Sparse: the same columns, all but
	// the ones Sparse fills given as constants, and extra holding only
	// the categories.
	SparseSelect string
	// Released keeps only items that are not held.
	Released string
	// Source keeps one source's items: %d is the source.
	Source string
	// Language is RFC 4647 basic filtering on the lower-case tag: the
	// first %d is the tag itself, the second a LIKE pattern (ESCAPE '\')
	// for the tag and "-" followed by more subtags.
	Language string
	// Unlinked keeps only items with no link of their own.
	Unlinked string
	// IDs, LinkKeys and ExceptFiles keep items whose id, link key or file
	// is (for ExceptFiles: is not) in the list %d, which List encodes.
	IDs, LinkKeys, ExceptFiles string
	// TranslationKeys keeps items whose translation key, kept in the
	// extra column, is in the list %d.
	TranslationKeys string
	// List encodes a list of strings as the backend takes it.
	List func([]string) any
	// PublishedFrom keeps items published at or after %d, PublishedBefore
	// items published before %d; Time encodes either time as the backend
	// stores it.
	PublishedFrom, PublishedBefore string
	Time                           func(time.Time) any
	// Order sorts newest first, then by id in byte order; StoredOrder by
	// seq.
	Order, StoredOrder string
	// Limit takes at most %d rows.
	Limit string
}

// Build returns the statement that selects q's items, and its arguments.
func (p ItemsSQL) Build(q Query) (string, []any) {
	var query strings.Builder
	var args []any
	// arg adds a part and the arguments its %d stand for.
	arg := func(part string, values ...any) {
		var nums []any
		for _, v := range values {
			args = append(args, v)
			nums = append(nums, len(args))
		}
		fmt.Fprintf(&query, part, nums...)
	}
	content := "content"
	if q.NoContent {
		content = "''"
	}
	if q.Sparse {
		query.WriteString(p.SparseSelect)
	} else {
		fmt.Fprintf(&query, p.Select, content)
	}
	if !q.IncludeHeld {
		query.WriteString(p.Released)
	}
	if q.Source != "" {
		arg(p.Source, q.Source)
	}
	if q.Language != "" {
		lang := strings.ToLower(q.Language)
		arg(p.Language, lang, escapeLike(lang)+"-%")
	}
	if q.Unlinked {
		query.WriteString(p.Unlinked)
	}
	if q.IDs != nil {
		arg(p.IDs, p.List(q.IDs))
	}
	if q.LinkKeys != nil {
		arg(p.LinkKeys, p.List(q.LinkKeys))
	}
	if q.TranslationKeys != nil {
		arg(p.TranslationKeys, p.List(q.TranslationKeys))
	}
	if len(q.ExceptFiles) > 0 {
		arg(p.ExceptFiles, p.List(q.ExceptFiles))
	}
	if !q.PublishedFrom.IsZero() {
		arg(p.PublishedFrom, p.Time(q.PublishedFrom))
	}
	if !q.PublishedBefore.IsZero() {
		arg(p.PublishedBefore, p.Time(q.PublishedBefore))
	}
	if q.Stored {
		query.WriteString(p.StoredOrder)
	} else {
		query.WriteString(p.Order)
	}
	if q.Limit > 0 {
		arg(p.Limit, q.Limit)
	}
	return query.String(), args
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
