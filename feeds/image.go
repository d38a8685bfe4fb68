package feeds

import (
	"net/url"
	"path"
	"strings"
)

// imageTypes are the picture formats told by a file name's extension. A
// table of its own, not the system's MIME database, so that output does
// not depend on the machine.
var imageTypes = map[string]string{
	".avif": "image/avif", ".gif": "image/gif", ".jpeg": "image/jpeg", ".jpg": "image/jpeg",
	".png": "image/png", ".svg": "image/svg+xml", ".webp": "image/webp",
}

// ImageType is the MIME type of the picture at link, told by its path's
// extension; "" when it cannot be told.
func ImageType(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return imageTypes[strings.ToLower(path.Ext(u.Path))]
}
