package sources

import (
	"strconv"
	"strings"
)

// TrackingPixel reports an image declared 1×1 or 2×2 (its width and
// height attributes as written): a tracking pixel, not a picture of the
// story, which no reader wants as its image.
func TrackingPixel(width, height string) bool {
	w, errW := strconv.Atoi(strings.TrimSpace(width))
	h, errH := strconv.Atoi(strings.TrimSpace(height))
	return errW == nil && errH == nil && w == h && (w == 1 || w == 2)
}
