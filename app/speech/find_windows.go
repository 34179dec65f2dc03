//go:build windows

package speech

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"unicode/utf16"
)

// sapi is the PowerShell that finds an enabled Chinese SAPI voice: with
// probe it prints the voice's name and ends, else it reads UTF-8 text from
// its standard input aloud, or into the WAV file named. Exit 3 is no
// Chinese voice.
const sapi = `[Console]::InputEncoding = [Text.Encoding]::UTF8
[Console]::OutputEncoding = [Text.Encoding]::UTF8
Add-Type -AssemblyName System.Speech
$s = New-Object System.Speech.Synthesis.SpeechSynthesizer
$v = $s.GetInstalledVoices() | Where-Object { $_.Enabled -and $_.VoiceInfo.Culture.Name -like 'zh-*' } | Select-Object -First 1
if (-not $v) { exit 3 }
if ('%s' -eq 'probe') { $v.VoiceInfo.Name; exit 0 }
$s.SelectVoice($v.VoiceInfo.Name)
if ('%s' -ne '') { $s.SetOutputToWaveFile('%s') }
$s.Speak([Console]::In.ReadToEnd())
$s.Dispose()
`

// encoded is script as PowerShell's -EncodedCommand wants it: base64 of
// UTF-16LE.
func encoded(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func powershell(ctx context.Context, mode, wav string) *exec.Cmd {
	wav = strings.ReplaceAll(wav, "'", "''")
	return exec.CommandContext(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand",
		encoded(fmt.Sprintf(sapi, mode, wav, wav)))
}

func find(ctx context.Context) (*Voice, error) {
	if v, err := espeak(ctx); err == nil {
		return v, nil
	}
	if _, err := exec.LookPath("powershell.exe"); err != nil {
		return nil, ErrNoVoice
	}
	out, err := powershell(ctx, "probe", "").Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return nil, ErrNoVoice
	}
	if err != nil {
		return nil, fmt.Errorf("ask SAPI for its voices: %w", err)
	}
	name := strings.TrimSpace(string(out))
	return &Voice{Name: "SAPI " + name, command: func(ctx context.Context, wav string) *exec.Cmd {
		return powershell(ctx, "speak", wav)
	}}, nil
}
