package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"
)

const (
	testHost     = "feeds.example.edu"
	testFirstRun = "2025-03-14"
	testSiteLink = "https://www.example.edu/news/"
)

// testDetector loads the OpenCC tables once for the whole test binary.
var testDetector = sync.OnceValues(NewDetector)

func hongKong(t testing.TB) *time.Location {
	t.Helper()
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	return hk
}

func newTestNormalizer(t testing.TB) *Normalizer {
	t.Helper()
	det, err := testDetector()
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Host: testHost, FirstRun: testFirstRun, Zone: hongKong(t), SiteLink: testSiteLink}, det)
}

// hash16 is the id key computed independently of the package: the first 16
// lower-case hex digits of SHA-256.
func hash16(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

// hkt is a Hong Kong wall-clock time.
func hkt(t testing.TB, y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, hongKong(t))
}
