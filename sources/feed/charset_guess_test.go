package feed

import (
	"bytes"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/feedloom/feedloom/sources"
)

// headline is one item of a sample feed: what the upstream wrote, in UTF-8.
type headline struct{ title, text string }

// Sample news feeds in the scripts feeds declare no charset for most often,
// ten items each, as an upstream would publish them.
var (
	big5News = []headline{
		{"港府公布新一輪消費券計劃", "財政司司長表示，新一輪消費券將於七月分兩期發放，合資格市民每人可獲五千元。"},
		{"天文台發出黃色暴雨警告信號", "天文台表示，一條活躍的低壓槽正為廣東沿岸帶來大驟雨及狂風雷暴，市民應提高警覺。"},
		{"港鐵東鐵綫列車服務今早一度受阻", "港鐵公司指，由於信號系統故障，東鐵綫列車服務受到延誤，乘客需預留額外時間。"},
		{"立法會通過二零二五年撥款條例草案", "立法會經過三日辯論後，以大比數通過政府提出的財政預算案。"},
		{"香港國際機場客運量創疫情後新高", "機場管理局公布，上月客運量超過五百萬人次，較去年同期上升百分之二十。"},
		{"政府推出新措施吸引海外人才來港", "勞工及福利局局長表示，新計劃將簡化申請程序，並延長簽證有效期。"},
		{"中文大學研究團隊發現新型抗生素", "研究人員在土壤樣本中找到一種能對抗多種耐藥細菌的化合物，成果已刊登於國際期刊。"},
		{"維多利亞港煙花匯演吸引數十萬市民", "警方在尖沙咀及灣仔一帶實施人群管制措施，活動順利完成。"},
		{"房屋署公布公營房屋輪候時間", "一般申請者的平均輪候時間為五點六年，較上季縮短零點一年。"},
		{"本港股市今日高開逾三百點", "恒生指數受外圍市場帶動，早段最多升三百二十點，成交額約五百億元。"},
	}
	gbkNews = []headline{
		{"国家统计局发布上月经济数据", "数据显示，全国规模以上工业增加值同比增长百分之五点六，消费市场保持稳定。"},
		{"北京地铁新线路今日开通运营", "新线路全长二十五公里，设车站十八座，将大大方便沿线居民出行。"},
		{"多地发布高温预警", "气象部门提醒，未来三天华北和黄淮地区最高气温将超过三十八度，请注意防暑降温。"},
		{"教育部部署今年高考安全工作", "各地要加强考场管理，严厉打击考试作弊行为，确保考试公平公正。"},
		{"上海国际电影节开幕", "本届电影节共收到来自一百多个国家和地区的报名影片三千余部。"},
		{"我国成功发射新一代气象卫星", "卫星顺利进入预定轨道，将为天气预报和防灾减灾提供更精确的数据。"},
		{"粮食夏收进度过半", "农业农村部表示，今年小麦长势良好，有望再获丰收。"},
		{"新能源汽车销量持续增长", "中国汽车工业协会数据显示，上月新能源汽车销量同比增长三成以上。"},
		{"长江流域进入主汛期", "水利部要求各地做好防汛准备，加强水库和堤防巡查。"},
		{"全国文化和旅游消费季启动", "各地将推出数千项文旅活动，并发放消费补贴。"},
	}
	sjisNews = []headline{
		{"東京都、新たな子育て支援策を発表", "都は来年度から、第二子以降の保育料を無償化する方針を明らかにした。"},
		{"気象庁、関東甲信地方の梅雨入りを発表", "平年より五日遅く、昨年より三日早い梅雨入りとなった。"},
		{"新幹線、大雨の影響で一時運転見合わせ", "東海道新幹線は午前中、静岡県内の大雨により運転を見合わせたが、午後に再開した。"},
		{"日銀、金融政策の現状維持を決定", "日本銀行は金融政策決定会合で、短期金利を据え置くことを全員一致で決めた。"},
		{"大阪で国際博覧会の準備が本格化", "会場の建設工事が進み、各国のパビリオンの外観が次々と姿を現している。"},
		{"プロ野球、首位攻防戦は引き分け", "延長十二回まで続いた試合は、両チームの投手陣が粘り強く投げ合った。"},
		{"全国の高校で新しい学習指導要領", "情報科目が必修となり、プログラミングの授業が始まった。"},
		{"北海道でクマの出没相次ぐ", "自治体は住民に対し、山林に入る際は十分注意するよう呼びかけている。"},
		{"円相場、一時一ドル百五十円台に", "外国為替市場では円安が進み、輸入物価の上昇が懸念されている。"},
		{"京都の寺院で特別公開始まる", "普段は非公開の仏像や庭園が公開され、多くの観光客が訪れている。"},
	}
	euckrNews = []headline{
		{"정부, 내년도 예산안 발표", "기획재정부는 내년도 예산을 올해보다 삼 퍼센트 늘린 규모로 편성했다고 밝혔다."},
		{"서울 지하철 요금 인상", "서울시는 다음 달부터 지하철 기본요금을 백오십 원 올린다고 발표했다."},
		{"장마 시작, 남부 지방에 많은 비", "기상청은 주말까지 남부 지방에 최대 이백 밀리미터의 비가 내릴 것으로 예보했다."},
		{"한국은행 기준금리 동결", "한국은행 금융통화위원회는 물가와 경기 상황을 고려해 기준금리를 동결했다."},
		{"프로야구 올스타전 팬 투표 시작", "한국야구위원회는 다음 주까지 온라인으로 팬 투표를 진행한다."},
		{"대학 입시 제도 개편안 공개", "교육부는 수능 과목 구조를 단순화하는 개편안을 발표했다."},
		{"부산 국제 영화제 개막", "올해 영화제에는 칠십여 개국에서 삼백여 편의 영화가 초청됐다."},
		{"수출 증가세 이어져", "산업통상자원부는 지난달 반도체 수출이 크게 늘었다고 밝혔다."},
		{"제주 관광객 다시 증가", "제주도는 올해 상반기 관광객이 작년보다 십 퍼센트 늘었다고 발표했다."},
		{"전국 미세먼지 농도 나쁨", "환경부는 노약자에게 외출을 자제할 것을 당부했다."},
	}
	frenchNews = []headline{
		{"Élections municipales : la participation en hausse", "Selon les premières estimations, le taux de participation s’élève à 58 % à 17 heures."},
		{"Météo : un épisode de chaleur attendu cette semaine", "Les températures dépasseront 35 °C dans le sud-est, selon Météo-France."},
		{"Le « Grand Paris Express » prend du retard", "La mise en service de la ligne 15 est repoussée à 2026, a annoncé la société du Grand Paris."},
		{"Cinéma : la Palme d’or décernée à un film coréen", "Le jury, présidé par une réalisatrice française, a salué une œuvre « bouleversante »."},
		{"Économie : l’inflation ralentit en mai", "L’indice des prix à la consommation a progressé de 2,1 % sur un an, d’après l’Insee."},
		{"Rugby : le XV de France s’impose face à l’Irlande", "Les Bleus ont remporté le match 24 à 17 au Stade de France."},
		{"Santé : une nouvelle campagne de vaccination", "Le ministère rappelle que la vaccination est gratuite pour les personnes âgées de plus de 65 ans."},
		{"Culture : le musée d’Orsay rouvre ses salles rénovées", "Les visiteurs pourront découvrir une scénographie entièrement repensée."},
		{"Transports : grève à la SNCF jeudi", "Le trafic sera très perturbé sur les lignes TER et Intercités ; les TGV circuleront presque normalement."},
		{"Éducation : les résultats du baccalauréat publiés le 4 juillet", "Les candidats pourront consulter leurs résultats en ligne dès 10 heures."},
	}
)

// newsRSS is an RSS 2.0 document of items, in UTF-8, headed by prolog
// (an XML declaration or nothing).
func newsRSS(prolog, channel string, items []headline) string {
	var b strings.Builder
	b.WriteString(prolog)
	fmt.Fprintf(&b, "<rss version=\"2.0\">\n<channel>\n<title>%s</title>\n<link>https://news.example/</link>\n<description>%s</description>\n",
		html.EscapeString(channel), html.EscapeString(channel))
	for i, it := range items {
		fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>https://news.example/%d</link>\n<guid>https://news.example/%d</guid>\n"+
			"<pubDate>Thu, 13 Mar 2025 09:%02d:00 +0800</pubDate>\n<description>%s</description>\n</item>\n",
			html.EscapeString(it.title), i, i, 59-i, html.EscapeString(it.text))
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.String()
}

// encodeAs encodes UTF-8 text in a legacy charset, as the upstream did.
func encodeAs(t testing.TB, name, s string) []byte {
	t.Helper()
	enc, err := htmlindex.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode as %s: %v", name, err)
	}
	return b
}

// serveBytes answers every request with body and a Content-Type.
func serveBytes(t testing.TB, body []byte, contentType string) string {
	srv := serve(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}))
	return srv.URL + "/feed"
}

// loggedTo returns options whose logger writes records at Info and above to
// logs, without times.
func loggedTo(t testing.TB, logs *bytes.Buffer) Options {
	opts := testOptions(t)
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	return opts
}

// checkNews compares every story with the items it was made from.
func checkNews(t *testing.T, res sources.Result, channel string, want []headline) {
	t.Helper()
	if len(res.Stories) != len(want) {
		t.Fatalf("got %d stories, want %d", len(res.Stories), len(want))
	}
	for i, s := range res.Stories {
		if s.Origin.Title != channel || s.Title != want[i].title || s.Summary != want[i].text {
			t.Errorf("story %d: got %q / %q / %q\nwant %q / %q / %q",
				i, s.Origin.Title, s.Title, s.Summary, channel, want[i].title, want[i].text)
		}
	}
}

// TestUndeclaredCharsets: a feed in a legacy charset with no BOM, no XML
// declaration and no HTTP charset is read in the charset the detector names,
// over HTTP and from a file alike, with nothing replaced.
func TestUndeclaredCharsets(t *testing.T) {
	tests := []struct {
		name, charset, channel string
		items                  []headline
		detected               string // WHATWG name
	}{
		{"Big5, Traditional Chinese", "big5", "香港新聞", big5News, "big5"},
		{"GBK, Simplified Chinese", "gbk", "新闻联播", gbkNews, "gb18030"},
		{"GB18030, Simplified Chinese", "gb18030", "新闻联播", gbkNews, "gb18030"},
		{"Shift_JIS, Japanese", "shift_jis", "ニュース速報", sjisNews, "shift_jis"},
		{"EUC-KR, Korean", "euc-kr", "오늘의 뉴스", euckrNews, "euc-kr"},
		{"Windows-1252, French", "windows-1252", "Actualités", frenchNews, "windows-1252"},
	}
	for _, tt := range tests {
		body := encodeAs(t, tt.charset, newsRSS("", tt.channel, tt.items))
		t.Run(tt.name+" over HTTP", func(t *testing.T) {
			var logs bytes.Buffer
			u := serveBytes(t, body, "application/rss+xml")
			checkNews(t, mustFetch(t, u, loggedTo(t, &logs)), tt.channel, tt.items)
			want := fmt.Sprintf(`level=INFO msg="feed declares no charset that fits; guessed" source=up url=%s charset=%s from=detected confidence=`, u, tt.detected)
			if !strings.HasPrefix(logs.String(), want) || strings.Count(logs.String(), "\n") != 1 {
				t.Errorf("log = %q, want one line starting %q", logs.String(), want)
			}
		})
		t.Run(tt.name+" from a file", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "feed.xml")
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			checkNews(t, mustFetch(t, path, testOptions(t)), tt.channel, tt.items)
		})
	}
}

// withByte inserts b into s after the first occurrence of after.
func withByte(s, after string, b byte) []byte {
	i := strings.Index(s, after) + len(after)
	return append(append(append([]byte{}, s[:i]...), b), s[i:]...)
}

// TestStrayByteReplaced: one byte that is not UTF-8 in a UTF-8 feed becomes
// U+FFFD, where feedloom used to refuse the whole source ("invalid UTF-8");
// every other character and item is intact, and a warning says so. A UTF-8
// declaration, in the prolog or the Content-Type, does not change that.
func TestStrayByteReplaced(t *testing.T) {
	tests := []struct {
		name, prolog, contentType, channel string
		items                              []headline
		after, from                        string
	}{
		{"Chinese, undeclared", "", "application/rss+xml", "香港新聞", big5News, "港鐵", "default"},
		{"Chinese, charset=utf-8", "", "application/rss+xml; charset=utf-8", "香港新聞", big5News, "港鐵", "http"},
		{"Chinese, declared UTF-8", `<?xml version="1.0" encoding="UTF-8"?>` + "\n", "application/rss+xml", "香港新聞", big5News, "港鐵", "declaration"},
		// The detector alone would call this windows-1252 and turn every
		// é into Ã©.
		{"French, undeclared", "", "application/rss+xml", "Actualités", frenchNews, "Grand ", "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := withByte(newsRSS(tt.prolog, tt.channel, tt.items), tt.after, 0xFF)
			var logs bytes.Buffer
			u := serveBytes(t, body, tt.contentType)
			res := mustFetch(t, u, loggedTo(t, &logs))
			want := append([]headline(nil), tt.items...)
			for i, it := range want {
				if strings.Contains(it.title, tt.after) {
					want[i].title = strings.Replace(it.title, tt.after, tt.after+"\uFFFD", 1)
					break
				}
			}
			checkNews(t, res, tt.channel, want)
			wantLog := fmt.Sprintf("level=WARN msg=\"feed has bytes invalid in its charset; replaced with U+FFFD\" source=up url=%s charset=utf-8 from=%s replaced=1\n", u, tt.from)
			if logs.String() != wantLog {
				t.Errorf("log = %q\nwant  %q", logs.String(), wantLog)
			}
		})
	}
}

// TestWrongDeclaredCharset: a declaration that the bytes contradict gives
// way to the reading that replaces least; what no reading decodes is
// replaced, and the rest of the feed is read as declared.
func TestWrongDeclaredCharset(t *testing.T) {
	big5Doc := newsRSS("", "香港新聞", big5News)
	tests := []struct {
		name        string
		body        []byte
		contentType string
		channel     string
		items       []headline
		log         string // the record's level, message and attributes after url
	}{
		{"Big5 sent as charset=utf-8", encodeAs(t, "big5", big5Doc), "text/xml; charset=utf-8", "香港新聞", big5News,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=big5 from=detected confidence=`},
		{"Big5 declaring UTF-8", encodeAs(t, "big5", `<?xml version="1.0" encoding="utf-8"?>`+big5Doc), "application/rss+xml", "香港新聞", big5News,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=big5 from=detected confidence=`},
		{"Windows-1252 declaring UTF-8", encodeAs(t, "windows-1252", newsRSS(`<?xml version="1.0" encoding="UTF-8"?>`, "Actualités", frenchNews)),
			"application/rss+xml", "Actualités", frenchNews,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=windows-1252 from=detected confidence=`},
		{"UTF-8 declaring Big5", []byte(`<?xml version="1.0" encoding="big5"?>` + big5Doc), "application/rss+xml", "香港新聞", big5News,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=utf-8 from=detected confidence=100`},
		{"GBK declaring Big5", encodeAs(t, "gbk", `<?xml version="1.0" encoding="big5"?>`+newsRSS("", "新闻联播", gbkNews)),
			"application/rss+xml", "新闻联播", gbkNews,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=gb18030 from=detected confidence=`},
		{"GBK sent as charset=big5", encodeAs(t, "gbk", newsRSS("", "新闻联播", gbkNews)),
			"application/rss+xml; charset=big5", "新闻联播", gbkNews,
			`level=INFO msg="feed declares no charset that fits; guessed" charset=gb18030 from=detected confidence=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			u := serveBytes(t, tt.body, tt.contentType)
			checkNews(t, mustFetch(t, u, loggedTo(t, &logs)), tt.channel, tt.items)
			got := strings.Replace(logs.String(), " source=up url="+u, "", 1)
			if !strings.HasPrefix(got, tt.log) || strings.Count(got, "\n") != 1 {
				t.Errorf("log = %q, want one line starting %q", got, tt.log)
			}
		})
	}

	// Bytes Big5 has no character for, in a Big5 feed that says so, cost
	// only themselves: the declaration is still the best reading.
	t.Run("Big5 declared, one byte not Big5", func(t *testing.T) {
		doc := `<?xml version="1.0" encoding="big5"?>` + "\n" + big5Doc
		i := strings.Index(doc, "天文台") + len("天文台")
		body := append(append(encodeAs(t, "big5", doc[:i]), 0x80), encodeAs(t, "big5", doc[i:])...)
		var logs bytes.Buffer
		u := serveBytes(t, body, "application/rss+xml")
		want := append([]headline(nil), big5News...)
		want[1].title = "天文台\uFFFD發出黃色暴雨警告信號"
		checkNews(t, mustFetch(t, u, loggedTo(t, &logs)), "香港新聞", want)
		wantLog := fmt.Sprintf("level=WARN msg=\"feed has bytes invalid in its charset; replaced with U+FFFD\" source=up url=%s charset=big5 from=declaration replaced=1\n", u)
		if logs.String() != wantLog {
			t.Errorf("log = %q\nwant  %q", logs.String(), wantLog)
		}
	})
}

// TestJSONInvalidUTF8: JSON is UTF-8 (RFC 8259 §8.1), so a JSON Feed is
// never guessed: its invalid bytes become U+FFFD, with a warning.
func TestJSONInvalidUTF8(t *testing.T) {
	body := []byte("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"Caf\xe9 news\",\"items\":[" +
		"{\"id\":\"1\",\"title\":\"Ol\xe9 \xff\xfe\",\"content_text\":\"x\"}," +
		"{\"id\":\"2\",\"title\":\"Fine — 好\",\"content_text\":\"y\"}]}")
	var logs bytes.Buffer
	u := serveBytes(t, body, "application/feed+json")
	res := mustFetch(t, u, loggedTo(t, &logs))
	var got []string
	for _, s := range res.Stories {
		got = append(got, s.Origin.Title+"|"+s.ID+"|"+s.Title)
	}
	want := []string{"Caf\uFFFD news|1|Ol\uFFFD \uFFFD\uFFFD", "Caf\uFFFD news|2|Fine — 好"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stories:\n%q\nwant\n%q", got, want)
	}
	wantLog := fmt.Sprintf("level=WARN msg=\"feed has bytes invalid in its charset; replaced with U+FFFD\" source=up url=%s charset=utf-8 from=default replaced=4\n", u)
	if logs.String() != wantLog {
		t.Errorf("log = %q\nwant  %q", logs.String(), wantLog)
	}
}

// TestGuessCharset pins the decisions at the edges: bodies too short for
// the detector fall back to windows-1252, as feedparser does after UTF-8; a
// declared charset is not given up for one undefined byte.
func TestGuessCharset(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		want, charset, from     string
		replaced                int
	}{
		{"English with a 1252 quote", "<rss><title>It\x92s here</title></rss>", "",
			"<rss><title>It’s here</title></rss>", "windows-1252", "detected", 0},
		{"short Latin-1", "<rss><title>Caf\xe9</title></rss>", "",
			"<rss><title>Café</title></rss>", "windows-1252", "fallback", 0},
		{"declared UTF-8 that is windows-1252", "<?xml version=\"1.0\" encoding=\"utf-8\"?><t>Caf\xe9</t>", "",
			`<?xml version="1.0" encoding="UTF-8"?><t>Café</t>`, "windows-1252", "detected", 0},
		{"UTF-8 BOM, one stray byte", "\xef\xbb\xbf<t>中文\xff</t>", "",
			"<t>中文\uFFFD</t>", "utf-8", "bom", 1},
		{"U+FFFD written in the feed is not counted", "<t>\uFFFD 中文中文中文中文中文 \xff</t>", "",
			"<t>\uFFFD 中文中文中文中文中文 \uFFFD</t>", "utf-8", "default", 1},
		{"JSON is UTF-8 with replacements", "{\"title\":\"caf\xe9\"}", "application/json",
			"{\"title\":\"caf\uFFFD\"}", "utf-8", "default", 1},
		// Against single-byte readings one valid UTF-8 sequence per
		// invalid byte is enough for UTF-8; fewer is not.
		{"UTF-8 with one 1252 quote", "<rss><title>Café crème</title><title>It\x92s</title></rss>", "",
			"<rss><title>Café crème</title><title>It\uFFFDs</title></rss>", "utf-8", "default", 1},
		{"as many UTF-8 sequences as Latin-1 bytes", "<rss><title>Café \xe9</title></rss>", "",
			"<rss><title>Café \uFFFD</title></rss>", "utf-8", "default", 1},
		{"fewer UTF-8 sequences than Latin-1 bytes", "<rss><title>Café \xe9t\xe9</title></rss>", "",
			"<rss><title>CafÃ© été</title></rss>", "windows-1252", "fallback", 0},
		{"ISO-8859-3 byte undefined, declared", "<?xml version=\"1.0\" encoding=\"iso-8859-3\"?><t>\xa5</t>", "",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>\uFFFD</t>", "iso-8859-3", "declaration", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBody([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.body) != tt.want || got.charset != tt.charset || got.from != tt.from || got.replaced != tt.replaced {
				t.Errorf("got %q %s %s replaced %d, want %q %s %s replaced %d",
					got.body, got.charset, got.from, got.replaced, tt.want, tt.charset, tt.from, tt.replaced)
			}
		})
	}
}

// TestStrayLatin1InUTF8: a UTF-8 feed with a few Latin-1 bytes, too many
// for the ten-to-one margin held against CJK charsets, is still read as
// UTF-8 with those bytes replaced, declared or not, whether the detector
// has no guess (windows-1252 by default) or guesses windows-1252 itself; a
// warning counts the bytes. Read as windows-1252, every other title would
// turn to mojibake ("CafÃ© crÃ¨me"), with no warning at all.
func TestStrayLatin1InUTF8(t *testing.T) {
	cafe := func(prolog string) []byte {
		var b strings.Builder
		b.WriteString(prolog + "<rss version=\"2.0\"><channel><title>Menu</title><link>https://cafe.example/</link>\n")
		for i := 1; i <= 4; i++ {
			fmt.Fprintf(&b, "<item><title>Café crème %d</title><guid>https://cafe.example/%d</guid></item>\n", i, i)
		}
		b.WriteString("<item><title>\xe9t\xe9</title><guid>https://cafe.example/5</guid></item>\n</channel></rss>\n")
		return []byte(b.String())
	}
	cafeTitles := []string{"Café crème 1", "Café crème 2", "Café crème 3", "Café crème 4", "\uFFFDt\uFFFD"}

	// Ten French items in UTF-8, then three of them again as an editor
	// pasted them in windows-1252: each of their accented letters is one
	// invalid byte.
	utf8Doc := strings.Replace(newsRSS("", "Actualités", frenchNews), "</channel>\n</rss>\n", "", 1)
	pasted := encodeAs(t, "windows-1252", newsRSS("", "Actualités", frenchNews[:3]))
	news := append([]byte(utf8Doc), pasted[bytes.Index(pasted, []byte("<item>")):]...)
	var newsTitles []string
	for _, h := range frenchNews {
		newsTitles = append(newsTitles, h.title)
	}
	for _, h := range frenchNews[:3] {
		newsTitles = append(newsTitles, strings.Map(func(r rune) rune {
			if r >= utf8.RuneSelf {
				return '\uFFFD'
			}
			return r
		}, h.title))
	}

	tests := []struct {
		name     string
		body     []byte
		titles   []string
		from     string
		replaced int
	}{
		{"declared UTF-8, no guess", cafe(`<?xml version="1.0" encoding="utf-8"?>` + "\n"), cafeTitles, "declaration", 2},
		{"undeclared, no guess", cafe(""), cafeTitles, "default", 2},
		{"undeclared, guessed windows-1252", news, newsTitles, "default", 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			u := serveBytes(t, tt.body, "application/rss+xml")
			res := mustFetch(t, u, loggedTo(t, &logs))
			var got []string
			for _, s := range res.Stories {
				got = append(got, s.Title)
			}
			if strings.Join(got, "\n") != strings.Join(tt.titles, "\n") {
				t.Errorf("titles = %q\nwant     %q", got, tt.titles)
			}
			wantLog := fmt.Sprintf("level=WARN msg=\"feed has bytes invalid in its charset; replaced with U+FFFD\" source=up url=%s charset=utf-8 from=%s replaced=%d\n",
				u, tt.from, tt.replaced)
			if logs.String() != wantLog {
				t.Errorf("log = %q\nwant  %q", logs.String(), wantLog)
			}
		})
	}
}

// TestDetectTieIsStable: bytes that ISO-8859-1 and ISO-8859-2 read equally
// well (0xF2 is ò in one, ň in the other) decode the same way every time,
// as ISO-8859-1 (windows-1252): chardet's own pick between equally
// confident answers depends on which of its goroutines answers first.
func TestDetectTieIsStable(t *testing.T) {
	body := []byte("<feed xml:base=\"//exam\xf2\xf2\xf2\xf2'\xf2\xf2\xf2p*Y.net/\"><entry><link href/><c ntent tyYe=\"html\">&lt;a /id><pdated></entry></feed>")
	for i := range 500 {
		enc, name, _ := detect(body)
		if enc == nil || name != "windows-1252" {
			t.Fatalf("detection %d: %q, want windows-1252 every time", i, name)
		}
	}
}
