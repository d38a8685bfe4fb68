package scheduler

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// storyHash is the hash of a story as normalize would be given it, under
// the normalizer's key for its source: a change of the story, of the rules
// or of the settings gives another. The story's position and line are left
// out: a feed moves its items down as new ones come, and a stored item
// keeps the position it was first seen at. Every other field is written,
// each string with its length, so that no two stories write the same bytes
// (TestStoryHashCoversEveryField keeps the list whole).
func storyHash(key string, st *sources.Story) string {
	w := storyHasher{h: sha256.New()}
	w.str(key)
	w.str(st.File)
	w.str(st.ID)
	w.str(st.Title)
	w.bool(st.TitleHTML)
	w.str(st.Link)
	w.str(st.Base)
	w.str(st.ContentBase)
	w.str(st.Summary)
	w.bool(st.SummaryHTML)
	w.str(st.Content)
	w.int(int64(len(st.Text)))
	for _, p := range st.Text {
		w.str(p)
	}
	w.int(int64(len(st.Authors)))
	for _, a := range st.Authors {
		w.str(a.Name)
		w.str(a.Email)
		w.str(a.URL)
	}
	w.int(int64(len(st.Categories)))
	for _, c := range st.Categories {
		w.str(c)
	}
	w.str(st.Language)
	w.str(st.FeedLanguage)
	w.str(st.Image)
	w.int(int64(len(st.Enclosures)))
	for _, e := range st.Enclosures {
		w.str(e.URL)
		w.str(e.Type)
		w.int(e.Length)
	}
	w.time(st.Published)
	w.bool(st.DateOnly)
	w.time(st.Updated)
	w.int(int64(st.Year))
	w.str(st.DateText)
	w.bool(st.Origin != nil)
	if o := st.Origin; o != nil {
		w.str(o.Title)
		w.str(o.ID)
		w.str(o.Link)
	}
	w.bool(st.OriginHTML)
	w.str(st.TranslationKey)
	w.int(int64(len(st.Translations)))
	for _, tr := range st.Translations {
		w.str(tr.Language)
		w.str(tr.ID)
		w.str(tr.URL)
	}
	return hex.EncodeToString(w.h.Sum(nil)[:16])
}

// storyHasher writes values into a hash unambiguously.
type storyHasher struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func (w *storyHasher) int(n int64) {
	w.h.Write(w.buf[:binary.PutVarint(w.buf[:], n)])
}

func (w *storyHasher) str(s string) {
	w.int(int64(len(s)))
	w.h.Write([]byte(s))
}

func (w *storyHasher) bool(b bool) {
	if b {
		w.int(1)
	} else {
		w.int(0)
	}
}

// time writes the instant and the zone's offset, which normalize reads for
// a zoneless date's day.
func (w *storyHasher) time(t time.Time) {
	if t.IsZero() {
		w.int(0)
		return
	}
	_, off := t.Zone()
	w.int(1)
	w.int(t.UnixNano())
	w.int(int64(off))
	w.str(t.Location().String())
}
