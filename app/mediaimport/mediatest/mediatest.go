// Package mediatest writes small, valid video and audio files as body
// cameras and phones write them, for tests: an MP4 (through gomedia's
// muxer) with a known mvhd creation time, AVIs with IDIT or INFO dates,
// WAVs with INFO ICRD or bext, MP3s with ID3v2 dates.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"time"

	mp4 "github.com/yapingcat/gomedia/go-mp4"
)

// bits writes H.264's bit fields and exp-Golomb codes.
type bits struct {
	b []byte
	n int // bits used in the last byte
}

func (w *bits) bit(v uint) {
	if w.n == 0 {
		w.b = append(w.b, 0)
	}
	if v != 0 {
		w.b[len(w.b)-1] |= 0x80 >> w.n
	}
	w.n = (w.n + 1) % 8
}

func (w *bits) u(n int, v uint) {
	for i := n - 1; i >= 0; i-- {
		w.bit(v >> i & 1)
	}
}

func (w *bits) ue(v uint) {
	v++
	n := 0
	for x := v; x > 1; x >>= 1 {
		n++
	}
	w.u(n, 0)
	w.u(n+1, v)
}

func (w *bits) trailing() []byte {
	w.bit(1)
	for w.n != 0 {
		w.bit(0)
	}
	return w.b
}

// h264Headers are a baseline SPS and PPS for a picture of w×h (multiples
// of 16), with their start codes.
func h264Headers(width, height int) []byte {
	var s bits
	s.u(8, 0x67)              // NAL: SPS
	s.u(8, 66)                // profile_idc: baseline
	s.u(8, 0xC0)              // constraint flags
	s.u(8, 30)                // level_idc 3.0
	s.ue(0)                   // seq_parameter_set_id
	s.ue(0)                   // log2_max_frame_num_minus4
	s.ue(2)                   // pic_order_cnt_type
	s.ue(1)                   // max_num_ref_frames
	s.u(1, 0)                 // gaps_in_frame_num_value_allowed_flag
	s.ue(uint(width/16 - 1))  // pic_width_in_mbs_minus1
	s.ue(uint(height/16 - 1)) // pic_height_in_map_units_minus1
	s.u(1, 1)                 // frame_mbs_only_flag
	s.u(1, 1)                 // direct_8x8_inference_flag
	s.u(1, 0)                 // frame_cropping_flag
	s.u(1, 0)                 // vui_parameters_present_flag
	sps := s.trailing()
	var p bits
	p.u(8, 0x68) // NAL: PPS
	p.ue(0)      // pic_parameter_set_id
	p.ue(0)      // seq_parameter_set_id
	p.u(1, 0)    // entropy_coding_mode_flag
	p.u(1, 0)    // bottom_field_pic_order_in_frame_present_flag
	p.ue(0)      // num_slice_groups_minus1
	p.ue(0)      // num_ref_idx_l0_default_active_minus1
	p.ue(0)      // num_ref_idx_l1_default_active_minus1
	p.u(1, 0)    // weighted_pred_flag
	p.u(2, 0)    // weighted_bipred_idc
	p.ue(0)      // pic_init_qp_minus26: se(0) is coded as ue(0)
	p.ue(0)      // pic_init_qs_minus26
	p.ue(0)      // chroma_qp_index_offset
	p.u(1, 1)    // deblocking_filter_control_present_flag
	p.u(1, 0)    // constrained_intra_pred_flag
	p.u(1, 0)    // redundant_pic_cnt_present_flag
	pps := p.trailing()
	start := []byte{0, 0, 0, 1}
	return bytes.Join([][]byte{nil, sps, pps}, start)
}

// MP4 writes an MP4 of an H.264 track of frames pictures at fps through
// gomedia's muxer (the moov at the end, as cameras write it), then sets
// the mvhd's creation_time to created (seconds since 1904, UTC).
func MP4(path string, created time.Time, width, height, fps, frames int) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write MP4: %w", err)
	}
	defer f.Close()
	m, err := mp4.CreateMp4Muxer(f)
	if err != nil {
		return fmt.Errorf("write MP4: %w", err)
	}
	track := m.AddVideoTrack(mp4.MP4_CODEC_H264, mp4.WithVideoWidth(uint32(width)), mp4.WithVideoHeight(uint32(height)))
	headers := h264Headers(width, height)
	for i := range frames {
		// An IDR slice each: first_mb_in_slice 0, then filler bytes (the
		// demuxer never decodes pictures).
		slice := append([]byte{0, 0, 0, 1, 0x65, 0x88, 0x84, byte(i)}, bytes.Repeat([]byte{0x5A}, 64)...)
		frame := slice
		if i == 0 {
			frame = append(append([]byte{}, headers...), slice...)
		}
		ms := uint64(i * 1000 / fps)
		if err := m.Write(track, frame, ms, ms); err != nil {
			return fmt.Errorf("write MP4 frame %d: %w", i, err)
		}
	}
	if err := m.WriteTrailer(); err != nil {
		return fmt.Errorf("write MP4: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write MP4: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("write MP4: %w", err)
	}
	i := bytes.Index(data, []byte("mvhd"))
	if i < 0 {
		return fmt.Errorf("write MP4: the muxer wrote no mvhd")
	}
	secs := uint64(created.Unix() + 2082844800)
	if data[i+4] == 1 {
		binary.BigEndian.PutUint64(data[i+8:], secs)
	} else {
		binary.BigEndian.PutUint32(data[i+8:], uint32(secs))
	}
	return os.WriteFile(path, data, 0o644)
}

// chunk is a RIFF chunk, padded to an even length.
func chunk(id string, data ...[]byte) []byte {
	body := bytes.Join(data, nil)
	out := make([]byte, 8, 8+len(body)+1)
	copy(out, id)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	out = append(out, body...)
	if len(body)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func list(form string, chunks ...[]byte) []byte {
	return chunk("LIST", append([][]byte{[]byte(form)}, chunks...)...)
}

func le32(v ...uint32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], x)
	}
	return out
}

func le16(v ...uint16) []byte {
	out := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(out[2*i:], x)
	}
	return out
}

// AVIOptions says how a camera wrote its AVI.
type AVIOptions struct {
	Width, Height, FPS, Frames int
	// Codec is the video's fourcc: "MJPG" (frames are JPEG pictures) or
	// "H264" (frames are filler).
	Codec string
	// IDIT is the IDIT chunk's text ("" for none), ICRD the INFO list's.
	IDIT, ICRD string
	// Sound adds an 8 kHz PCM16 mono stream beside the video.
	Sound bool
	// NoHuffman leaves the Huffman tables out of every MJPEG frame, as
	// many cameras do (the AVI1 kind).
	NoHuffman bool
}

// Picture is frame i of a test video: a colour that changes with i.
func Picture(w, h, i int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c := color.RGBA{uint8(40 * i), 120, uint8(255 - 40*i), 255}
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}

// AVI writes an AVI as body cameras write them: the header list with
// IDIT inside it, an INFO list and JUNK before the frames, an index.
func AVI(path string, o AVIOptions) error {
	if o.Codec == "" {
		o.Codec = "MJPG"
	}
	var movi, idx [][]byte
	off := uint32(4)
	for i := range o.Frames {
		var data []byte
		if o.Codec == "MJPG" {
			data = Picture(o.Width, o.Height, i)
			if o.NoHuffman {
				data = stripDHT(data)
			}
		} else {
			data = append([]byte{0, 0, 0, 1, 0x65}, bytes.Repeat([]byte{byte(i)}, 99)...)
		}
		c := chunk("00dc", data)
		movi = append(movi, c)
		idx = append(idx, []byte("00dc"), le32(0x10, off, uint32(len(data))))
		off += uint32(len(c))
		if o.Sound {
			pcm := make([]byte, 2*8000/o.FPS)
			c := chunk("01wb", pcm)
			movi = append(movi, c)
			idx = append(idx, []byte("01wb"), le32(0, off, uint32(len(pcm))))
			off += uint32(len(c))
		}
	}
	streams := uint32(1)
	if o.Sound {
		streams = 2
	}
	avih := chunk("avih", le32(uint32(1000000/o.FPS), 0, 0, 0x10, uint32(o.Frames), 0, streams, 0, uint32(o.Width), uint32(o.Height), 0, 0, 0, 0))
	strh := chunk("strh", []byte("vids"), []byte(o.Codec), le32(0, 0, 0, 1, uint32(o.FPS), 0, uint32(o.Frames), 0, 0xFFFFFFFF, 0), le16(0, 0, uint16(o.Width), uint16(o.Height)))
	strf := chunk("strf", le32(40, uint32(o.Width), uint32(o.Height)), le16(1, 24), []byte(o.Codec), le32(uint32(o.Width*o.Height*3), 0, 0, 0, 0))
	hdrl := [][]byte{avih, list("strl", strh, strf)}
	if o.Sound {
		ash := chunk("strh", []byte("auds"), []byte{0, 0, 0, 0}, le32(0, 0, 0, 1, 8000, 0, uint32(8000*o.Frames/o.FPS), 0, 0xFFFFFFFF, 2), le16(0, 0, 0, 0))
		asf := chunk("strf", le16(1, 1), le32(8000, 16000), le16(2, 16))
		hdrl = append(hdrl, list("strl", ash, asf))
	}
	if o.IDIT != "" {
		hdrl = append(hdrl, chunk("IDIT", append([]byte(o.IDIT), '\n', 0)))
	}
	parts := [][]byte{[]byte("AVI "), list("hdrl", hdrl...)}
	if o.ICRD != "" {
		parts = append(parts, list("INFO", chunk("ISFT", []byte("DSJ-T9 V1.2\x00")), chunk("ICRD", append([]byte(o.ICRD), 0))))
	}
	parts = append(parts, chunk("JUNK", make([]byte, 1000)), list("movi", movi...), chunk("idx1", idx...))
	return os.WriteFile(path, chunk("RIFF", parts...), 0o644)
}

// WAVOptions says how a recorder wrote its WAV.
type WAVOptions struct {
	Rate, Channels int
	Samples        []int16 // interleaved
	ICRD           string  // the INFO list's date, "" for none
	// BextDate and BextTime are the bext chunk's origination date
	// ("2006-01-02") and time ("15:04:05"); "" for no bext chunk.
	BextDate, BextTime string
}

// WAV writes a PCM16 WAV with its INFO and bext chunks before the sound.
func WAV(path string, o WAVOptions) error {
	pcm := make([]byte, 2*len(o.Samples))
	for i, s := range o.Samples {
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(s))
	}
	parts := [][]byte{[]byte("WAVE"), chunk("fmt ", le16(1, uint16(o.Channels)), le32(uint32(o.Rate), uint32(2*o.Rate*o.Channels)), le16(uint16(2*o.Channels), 16))}
	if o.BextDate != "" {
		b := make([]byte, 602)
		copy(b[0:], "执法记录仪录音")
		copy(b[256:], "DSJ-T9")
		copy(b[320:], o.BextDate)
		copy(b[330:], o.BextTime)
		parts = append(parts, chunk("bext", b))
	}
	if o.ICRD != "" {
		parts = append(parts, list("INFO", chunk("ICRD", append([]byte(o.ICRD), 0))))
	}
	parts = append(parts, chunk("data", pcm))
	return os.WriteFile(path, chunk("RIFF", parts...), 0o644)
}

// MP3Options says what ID3v2 tag an MP3 carries.
type MP3Options struct {
	// Version is the tag's: 4 (TDRC) or 3 (TYER, TDAT, TIME); 0 for no tag.
	Version int
	// Frames are the tag's text frames, e.g. {"TDRC": "2026-11-21T10:15:30"}.
	Frames map[string]string
	// Seconds of sound (128 kbit/s, 44.1 kHz, silent frames).
	Seconds int
}

// MP3 writes an MP3: an ID3v2 tag, then MPEG-1 layer III frames.
func MP3(path string, o MP3Options) error {
	var out []byte
	if o.Version != 0 {
		var frames []byte
		for _, id := range []string{"TIT2", "TDRC", "TYER", "TDAT", "TIME"} {
			v, ok := o.Frames[id]
			if !ok {
				continue
			}
			data := append([]byte{3}, v...) // UTF-8
			if o.Version == 3 {
				data = append([]byte{0}, v...) // ISO-8859-1
			}
			h := append([]byte(id), 0, 0, 0, 0, 0, 0)
			if o.Version == 4 {
				copy(h[4:8], syncsafe(len(data)))
			} else {
				binary.BigEndian.PutUint32(h[4:8], uint32(len(data)))
			}
			frames = append(frames, append(h, data...)...)
		}
		frames = append(frames, make([]byte, 64)...) // padding
		out = append([]byte{'I', 'D', '3', byte(o.Version), 0, 0}, syncsafe(len(frames))...)
		out = append(out, frames...)
	}
	// 128 kbit/s at 44.1 kHz: 417 bytes a frame, 1152 samples.
	n := o.Seconds * 44100 / 1152
	for range max(n, 2) {
		frame := make([]byte, 417)
		copy(frame, []byte{0xFF, 0xFB, 0x90, 0x00})
		out = append(out, frame...)
	}
	return os.WriteFile(path, out, 0o644)
}

func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}

// stripDHT drops a JPEG's Huffman table segments.
func stripDHT(b []byte) []byte {
	out := append([]byte{}, b[:2]...)
	p := 2
	for p+4 <= len(b) && b[p] == 0xFF && b[p+1] != 0xDA {
		n := int(b[p+2])<<8 | int(b[p+3])
		if b[p+1] != 0xC4 {
			out = append(out, b[p:p+2+n]...)
		}
		p += 2 + n
	}
	return append(out, b[p:]...)
}
