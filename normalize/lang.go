package normalize

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/language"

	"github.com/feedloom/feedloom/feeds"
)

// The block of Han runes whose variant class is computed once when a Detector
// is built: CJK Extension A and the CJK Unified Ideographs. Runes outside it
// (the supplementary extensions) are rare and classified on demand.
const (
	hanTableLo = 0x3400
	hanTableHi = 0x9FFF
)

// detectLimit caps how many letters Detect reads: the first few hundred
// letters of a story decide its language as well as the whole of it does.
const detectLimit = 2000

// Detector tells English, Japanese and the Chinese variants apart by script.
// It is safe for concurrent use.
type Detector struct {
	once   sync.Once
	tables *hanTables // nil until loaded, and when loading failed
	err    error
}

// hanTables tell the Chinese variants apart.
type hanTables struct {
	t2s, s2t *opencc.OpenCC
	// trad and simp are bitsets over [hanTableLo, hanTableHi]: runes that only
	// Traditional (resp. Simplified) Chinese writes.
	trad, simp []uint64
}

// NewDetector loads OpenCC's t2s and s2t tables (about 35 ms) and classifies
// the common Han block once.
//
// The opencc package registers a "-dir" flag on flag.CommandLine when it is
// imported; feedloom never parses flag.CommandLine (every command has its own
// flag.FlagSet), so that flag can neither show up in help nor collide.
func NewDetector() (*Detector, error) {
	d := NewLazyDetector()
	if err := d.load(); err != nil {
		return nil, err
	}
	return d, nil
}

// NewLazyDetector returns a Detector that loads its tables when it first
// meets a Han character, so that a process with nothing to detect (a build
// that finds nothing changed) does not pay for them. Should they fail to
// load, which NewDetector would have reported, it tells no Chinese variant
// apart: Han text is "zh".
func NewLazyDetector() *Detector { return &Detector{} }

func (d *Detector) load() error {
	d.once.Do(func() { d.tables, d.err = loadHanTables() })
	return d.err
}

func loadHanTables() (*hanTables, error) {
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("normalize: load opencc t2s: %w", err)
	}
	s2t, err := opencc.New("s2t")
	if err != nil {
		return nil, fmt.Errorf("normalize: load opencc s2t: %w", err)
	}
	d := &hanTables{t2s: t2s, s2t: s2t}
	words := (hanTableHi-hanTableLo)/64 + 1
	d.trad = make([]uint64, words)
	d.simp = make([]uint64, words)
	for r := rune(hanTableLo); r <= hanTableHi; r++ {
		i := r - hanTableLo
		if onlyIn(t2s, r) {
			d.trad[i/64] |= 1 << (i % 64)
		}
		if onlyIn(s2t, r) {
			d.simp[i/64] |= 1 << (i % 64)
		}
	}
	return d, nil
}

// onlyIn reports whether conversion cc changes r and r is not itself one of
// the candidates cc lists for it. The second test keeps characters both
// scripts write (台, 后, 於 …) from counting for either.
func onlyIn(cc *opencc.OpenCC, r rune) bool {
	s := string(r)
	out, err := cc.Convert(s)
	if err != nil || out == s {
		return false
	}
	for _, g := range cc.DictChains {
		for _, d := range g.Dicts {
			m, err := d.PrefixMatch(s)
			if err != nil {
				continue
			}
			for _, cand := range m[s] {
				if cand == s {
					return false
				}
			}
		}
	}
	return true
}

func (d *hanTables) isTrad(r rune) bool {
	if r >= hanTableLo && r <= hanTableHi {
		i := r - hanTableLo
		return d.trad[i/64]&(1<<(i%64)) != 0
	}
	return onlyIn(d.t2s, r)
}

func (d *hanTables) isSimp(r rune) bool {
	if r >= hanTableLo && r <= hanTableHi {
		i := r - hanTableLo
		return d.simp[i/64]&(1<<(i%64)) != 0
	}
	return onlyIn(d.s2t, r)
}

// Detect returns the language of text: "en" when Latin words outnumber the
// Han, kana and Hangul letters, "ko" when Hangul outnumbers kana and makes up
// a tenth or more of those letters, "ja" when kana make up a tenth or more of
// them, else "zh-Hant" or "zh-Hans" by which variant's own characters are
// more numerous, and "zh" when they tie (中文版本). It returns "" when text
// has no letters of those scripts or they tie. Only the first 2000 letters
// are read.
//
// Latin is counted in words, not letters: one Han character carries about as
// much as one English word, so a Chinese sentence quoting English names
// (麻省理工學院(Massachusetts Institute of Technology)) stays Chinese and an
// English one quoting a Chinese name stays English.
func (d *Detector) Detect(text string) string {
	var letters, words, han, kana, hangul, trad, simp int
	inWord := false
	var tables *hanTables
	for _, r := range text {
		latin := false
		switch {
		case r < utf8.RuneSelf:
			// ASCII, most of many texts: its Latin letters are A-Z and a-z,
			// and it holds no Han, kana or combining mark.
			if latin = 'a' <= r|0x20 && r|0x20 <= 'z'; !latin {
				inWord = false
				continue
			}
			if !inWord {
				words++
			}
		case 0x4E00 <= r && r <= 0x9FFF || unicode.Is(unicode.Han, r):
			// The CJK Unified Ideographs block, all Han, holds nearly every
			// character of Chinese text: no table search for it.
			han++
			if tables == nil && d.load() == nil {
				tables = d.tables
			}
			switch {
			case tables == nil:
			case tables.isTrad(r):
				trad++
			case tables.isSimp(r):
				simp++
			}
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin = true
			if !inWord {
				words++
			}
		case inWord && unicode.Is(unicode.Mn, r):
			// A combining accent (decomposed é) continues the word.
			continue
		default:
			inWord = false
			continue
		}
		inWord = latin
		if letters++; letters >= detectLimit {
			break
		}
	}
	cjk := han + kana + hangul
	switch {
	case cjk == 0 && words == 0, cjk == words:
		return ""
	case words > cjk:
		return "en"
	case hangul > kana && hangul*10 >= cjk:
		return "ko"
	case kana > 0 && kana*10 >= cjk:
		return "ja"
	case trad > simp:
		return "zh-Hant"
	case simp > trad:
		return "zh-Hans"
	}
	return "zh"
}

// contradicts reports whether a feed's declared tag (canonical) is at odds
// with the script of the language detected from an item's text: Latin text
// ("en") under a Chinese, Japanese or Korean tag, or Han text (a Chinese
// result, so without kana or Hangul to speak of) under a tag whose script is
// Latin.
func contradicts(declared, detected string) bool {
	if detected == "" {
		return false
	}
	t, err := language.Parse(declared)
	if err != nil {
		return false
	}
	base, _ := t.Base()
	switch b := base.String(); {
	case detected == "en":
		return b == "zh" || b == "ja" || b == "ko"
	case detected == "zh" || strings.HasPrefix(detected, "zh-"):
		script, _ := t.Script()
		return script.String() == "Latn"
	}
	return false
}

// canonicalLang is feeds.CanonicalLang, with the likely script added to a
// Chinese tag that names a region but no script (zh-HK → zh-Hant-HK, zh-CN →
// zh-Hans-CN), so that it reaches the feed of its script. Plain zh, which
// says nothing of the script, stays zh.
func canonicalLang(tag string) (string, error) {
	canon, err := feeds.CanonicalLang(tag)
	if err != nil {
		return "", err
	}
	t, err := language.Parse(canon)
	if err != nil {
		return "", fmt.Errorf("normalize: language tag %q: %w", tag, err)
	}
	base, _ := t.Base()
	_, regionConf := t.Region()
	script, scriptConf := t.Script()
	if base.String() != "zh" || regionConf != language.Exact || scriptConf == language.Exact || scriptConf == language.No {
		return canon, nil
	}
	if t, err := language.Compose(t, script); err == nil {
		return t.String(), nil
	}
	return canon, nil
}
