package feed

// DecodeXML readies an XML body that is not a feed (an OPML list) by the
// charset rules feeds are read with: a byte order mark, the XML
// declaration, the HTTP charset, UTF-8, then a confident guess. The body
// may keep a declaration of a single-byte charset whose bytes decoded
// cleanly, so its reader needs golang.org/x/net/html/charset's
// NewReaderLabel as the xml.Decoder's CharsetReader; bytes no reading
// decodes are U+FFFD, counted in Replaced.
func DecodeXML(body []byte, contentType string) (Decoded, error) {
	d, err := decodeBody(body, contentType)
	return Decoded{Body: d.body, Charset: d.charset, From: d.from, Replaced: d.replaced}, err
}
