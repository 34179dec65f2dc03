//go:build !windows

package speech

import "context"

func find(ctx context.Context) (*Voice, error) { return espeak(ctx) }
