package server

import "context"

// ExpireUploads removes the unfinished uploads older than the platform's
// expiry, with their bytes, at once (the platform also does it on its own,
// every ten minutes); it says how many it removed.
func (s *Server) ExpireUploads(ctx context.Context) (int, error) {
	return s.media.ExpireUploads(ctx)
}
