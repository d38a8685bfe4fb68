package sources

import "testing"

func TestTrackingPixel(t *testing.T) {
	for _, tc := range []struct {
		w, h string
		want bool
	}{
		{"1", "1", true}, {" 2 ", "2", true}, {"1", "2", false}, {"3", "3", false},
		{"640", "360", false}, {"", "", false}, {"1px", "1px", false}, {"1", "", false},
	} {
		if got := TrackingPixel(tc.w, tc.h); got != tc.want {
			t.Errorf("TrackingPixel(%q, %q) = %v, want %v", tc.w, tc.h, got, tc.want)
		}
	}
}
