package feeds

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Namespaces the XML writers declare.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// piAttrEscaper escapes a pseudo-attribute value of a processing
// instruction; escaping '>' also keeps "?>" out of it.
var piAttrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;")

// text is plain text as an element's content. It is written as
// encoding/xml writes text, but for & and <, which become hexadecimal
// character references (&#x26;, &#x3C;) rather than &amp; and &lt;: the RSS
// Best Practices Profile's rule for plain-text elements, so that neither a
// reader that takes an RSS title for HTML nor a validator takes "Q&A" or
// "a <b" for markup. The document means the same either way.
type text string

func (t text) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if !strings.ContainsAny(string(t), "&<") {
		return e.EncodeElement(string(t), start)
	}
	var b strings.Builder
	b.Grow(len(t) + 16)
	if err := xml.EscapeText(&b, []byte(t)); err != nil {
		return err
	}
	return e.EncodeElement(rawXML{Inner: hexRefs.Replace(b.String())}, start)
}

// hexRefs turns encoding/xml's escapes of & and < into the references text
// writes.
var hexRefs = strings.NewReplacer("&amp;", "&#x26;", "&lt;", "&#x3C;")

// rawXML is an element's content written as it is: XML already escaped.
type rawXML struct {
	Inner string `xml:",innerxml"`
}

// texts converts plain strings to texts.
func texts(ss []string) []text {
	if ss == nil {
		return nil
	}
	out := make([]text, len(ss))
	for i, s := range ss {
		out[i] = text(s)
	}
	return out
}

// writeXML writes an XML document: the declaration, an xml-stylesheet
// processing instruction when stylesheet is set, root indented by two
// spaces, and a final newline. The document is streamed to w as it is
// encoded, through a buffer of xmlBuffer bytes, so that a feed of many
// thousand items is never held whole in memory; w sees it in pieces, and
// after an error a part of it. A caller that must not expose half a
// document writes to a temporary file (publish does).
func writeXML(w io.Writer, stylesheet string, root any) error {
	ew := &errWriter{w: w}
	bw := bufio.NewWriterSize(ew, xmlBuffer)
	bw.WriteString(xml.Header)
	if stylesheet != "" {
		fmt.Fprintf(bw, "<?xml-stylesheet type=\"text/xsl\" href=\"%s\"?>\n", piAttrEscaper.Replace(cleanText(stylesheet)))
	}
	// The encoder writes into bw itself (NewEncoder keeps a *bufio.Writer
	// that is large enough) and flushes it when Encode ends.
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		if ew.err != nil {
			return fmt.Errorf("write: %w", ew.err)
		}
		return fmt.Errorf("encode: %w", err)
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// xmlBuffer is how much of a document writeXML and WriteJSON hold before
// handing it to the writer.
const xmlBuffer = 64 << 10

// errWriter remembers the first error of w, so that a writer that streams
// through an encoder can tell a failed write from a failed encoding.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
