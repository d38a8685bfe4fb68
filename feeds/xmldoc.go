package feeds

import (
	"bytes"
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
)

// piAttrEscaper escapes a pseudo-attribute value of a processing
// instruction; escaping '>' also keeps "?>" out of it.
var piAttrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;")

// writeXML writes an XML document: the declaration, an xml-stylesheet
// processing instruction when stylesheet is set, root indented by two
// spaces, and a final newline. The document is built in memory and written
// with one Write, so w never sees half a feed from this call.
func writeXML(w io.Writer, stylesheet string, root any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if stylesheet != "" {
		fmt.Fprintf(&buf, "<?xml-stylesheet type=\"text/xsl\" href=\"%s\"?>\n", piAttrEscaper.Replace(cleanText(stylesheet)))
	}
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	buf.WriteByte('\n')
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
