package main

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// script is the writing a synthetic feed is in.
type script int

const (
	english script = iota
	traditional
	simplified
)

// Word lists for synthetic text. The Chinese ones hold only characters that
// Big5 (Traditional) and GBK (Simplified) can encode, so an encoded feed
// loses nothing; TestWordsEncode checks it.
var (
	englishWords = strings.Fields(`the university research campus students faculty
		announced today new programme science engineering data centre award
		laboratory report study climate energy health medicine city council
		transport housing market economy budget minister education public
		community team project partnership innovation technology artificial
		intelligence robotics ocean marine biology chemistry physics library
		festival exhibition concert lecture series seminar workshop conference
		alumni scholarship grant funding policy survey results published journal
		international global regional local national government department
		hospital clinic patients trial vaccine water air quality sustainable
		design architecture history culture language music sport championship
		record winter spring summer autumn week month year morning evening
		will has have been was were after before during while with from into
		about over under between across through first second third major
		senior junior visiting professor director president dean chair panel`)
	traditionalWords = strings.Fields(`大學 研究 學生 教授 校園 今日 宣佈 新的 計劃
		科學 工程 數據 中心 獎項 實驗室 報告 氣候 能源 健康 醫學 城市 議會 交通
		房屋 市場 經濟 預算 部長 教育 公共 社區 團隊 項目 夥伴 創新 科技 人工
		智能 機械人 海洋 生物 化學 物理 圖書館 節日 展覽 音樂會 講座 系列 研討會
		會議 校友 獎學金 撥款 資助 政策 調查 結果 發表 期刊 國際 全球 區域 本地
		國家 政府 部門 醫院 診所 病人 試驗 疫苗 水質 空氣 可持續 設計 建築 歷史
		文化 語言 音樂 運動 冠軍 紀錄 冬季 春季 夏季 秋季 星期 月份 年度 上午
		晚上 香港 科技 合作 發展 學院 舉辦 參與 代表 團體 訪問 主席 院長 副校長`)
	simplifiedWords = strings.Fields(`大学 研究 学生 教授 校园 今日 宣布 新的 计划
		科学 工程 数据 中心 奖项 实验室 报告 气候 能源 健康 医学 城市 议会 交通
		房屋 市场 经济 预算 部长 教育 公共 社区 团队 项目 伙伴 创新 科技 人工
		智能 机器人 海洋 生物 化学 物理 图书馆 节日 展览 音乐会 讲座 系列 研讨会
		会议 校友 奖学金 拨款 资助 政策 调查 结果 发表 期刊 国际 全球 区域 本地
		国家 政府 部门 医院 诊所 病人 试验 疫苗 水质 空气 可持续 设计 建筑 历史
		文化 语言 音乐 运动 冠军 纪录 冬季 春季 夏季 秋季 星期 月份 年度 上午
		晚上 北京 上海 深圳 合作 发展 学院 举办 参与 代表 团体 访问 主席 院长 副校长`)
)

func words(s script) []string {
	switch s {
	case traditional:
		return traditionalWords
	case simplified:
		return simplifiedWords
	}
	return englishWords
}

// phrase is about n characters (runes) of text in s, ending in a full word.
func phrase(r *rand.Rand, s script, n int) string {
	ws := words(s)
	var b strings.Builder
	for count := 0; count < n; {
		w := ws[r.IntN(len(ws))]
		if b.Len() > 0 && s == english {
			b.WriteByte(' ')
			count++
		}
		b.WriteString(w)
		count += utf8.RuneCountInString(w)
	}
	return b.String()
}

// sentence is a capitalised English sentence or a Chinese one ending in 。
func sentence(r *rand.Rand, s script, n int) string {
	p := phrase(r, s, n)
	if s == english {
		return strings.ToUpper(p[:1]) + p[1:] + "."
	}
	return p + "。"
}

// title is a headline of about 80 characters.
func title(r *rand.Rand, s script) string {
	p := phrase(r, s, 76+r.IntN(8))
	if s == english {
		return strings.ToUpper(p[:1]) + p[1:]
	}
	return p
}

// summary is about 400 characters of plain text.
func summary(r *rand.Rand, s script) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < 380 {
		if b.Len() > 0 && s == english {
			b.WriteByte(' ')
		}
		b.WriteString(sentence(r, s, 40+r.IntN(60)))
	}
	return b.String()
}

// content is about 3 KB of HTML as upstream feeds carry it: paragraphs with
// links (some relative), emphasis, an image and a list, and now and then
// what sanitizing must remove (a script, an event handler, a javascript:
// link, a style attribute).
func content(r *rand.Rand, s script, site string) string {
	var b strings.Builder
	for b.Len() < 3000 {
		b.WriteString("<p>")
		for range 2 + r.IntN(3) {
			switch r.IntN(6) {
			case 0:
				b.WriteString(`<a href="` + site + `/news/` + slugWord(r) + `">` + phrase(r, s, 12) + `</a> `)
			case 1:
				b.WriteString(`<a href="/topics/` + slugWord(r) + `">` + phrase(r, s, 10) + `</a> `)
			case 2:
				b.WriteString("<strong>" + phrase(r, s, 10) + "</strong> ")
			case 3:
				b.WriteString("<em>" + phrase(r, s, 8) + "</em> ")
			}
			b.WriteString(sentence(r, s, 60+r.IntN(60)))
			b.WriteByte(' ')
		}
		b.WriteString("</p>\n")
		switch r.IntN(8) {
		case 0:
			b.WriteString(`<p><img src="/images/` + slugWord(r) + `.jpg" alt="` + phrase(r, s, 10) + `" width="640" height="360"></p>` + "\n")
		case 1:
			b.WriteString("<ul><li>" + phrase(r, s, 20) + "</li><li>" + phrase(r, s, 20) + "</li></ul>\n")
		case 2:
			b.WriteString(`<blockquote><p>` + sentence(r, s, 50) + `</p></blockquote>` + "\n")
		case 3:
			switch r.IntN(4) {
			case 0:
				b.WriteString(`<script>track("` + slugWord(r) + `")</script>` + "\n")
			case 1:
				b.WriteString(`<p onclick="track()">` + phrase(r, s, 20) + "</p>\n")
			case 2:
				b.WriteString(`<p><a href="javascript:void(0)">` + phrase(r, s, 8) + "</a></p>\n")
			case 3:
				b.WriteString(`<p style="color:red">` + phrase(r, s, 20) + "</p>\n")
			}
		}
	}
	return b.String()
}

func slugWord(r *rand.Rand) string {
	return englishWords[r.IntN(len(englishWords))] + "-" + englishWords[r.IntN(len(englishWords))]
}
