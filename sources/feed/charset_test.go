package feed

import (
	"strings"
	"testing"
)

// TestCharsets serves real non-UTF-8 bytes and expects correct UTF-8
// stories. The declaration outranks the HTTP charset (LIBRARIES.md B), and a
// byte order mark outranks both.
func TestCharsets(t *testing.T) {
	tests := []struct {
		name, fixture, contentType string
		feedTitle, title, summary  string
	}{
		{"big5 in Content-Type only", "big5_http.xml", "application/rss+xml; charset=big5",
			"香港科技大學新聞", "港科大研究「重大突破」", "教育局副局長率團訪問科大。"},
		{"big5 in the prolog", "big5_decl.xml", "application/rss+xml",
			"香港科技大學新聞", "港科大研究「重大突破」", "教育局副局長率團訪問科大。"},
		{"big5 prolog beats a wrong HTTP charset", "big5_decl.xml", "text/xml; charset=iso-8859-1",
			"香港科技大學新聞", "港科大研究「重大突破」", "教育局副局長率團訪問科大。"},
		{"gb2312 prolog read as GBK", "gbk_decl.xml", "application/xml",
			"香港科技大学新闻", "研究取得“重大突破”", "教育部副部长率团访问科大。"},
		{"GBK in Content-Type only", "gbk_http.xml", "text/xml; charset=GBK",
			"香港科技大学新闻", "研究取得“重大突破”", "教育部副部长率团访问科大。"},
		{"GB18030 in Content-Type only", "gbk_http.xml", `text/xml; charset="gb18030"`,
			"香港科技大学新闻", "研究取得“重大突破”", "教育部副部长率团访问科大。"},
		{"ISO-8859-1 prolog", "iso8859_1.xml", "application/rss+xml",
			"Café Müller", "Naïve façade ½", "Déjà vu © 2025"},
		{"windows-1252 prolog", "windows1252.xml", "application/rss+xml",
			"Curly “quotes”", "It’s a ‘test’ – €5", "Em—dash … ellipsis"},
		{"UTF-16LE with BOM", "utf16le_bom.xml", "application/rss+xml",
			"UTF-16 新聞", "小端「測試」", "Ünïcödé ✓"},
		{"UTF-16LE BOM beats an HTTP charset", "utf16le_bom.xml", "application/rss+xml; charset=big5",
			"UTF-16 新聞", "小端「測試」", "Ünïcödé ✓"},
		{"UTF-8 BOM before JSON", "utf8bom.json", "application/feed+json",
			"BOM JSON", "Über", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveFixture(t, tt.fixture, tt.contentType)
			res := mustFetch(t, srv.URL+"/feed", testOptions(t))
			if len(res.Stories) != 1 {
				t.Fatalf("got %d stories, want 1", len(res.Stories))
			}
			s := res.Stories[0]
			if s.Origin.Title != tt.feedTitle || s.Title != tt.title || s.Summary != tt.summary {
				t.Errorf("got %q / %q / %q, want %q / %q / %q",
					s.Origin.Title, s.Title, s.Summary, tt.feedTitle, tt.title, tt.summary)
			}
		})
	}
}

func TestDecodeBody(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		want, charset, from     string
	}{
		{"declared utf-8 untouched", `<?xml version="1.0" encoding="utf-8"?><rss/>`, "text/xml; charset=big5",
			`<?xml version="1.0" encoding="utf-8"?><rss/>`, "utf-8", "declaration"},
		{"declared big5 untouched for gofeed", "<?xml version='1.0' encoding='Big5'?><rss/>", "",
			"<?xml version='1.0' encoding='Big5'?><rss/>", "big5", "declaration"},
		{"utf-16 declared over ASCII bytes is rewritten", `<?xml version="1.0" encoding="UTF-16"?><rss/>`, "",
			`<?xml version="1.0" encoding="UTF-8"?><rss/>`, "utf-8", "default"},
		{"unknown label is rewritten", `<?xml version="1.0" encoding="x-foo"?><rss/>`, "",
			`<?xml version="1.0" encoding="UTF-8"?><rss/>`, "utf-8", "default"},
		{"unknown label, HTTP charset used", "<?xml version=\"1.0\" encoding=\"x-foo\"?><t>\xe9</t>", "text/xml; charset=iso-8859-1",
			`<?xml version="1.0" encoding="UTF-8"?><t>é</t>`, "windows-1252", "http"},
		{"UTF-8 BOM wins over a big5 declaration", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"big5\"?><t>é</t>", "",
			`<?xml version="1.0" encoding="UTF-8"?><t>é</t>`, "utf-8", "bom"},
		{"UTF-16BE BOM", "\xfe\xff\x00<\x00t\x00>\x4e\x2d\x00<\x00/\x00t\x00>", "",
			"<t>中</t>", "utf-16be", "bom"},
		{"UTF-16LE without BOM", "<\x00?\x00x\x00m\x00l\x00?\x00>\x00", "",
			"<?xml?>", "utf-16le", "declaration"},
		{"no declaration, no charset", "<rss>é</rss>", "application/rss+xml",
			"<rss>é</rss>", "utf-8", "default"},
		{"JSON with HTTP charset", "{\"title\":\"\xe9\"}", "application/json; charset=windows-1252",
			`{"title":"é"}`, "windows-1252", "http"},
		// ASCII is UTF-8; bytes above 127 cannot be ASCII.
		{"us-ascii declared over UTF-8", `<?xml version="1.0" encoding="us-ascii"?><t>café</t>`, "",
			`<?xml version="1.0" encoding="UTF-8"?><t>café</t>`, "utf-8", "declaration"},
		{"US-ASCII over HTTP, UTF-8 bytes", `<t>café</t>`, "text/xml; charset=US-ASCII",
			`<t>café</t>`, "utf-8", "http"},
		{"ascii declared over Latin-1 bytes: windows-1252", "<?xml version=\"1.0\" encoding=\"ascii\"?><t>caf\xe9</t>", "",
			"<?xml version=\"1.0\" encoding=\"ascii\"?><t>caf\xe9</t>", "windows-1252", "declaration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBody([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.body) != tt.want || got.charset != tt.charset || got.from != tt.from {
				t.Errorf("got %q %s %s, want %q %s %s", got.body, got.charset, got.from, tt.want, tt.charset, tt.from)
			}
		})
	}
}

func TestIsHTML(t *testing.T) {
	for body, want := range map[string]bool{
		"\n  <!DOCTYPE html><html>":  true,
		"<HTML><body>":               true,
		"<head><title>x":             true,
		`<?xml version="1.0"?><rss>`: false,
		`{"version":"x"}`:            false,
	} {
		if got := isHTML([]byte(body)); got != want {
			t.Errorf("isHTML(%q) = %v, want %v", strings.TrimSpace(body), got, want)
		}
	}
}
