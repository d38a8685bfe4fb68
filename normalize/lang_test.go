package normalize

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/internal/testenv"
	"github.com/feedloom/feedloom/sources"
)

func TestDetectSampleBodies(t *testing.T) {
	det, err := testDetector()
	if err != nil {
		t.Fatal(err)
	}
	// DESIGN: 4 English and 4 Traditional Chinese bodies; story 6 has an
	// English title and a Chinese body.
	testenv.EachListing(t, func(t *testing.T, l testenv.Listing) {
		for i, s := range listingStories(t, l) {
			if got := det.Detect(strings.Join(s.Text, "\n")); got != testenv.Languages[i] {
				t.Errorf("Detect(body %d) = %q, want %q", i+1, got, testenv.Languages[i])
			}
			if got := det.Detect(s.Title); got != "en" {
				t.Errorf("Detect(title %d) = %q, want en", i+1, got)
			}
		}
	})
}

func TestDetect(t *testing.T) {
	det, err := testDetector()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, text, want string }{
		{"simplified paragraph", "国家教育部部长怀进鹏在京会见香港科技大学校董会主席沈向洋、校长叶玉如一行,就推进高水平大学建设、高等教育交流与科研合作进行深入探讨。", "zh-Hans"},
		{"simplified headline", "香港科技大学发布净零行动计划", "zh-Hans"},
		{"traditional headline", "香港科技大學發佈淨零行動計劃", "zh-Hant"},
		{"traditional with latin acronyms", "港科大(HKUST)宣佈成立低空經濟研究中心(LAERC)", "zh-Hant"},
		{"variant cannot be told", "中文版本", "zh"},
		{"characters both variants write", "香港", "zh"},
		{"short english", "Hello world", "en"},
		{"english with a chinese name", "A talk by Prof. 沈向洋 on campus today", "en"},
		{"japanese", "東京大学の研究チームは新しい技術を発表しました", "ja"},
		{"chinese naming two universities in english", "科大與美國麻省理工學院(Massachusetts Institute of Technology, MIT)及英國劍橋大學(University of Cambridge)簽署合作備忘錄。", "zh-Hant"},
		{"chinese quoting english names", "香港科技大學今日宣布，Professor Nancy IP 將出席 World Economic Forum Annual Meeting。", "zh-Hant"},
		{"english quoting a chinese name", "HKUST (香港科技大學) today announced its Net-Zero Action Plan for the campus.", "en"},
		{"accented english", "Cafe\u0301 re\u0301sume\u0301 for the 香港 office", "en"},
		{"digits only", "2025 12 31", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := det.Detect(tt.text); got != tt.want {
				t.Errorf("Detect(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestLanguagePrecedence(t *testing.T) {
	tests := []struct {
		name  string
		story sources.Story
		def   string
		want  string
	}{
		{"declared wins, canonical case", sources.Story{Title: "Hello", Text: []string{"Hello world"}, Language: "zh-hant"}, "en", "zh-Hant"},
		{"invalid declared tag ignored", sources.Story{Title: "Hello", Text: []string{"香港科技大學發佈淨零行動計劃"}, Language: "zh_TW"}, "en", "zh-Hant"},
		{"body, not title", sources.Story{Title: "Vice Minister Visits", Text: []string{"國家教育部副部長吳岩博士前日率團到訪香港科技大學"}}, "en", "zh-Hant"},
		{"title when there is no body", sources.Story{Title: "国家教育部部长会见代表团"}, "en", "zh-Hans"},
		{"source default when nothing tells", sources.Story{Title: "2025", Text: []string{"12 34"}}, "zh-hant", "zh-Hant"},
		{"zh-HK declared: Traditional", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-HK"}, "en", "zh-Hant-HK"},
		{"zh-TW declared: Traditional", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-tw"}, "en", "zh-Hant-TW"},
		{"zh-MO declared: Traditional", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-MO"}, "en", "zh-Hant-MO"},
		{"zh-CN declared: Simplified", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-CN"}, "en", "zh-Hans-CN"},
		{"zh-SG declared: Simplified", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-SG"}, "en", "zh-Hans-SG"},
		{"plain zh declared stays zh", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh"}, "en", "zh"},
		{"declared script kept", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "zh-Hans-HK"}, "en", "zh-Hans-HK"},
		{"other languages untouched", sources.Story{Title: "Hello", Text: []string{"Hello"}, Language: "en-HK"}, "zh", "en-HK"},
		{"source default zh-HK", sources.Story{Title: "2025", Text: []string{"12 34"}}, "zh-HK", "zh-Hant-HK"},

		// The feed's declaration is inherited, after the item's own and
		// unless the item's script contradicts it.
		{"item xml:lang over feed xml:lang", sources.Story{Title: "Un billet", Text: []string{"An English post."}, Language: "en", FeedLanguage: "fr"}, "zh-HK", "en"},
		{"French item under <language>fr</language> stays fr", sources.Story{Title: "Le gouvernement annonce", Text: []string{"Le gouvernement a annoncé vendredi une nouvelle politique."}, FeedLanguage: "fr"}, "en", "fr"},
		{"feed declaration over detection", sources.Story{Title: "Hello", Text: []string{"Hello world"}, FeedLanguage: "en-GB"}, "zh", "en-GB"},
		{"feed declaration when nothing detected", sources.Story{Title: "2025", Text: []string{"12 34"}, FeedLanguage: "zh-hk"}, "en", "zh-Hant-HK"},
		{"English item under zh-hk: detected en", sources.Story{Title: "Government announces new policy", Text: []string{"The government said on Friday that it would review the policy."}, FeedLanguage: "zh-hk"}, "zh-HK", "en"},
		{"English item under ja: detected en", sources.Story{Title: "Tokyo news", Text: []string{"The ministry said on Friday."}, FeedLanguage: "ja"}, "ja", "en"},
		{"English item under ko: detected en", sources.Story{Title: "Seoul news", Text: []string{"The ministry said on Friday."}, FeedLanguage: "ko"}, "ko", "en"},
		{"Traditional Han under en: detected", sources.Story{Title: "Vice Minister Visits", Text: []string{"國家教育部副部長吳岩博士前日率團到訪香港科技大學"}, FeedLanguage: "en"}, "en", "zh-Hant"},
		{"Simplified Han under en-US: detected", sources.Story{Title: "Meeting", Text: []string{"国家教育部部长会见代表团，双方就高等教育合作进行了深入交流"}, FeedLanguage: "en-US"}, "en", "zh-Hans"},
		{"Han under fr: detected", sources.Story{Title: "Visite", Text: []string{"國家教育部副部長吳岩博士前日率團到訪香港科技大學"}, FeedLanguage: "fr"}, "fr", "zh-Hant"},
		{"Japanese under en is not Han-only: feed kept", sources.Story{Title: "ニュース", Text: []string{"東京都は金曜日、新しい政策を発表しました。"}, FeedLanguage: "en"}, "en", "en"},
		{"Han under zh-TW: no contradiction", sources.Story{Title: "Meeting", Text: []string{"国家教育部部长会见代表团"}, FeedLanguage: "zh-TW"}, "en", "zh-Hant-TW"},
		{"item declaration beats contradiction", sources.Story{Title: "Hello", Text: []string{"Hello world"}, Language: "zh-Hant", FeedLanguage: "zh-hk"}, "en", "zh-Hant"},
		{"invalid feed tag ignored", sources.Story{Title: "Hello", Text: []string{"國家教育部副部長吳岩博士前日率團到訪香港科技大學"}, FeedLanguage: "zh_TW"}, "en", "zh-Hant"},

		// Detection by script when nothing is declared.
		{"Japanese kanji and kana: ja", sources.Story{Title: "東京都、新型コロナ対策を発表", Text: []string{"東京都は金曜日、新しい感染症対策を発表しました。飲食店の営業時間については、来週から見直す予定です。"}}, "en", "ja"},
		{"Korean Hangul: ko", sources.Story{Title: "서울시, 새 정책 발표", Text: []string{"서울시는 금요일 새로운 교통 정책을 발표했습니다. 시행은 다음 달부터입니다."}}, "en", "ko"},
		{"Korean with some hanja: ko", sources.Story{Title: "서울", Text: []string{"大韓民國 서울특별시는 금요일 새로운 교통 정책을 발표했습니다."}}, "en", "ko"},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(Source{Name: "s", Language: tt.def}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{tt.story}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := items[0].Language; got != tt.want {
				t.Errorf("language = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNilDetectorUsesSourceLanguage(t *testing.T) {
	n := New(Options{Host: testHost, FirstRun: testFirstRun}, nil)
	items, err := n.Items(Source{Name: "s", Language: "en"}, time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC),
		[]sources.Story{{Title: "香港", Text: []string{"香港科技大學發佈淨零行動計劃"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := items[0].Language; got != "en" {
		t.Errorf("language = %q, want en", got)
	}
}

// TestContradictedCount: after each Items, Options.Contradicted hears how
// many of the source's items had their feed's declaration overruled by
// their script, zero included (so a count goes back to zero).
func TestContradictedCount(t *testing.T) {
	det, err := testDetector()
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		source string
		items  int
	}
	var calls []call
	n := New(Options{Host: testHost, FirstRun: testFirstRun, Zone: hongKong(t),
		Contradicted: func(source string, items int) { calls = append(calls, call{source, items}) }}, det)
	english := []string{"The government said on Friday that it would review the policy."}
	stories := []sources.Story{
		{Title: "Policy review", Text: english, FeedLanguage: "zh-hk", Link: "https://up.example/1"},
		{Title: "政策檢討", Text: []string{"政府星期五表示將會檢討有關政策。"}, FeedLanguage: "zh-hk", Link: "https://up.example/2"},
		{Title: "Budget", Text: english, FeedLanguage: "zh-hk", Language: "en", Link: "https://up.example/3"},
		{Title: "Second review", Text: english, FeedLanguage: "zh-hk", Link: "https://up.example/4"},
	}
	now := hkt(t, 2025, 3, 14, 10, 0, 0)
	if _, err := n.Items(Source{Name: "wire", Language: "en", Feed: true}, now, stories, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Items(Source{Name: "wire", Language: "en", Feed: true}, now, stories[1:3], nil); err != nil {
		t.Fatal(err)
	}
	want := []call{{"wire", 2}, {"wire", 0}}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

// TestFeedLocaleNames: an upstream feed that declares a locale name (fr_CA,
// zh_TW) where a tag belongs means the tag; a story file's declaration is
// held to BCP 47 (TestLanguagePrecedence: zh_TW is ignored there).
func TestFeedLocaleNames(t *testing.T) {
	tests := []struct {
		name  string
		story sources.Story
		want  string
	}{
		{"item's own", sources.Story{Title: "Bonjour", Link: "https://up.example/1", Text: []string{"Le gouvernement a annoncé vendredi."}, Language: "fr_CA"}, "fr-CA"},
		{"the feed's", sources.Story{Title: "Meeting", Link: "https://up.example/2", Text: []string{"國家教育部副部長吳岩博士前日率團到訪香港科技大學"}, FeedLanguage: "zh_tw"}, "zh-Hant-TW"},
		{"still not a tag", sources.Story{Title: "Hello", Link: "https://up.example/3", Text: []string{"Hello world, said the ministry on Friday."}, FeedLanguage: "en_US_POSIX_x"}, "en"},
	}
	n := newTestNormalizer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := n.Items(Source{Name: "up", Feed: true, Language: "ja"}, hkt(t, 2025, 3, 14, 10, 0, 0), []sources.Story{tt.story}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := items[0].Language; got != tt.want {
				t.Errorf("language = %q, want %q", got, tt.want)
			}
		})
	}
}
