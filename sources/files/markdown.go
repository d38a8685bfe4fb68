package files

import (
	"bytes"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/feedloom/feedloom/sources"
)

// markdownStory is one Markdown story (.md, .markdown) as written: YAML front
// matter between "---" lines, or else a leading "# " heading as its title,
// and the body rendered to HTML. The HTML is unsanitized; normalize cleans
// every story's HTML alike.
type markdownStory struct {
	Meta        storyMeta
	FrontMatter bool                // the file opens with front matter
	Keys        map[string]position // where each front-matter key is in the file
	Heading     string              // the leading "# " heading of a file without front matter, rendered
	HTML        string
}

// newMarkdown returns the renderer of story bodies: GitHub-flavoured
// Markdown, with raw HTML passed through so that the sanitizer, not the
// renderer, decides what is safe.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
}

// parseMarkdown reads a Markdown story and renders its body with md.
// Unknown front-matter keys are ignored: Hugo and Jekyll users keep their own
// parameters there.
func parseMarkdown(data []byte, md goldmark.Markdown) (markdownStory, error) {
	text, err := decodeText(data, "Markdown story")
	if err != nil {
		return markdownStory{}, err
	}
	lines := strings.Split(text, "\n")
	var s markdownStory
	var body []string
	bodyLine := 1 // the line of the file body starts on
	switch first := strings.TrimRight(lines[0], " \t"); first {
	case "---":
		end := -1
		for i := 1; i < len(lines); i++ {
			if strings.TrimRight(lines[i], " \t") == "---" {
				end = i
				break
			}
		}
		if end < 0 {
			return markdownStory{}, errAt(1, 0, "front matter opened here is not closed by a --- line")
		}
		s.FrontMatter = true
		// Front-matter line 1 is line 2 of the file.
		node, err := parseYAMLDoc(strings.Join(lines[1:end], "\n"), 1, "front matter: ")
		if err != nil {
			return markdownStory{}, err
		}
		if node != nil {
			m, ok := node.(*ast.MappingNode)
			if !ok {
				p := nodePos(node, 1)
				return markdownStory{}, errAt(p.line, p.col, "front matter: want a mapping of keys to values")
			}
			if err := decodeYAML(m, &s.Meta, false, 1, "front matter: "); err != nil {
				return markdownStory{}, err
			}
			s.Keys = mappingKeys(m, 1)
		}
		body, bodyLine = lines[end+1:], end+2
	case "+++":
		return markdownStory{}, errAt(1, 0, "TOML front matter is not supported; write YAML between --- lines")
	default:
		body = lines
		for i, ln := range lines {
			if strings.TrimSpace(ln) == "" {
				continue
			}
			if h, ok := atxHeading(ln); ok {
				h1, err := render(md, "# "+h, i+1)
				if err != nil {
					return markdownStory{}, err
				}
				h1 = strings.TrimSpace(h1)
				s.Heading = strings.TrimSuffix(strings.TrimPrefix(h1, "<h1>"), "</h1>")
				body, bodyLine = lines[i+1:], i+2
			}
			break
		}
	}
	if s.HTML, err = render(md, strings.Join(body, "\n"), bodyLine); err != nil {
		return markdownStory{}, err
	}
	return s, nil
}

// render renders the Markdown src, which starts on line of its file, with
// md. An error or a panic of the renderer is a problem at that line.
func render(md goldmark.Markdown, src string, line int) (out string, err error) {
	defer catchPanic(&err, line, 0)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", errAt(line, 0, "render Markdown: %w", err)
	}
	return buf.String(), nil
}

// atxHeading returns the text of line if it is a level-1 ATX heading
// ("# Title", optionally closed by "#"s), as CommonMark reads it.
func atxHeading(line string) (string, bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 || !strings.HasPrefix(trimmed, "#") {
		return "", false
	}
	rest := trimmed[1:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // "#tag" or "## Subtitle"
	}
	rest = strings.TrimSpace(rest)
	if closed := strings.TrimRight(rest, "#"); closed == "" {
		rest = ""
	} else if n := len(closed); n < len(rest) && (closed[n-1] == ' ' || closed[n-1] == '\t') {
		rest = strings.TrimSpace(closed)
	}
	return rest, rest != ""
}

// story translates the Markdown story. A file without front matter takes its
// title from its heading, as HTML since the heading may hold emphasis or
// entities; with front matter, the title must be there.
func (m markdownStory) story(zone *time.Location) (sources.Story, error) {
	meta := m.Meta
	if !m.FrontMatter {
		if m.Heading == "" {
			return sources.Story{}, errAt(1, 0, "%w", errNoTitle)
		}
		meta.Title = m.Heading
	}
	st, err := meta.story(zone)
	if err != nil {
		return sources.Story{}, locate(err, knownPlaces{at: position{line: 1}, keys: m.Keys}, "")
	}
	st.TitleHTML = !m.FrontMatter
	st.Line = 1
	st.Content = m.HTML
	return st, nil
}
