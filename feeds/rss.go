package feeds

import (
	"errors"
	"io"
)

// WriteRSS is a placeholder until the writer lands.
func WriteRSS(w io.Writer, f *Feed) error { return errors.New("feeds: WriteRSS not written yet") }
