package publish

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/feedloom/feedloom/feeds"
)

// messages are the words of feedloom's own on the pages of one language.
// Every field must be set in every catalogue (TestCatalogues).
type messages struct {
	Tag string // the catalogue's language

	IndexIntro     string // index.html, under the title
	ItemsOne       string // "1 item"
	ItemsMany      string // "%d items"
	Newest         string // "newest" before the newest item's date
	EmbedSummary   string // the details that hold the widget snippet
	EmbedPaste     string
	EmbedFrame     string // "Or frame %s:" where %s is the link to the embed page
	EmbedPage      string // the link text of the embed page
	FeedNote       string // feed.html, above the addresses
	NoStories      string
	DateLayout     string // time layout of a date with its time of day
	DayLayout      string // time layout of a date known only to the day
	WidgetFailure  string // the widget's quiet message (embed pages)
	AllLanguages   string // the merged feed's label
	ChannelLabel   string // a channel's label
	CategoryPrefix string // before a category feed's name in its label
	Latest         string // the heading of a front page's newest stories
	Feeds          string // the heading of the feeds directory
	Languages      string // the label of the links to the language front pages
	PageTitle      string // "Page %d": a numbered page's heading
	Newer          string // the link to newer stories
	Older          string // the link to older stories
	ReadIn         string // "Read in %s": a link to a story's translation, %s the language's name
	OnlyIn         string // "Only in %s": a story that exists only in its own language, %s its name
}

// catalogues are the shipped languages; any other falls back to English.
var catalogues = []messages{
	{
		Tag:            "en",
		IndexIntro:     "These are news feeds. To follow one, copy the address of its RSS, Atom or JSON Feed link into a feed reader.",
		ItemsOne:       "1 item",
		ItemsMany:      "%d items",
		Newest:         "newest",
		EmbedSummary:   "Show these headlines on your site",
		EmbedPaste:     "Paste this where the headlines should appear:",
		EmbedFrame:     "Or frame %s:",
		EmbedPage:      "the headlines page",
		FeedNote:       "This is a news feed. Paste one of these addresses into a feed reader (an app that checks sites for new stories) to follow it:",
		NoStories:      "No stories yet.",
		DateLayout:     "2 January 2006, 15:04 MST",
		DayLayout:      "2 January 2006",
		WidgetFailure:  "Headlines are not available right now.",
		AllLanguages:   "All languages",
		ChannelLabel:   "channel",
		CategoryPrefix: "category: ",
		Latest:         "Latest news",
		Feeds:          "Feeds",
		Languages:      "In other languages",
		PageTitle:      "Page %d",
		Newer:          "Newer stories",
		Older:          "Older stories",
		ReadIn:         "Read in %s",
		OnlyIn:         "Only in %s",
	},
	{
		Tag:            "zh-Hant",
		IndexIntro:     "這些是新聞訂閱源。要追蹤其中一個，請把它的 RSS、Atom 或 JSON Feed 連結地址複製到訂閱閱讀器中。",
		ItemsOne:       "1 則",
		ItemsMany:      "%d 則",
		Newest:         "最新",
		EmbedSummary:   "在你的網站顯示這些標題",
		EmbedPaste:     "把以下程式碼貼到要顯示標題的位置：",
		EmbedFrame:     "或以框架嵌入%s：",
		EmbedPage:      "標題頁",
		FeedNote:       "這是新聞訂閱源。把以下任一地址貼到訂閱閱讀器（一種會替你查看網站新文章的應用程式）即可追蹤：",
		NoStories:      "暫時沒有新聞。",
		DateLayout:     "2006年1月2日 15:04 MST",
		DayLayout:      "2006年1月2日",
		WidgetFailure:  "暫時未能顯示標題。",
		AllLanguages:   "所有語言",
		ChannelLabel:   "頻道",
		CategoryPrefix: "分類：",
		Latest:         "最新消息",
		Feeds:          "訂閱源",
		Languages:      "其他語言",
		PageTitle:      "第 %d 頁",
		Newer:          "較新的新聞",
		Older:          "較舊的新聞",
		ReadIn:         "閱讀%s版本",
		OnlyIn:         "只有%s版本",
	},
	{
		Tag:            "zh-Hans",
		IndexIntro:     "这些是新闻订阅源。要关注其中一个，请把它的 RSS、Atom 或 JSON Feed 链接地址复制到订阅阅读器中。",
		ItemsOne:       "1 条",
		ItemsMany:      "%d 条",
		Newest:         "最新",
		EmbedSummary:   "在你的网站显示这些标题",
		EmbedPaste:     "把以下代码粘贴到要显示标题的位置：",
		EmbedFrame:     "或以框架嵌入%s：",
		EmbedPage:      "标题页",
		FeedNote:       "这是新闻订阅源。把以下任一地址粘贴到订阅阅读器（一种会替你查看网站新文章的应用）即可关注：",
		NoStories:      "暂时没有新闻。",
		DateLayout:     "2006年1月2日 15:04 MST",
		DayLayout:      "2006年1月2日",
		WidgetFailure:  "暂时无法显示标题。",
		AllLanguages:   "所有语言",
		ChannelLabel:   "频道",
		CategoryPrefix: "分类：",
		Latest:         "最新消息",
		Feeds:          "订阅源",
		Languages:      "其他语言",
		PageTitle:      "第 %d 页",
		Newer:          "较新的新闻",
		Older:          "较旧的新闻",
		ReadIn:         "阅读%s版本",
		OnlyIn:         "只有%s版本",
	},
}

var catalogueMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(catalogues))
	for i, m := range catalogues {
		tags[i] = language.MustParse(m.Tag)
	}
	return language.NewMatcher(tags)
}()

// messagesFor is the catalogue of a page in tag: the closest shipped
// language (zh-HK reads Traditional Chinese, zh-CN Simplified), English
// when none is close.
func messagesFor(tag string) messages {
	t, err := language.Parse(tag)
	if err != nil {
		return catalogues[0]
	}
	_, i, conf := catalogueMatcher.Match(t)
	if conf < language.High {
		return catalogues[0]
	}
	return catalogues[i]
}

// count says how many items a feed holds.
func (m messages) count(n int) string {
	if n == 1 {
		return m.ItemsOne
	}
	return fmt.Sprintf(m.ItemsMany, n)
}

// pageTimeIn is t as the pages of m's language show it.
func (p *Publisher) pageTimeIn(t time.Time, m messages) pageTime {
	pt := p.pageTime(t)
	pt.Text = t.In(p.opts.Zone).Format(m.DateLayout)
	return pt
}

// itemTime is an item's date as the pages of m's language show it: with
// its time of day only when the story stated one (feeds.PrecisionExact);
// the machine-readable datetime is a day then too.
func (p *Publisher) itemTime(it feeds.Item, m messages) pageTime {
	if it.Precision == feeds.PrecisionExact {
		return p.pageTimeIn(it.Published, m)
	}
	t := it.Published.In(p.opts.Zone)
	return pageTime{
		Datetime: template.HTMLAttr(`datetime="` + t.Format(time.DateOnly) + `"`), // digits and '-' only
		Text:     t.Format(m.DayLayout),
	}
}

// siteTitle is the site's title in tag: its configured language's title,
// else the site title.
func (p *Publisher) siteTitle(tag string) string {
	for _, l := range p.opts.Languages {
		if strings.EqualFold(l.Tag, tag) && l.Title != "" {
			return l.Title
		}
	}
	return p.opts.Title
}
