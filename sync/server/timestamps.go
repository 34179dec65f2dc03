package server

import (
	"context"
	"math"
	"net/http"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// timestampsPage bounds one answer of a device's tokens; it asks again
// with since= the last seq.
const timestampsPage = 200

// stampNote has a note time-stamped (issue 25, part 2): each receipt a
// push answers with, and each checkpoint the witnesses cosign — the
// exact bytes of the signed note, which the device keeps. Stamping is
// owed, not waited for: a failure to write it down is logged and does not
// touch the push or the cosigning. The stamps are read through
// stampsReady because the intake's hooks exist before the stamps do (the
// stamps' alerts go through the intake).
func (s *Server) stampNote(what string) func(ctx context.Context, device string, size int64, note []byte) {
	return func(ctx context.Context, device string, size int64, note []byte) {
		st := s.stampsReady.Load()
		if st == nil {
			s.log.Error("time-stamp before the platform's stamping opened: not stamped", "what", what, "device", device, "size", size)
			return
		}
		if err := st.Stamp(context.WithoutCancel(ctx), device, size, note); err != nil {
			s.log.Error("time-stamp", "what", what, "device", device, "size", size, "err", err)
		}
	}
}

// Stamps is the platform's time-stamping: the witnesses' cosigned
// checkpoints are stamped through its Stamp too.
func (s *Server) Stamps() *stamps.Stamps { return s.stamps }

// serveTimestamps answers a device its own time-stamp tokens after since.
func (s *Server) serveTimestamps(w http.ResponseWriter, r *http.Request, d Device) {
	since, ok := web.IntParam(w, r, "since", 0, 0, math.MaxInt64)
	if !ok {
		return
	}
	list, err := s.stamps.Since(r.Context(), d.ID, since, timestampsPage)
	web.Respond(w, r, api.TimestampsResponse{Timestamps: list}, err)
}
