// Package speech reads Chinese text aloud with the system's own speech
// synthesiser, for the kiosk's 朗读 button (适老化): espeak-ng's Mandarin
// voice on Linux, a Chinese SAPI voice through PowerShell's System.Speech
// on Windows. Where the system has no Chinese voice, Find says so and the
// kiosk offers no button. The text goes to the synthesiser on its standard
// input, never on a command line, so no character of an item can become an
// option or a command.
package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// ErrNoVoice is a system without a Chinese voice: no synthesiser, or one
// without Mandarin.
var ErrNoVoice = errors.New("no Chinese voice on this system")

// Voice is the system's Chinese voice. One text is spoken at a time: Speak
// stops the one in progress.
type Voice struct {
	// Name names the synthesiser and voice ("espeak-ng cmn").
	Name string
	// command makes the process that speaks the text on its standard
	// input, to the speakers or, with wav set, into that file.
	command func(ctx context.Context, wav string) *exec.Cmd

	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
	spoken  string
	outFile string
}

// Find finds the system's Chinese voice, or ErrNoVoice.
func Find(ctx context.Context) (*Voice, error) {
	v, err := find(ctx)
	if err != nil {
		return nil, fmt.Errorf("find a Chinese voice: %w", err)
	}
	return v, nil
}

// espeak is espeak-ng's Mandarin voice, if installed with its data.
func espeak(ctx context.Context) (*Voice, error) {
	exe, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, ErrNoVoice
	}
	out, err := exec.CommandContext(ctx, exe, "--voices=cmn").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --voices: %w", exe, err)
	}
	if !hasVoice(string(out), "cmn") {
		return nil, ErrNoVoice
	}
	return &Voice{Name: "espeak-ng cmn", command: func(ctx context.Context, wav string) *exec.Cmd {
		args := []string{"-v", "cmn", "-s", "150", "--stdin"}
		if wav != "" {
			args = append(args, "-w", wav)
		}
		return exec.CommandContext(ctx, exe, args...)
	}}, nil
}

// hasVoice says whether espeak-ng's voice table lists language lang.
func hasVoice(table, lang string) bool {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == lang {
			return true
		}
	}
	return false
}

// SetOutput sends what the voice speaks into a WAV file at path instead of
// the speakers ("" for the speakers again): for tests and for checking a
// kiosk's voice without a loudspeaker.
func (v *Voice) SetOutput(path string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.outFile = path
}

// Speak starts reading text aloud and returns; a text already being read
// stops first.
func (v *Voice) Speak(text string) error {
	v.Stop()
	v.mu.Lock()
	defer v.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := v.command(ctx, v.outFile)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return fmt.Errorf("read aloud with %s: %w", v.Name, err)
	}
	done := make(chan struct{})
	v.cancel, v.done, v.err, v.spoken = cancel, done, nil, text
	go func() {
		err := cmd.Wait()
		v.mu.Lock()
		if err != nil && ctx.Err() == nil {
			v.err = fmt.Errorf("read aloud with %s: %w: %s", v.Name, err, strings.TrimSpace(stderr.String()))
		}
		v.mu.Unlock()
		cancel()
		close(done)
	}()
	return nil
}

// Speaking says whether a text is being read.
func (v *Voice) Speaking() bool {
	v.mu.Lock()
	done := v.done
	v.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Stop stops reading, if it is, and waits for the synthesiser to end.
func (v *Voice) Stop() {
	v.mu.Lock()
	cancel, done := v.cancel, v.done
	v.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Wait waits until the text being read is finished and returns what went
// wrong reading it.
func (v *Voice) Wait() error {
	v.mu.Lock()
	done := v.done
	v.mu.Unlock()
	if done != nil {
		<-done
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.err
}

// Spoken is the last text given to Speak.
func (v *Voice) Spoken() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.spoken
}
