package main

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestWordsEncode checks that every Traditional word has a Big5 form and
// every Simplified one a GBK form, so encoded feeds lose nothing.
func TestWordsEncode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		words []string
		enc   interface{ Bytes([]byte) ([]byte, error) }
	}{
		{"big5", traditionalWords, traditionalchinese.Big5.NewEncoder()},
		{"gbk", simplifiedWords, simplifiedchinese.GBK.NewEncoder()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range append(tc.words, "。") {
				if _, err := tc.enc.Bytes([]byte(w)); err != nil {
					t.Errorf("%q: %v", w, err)
				}
			}
		})
	}
}

// TestGenerateDeterministic checks that a feed's bytes depend on its index
// alone, and that the mix the harness promises is there.
func TestGenerateDeterministic(t *testing.T) {
	if a, b := generate(7), generate(7); !bytes.Equal(a.body, b.body) || a.etag != b.etag {
		t.Fatal("generate(7) differs between calls")
	}
	want := map[int]struct{ kind, charset, ctype string }{
		0:  {"rss", "utf-8", "application/rss+xml; charset=utf-8"},
		1:  {"atom", "utf-8", "application/atom+xml; charset=utf-8"},
		2:  {"json", "utf-8", "application/feed+json; charset=utf-8"},
		3:  {"rss", "big5", "application/rss+xml"},                    // declared in the prolog
		7:  {"atom", "gbk", "application/atom+xml"},                   // declared in the prolog
		11: {"json", "utf-8", "application/feed+json; charset=utf-8"}, // JSON is always UTF-8
		15: {"rss", "utf-8", "application/rss+xml; charset=utf-8"},
		19: {"atom", "big5", "application/atom+xml; charset=big5"}, // only in Content-Type
		23: {"json", "utf-8", "application/feed+json; charset=utf-8"},
	}
	for i, w := range want {
		u := generate(i)
		if u.kind != w.kind || u.charset != w.charset || u.ctype != w.ctype {
			t.Errorf("generate(%d) = %s %s %q, want %s %s %q", i, u.kind, u.charset, u.ctype, w.kind, w.charset, w.ctype)
		}
	}
	if !bytes.HasPrefix(generate(3).body, []byte(`<?xml version="1.0" encoding="BIG5"?>`)) {
		t.Errorf("feed 3 does not declare Big5 in its prolog")
	}
	if !bytes.HasPrefix(generate(19).body, []byte("<?xml version=\"1.0\"?>\n")) {
		t.Errorf("feed 19 declares an encoding in its prolog")
	}
}
