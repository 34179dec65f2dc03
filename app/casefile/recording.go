package casefile

import (
	"encoding/json"
	"time"
)

// Kinds of media record.
const (
	MediaAudio = "audio"
	MediaVideo = "video"
	MediaPhoto = "photo"
)

// MediaFile is one evidence file of a media record.
type MediaFile struct {
	Role   string `json:"role"` // audio, video or photo
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Format string `json:"format"` // e.g. "wav pcm_s16le 48000Hz mono"
	Name   string `json:"name"`   // a file name to export it under
}

// Pause is a time a recording was paused.
type Pause struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PhotoInfo is what a photo says about itself: its size and, from its
// EXIF data when it has some, when and with what it was taken and where.
type PhotoInfo struct {
	Width  int       `json:"width"`
	Height int       `json:"height"`
	Taken  time.Time `json:"taken,omitzero"`
	Make   string    `json:"make,omitempty"`
	Model  string    `json:"model,omitempty"`
	Lat    float64   `json:"lat,omitempty"`
	Long   float64   `json:"long,omitempty"`
	// Source is the file name it was imported from, or "snapshot".
	Source string `json:"source"`
}

// Recording is the body of a media record (KindMedia): a segment of audio,
// of video with the audio recorded beside it from the same start, or a
// photo. It lives here, not with the capture code, so that everything
// that reads case files (the platform, the printed case file) reads it
// without the capture code's cgo.
type Recording struct {
	Session    string      `json:"session"`
	Segment    int         `json:"segment"`
	Kind       string      `json:"kind"`
	Device     string      `json:"device"` // the microphone and the camera
	Stage      string      `json:"stage,omitempty"`
	Start      time.Time   `json:"start"`
	End        time.Time   `json:"end"`
	DurationMS int64       `json:"duration_ms"`
	Files      []MediaFile `json:"files"`
	Pauses     []Pause     `json:"pauses,omitempty"`
	Recovered  bool        `json:"recovered,omitempty"` // repaired after a crash
	Photo      *PhotoInfo  `json:"photo,omitempty"`
}

// RecordingOf reads a media record's body.
func RecordingOf(r Record) (Recording, bool) {
	var rec Recording
	if r.Kind != KindMedia || json.Unmarshal(r.Body, &rec) != nil {
		return rec, false
	}
	return rec, true
}
