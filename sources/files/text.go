package files

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/feedloom/feedloom/sources"
)

// errAt returns a problem located at line and col (0 when unknown). Fetch
// fills in the path.
func errAt(line, col int, format string, args ...any) error {
	return &sources.FileError{Line: line, Col: col, Err: fmt.Errorf(format, args...)}
}

// decodeText checks that data is UTF-8 text and returns it without a byte
// order mark and with every line ending (CRLF, CR) turned into "\n", so that
// the parsers count lines alike. kind names the format in the message for a
// binary file ("story listing", "Markdown story", …).
func decodeText(data []byte, kind string) (string, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", errAt(1, 0, "UTF-16 text; save the file as UTF-8")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	// NUL never occurs in text, and binary data is seldom valid UTF-8: test
	// it first so that an image gets the message that explains it.
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, _ := lineCol(data, i)
		return "", errAt(line, 0, "binary file, not a %s", kind)
	}
	if !utf8.Valid(data) {
		i := firstInvalid(data)
		line, col := lineCol(data, i)
		return "", errAt(line, col, "invalid UTF-8 (byte 0x%02x)", data[i])
	}
	s := string(data)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s, nil
}

// firstInvalid returns the offset of the first byte of data that does not
// start a valid UTF-8 sequence.
func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// lineCol returns the 1-based line and column (in characters) of byte offset
// off in data. LF, CRLF and CR all end a line; the bytes before off must be
// valid UTF-8.
func lineCol(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		switch data[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				continue
			}
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}
