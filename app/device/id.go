package device

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
)

// IDFile is where a data folder keeps its device ID, beside its keys and
// settings, from the first run on.
const IDFile = "device_id"

// idAlphabet is Crockford's base32 in lower case: no i, l, o or u, so an
// ID read aloud or copied by hand from a case number is not mistaken.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// idLen is how many characters a new ID has: 50 random bits, so a city's
// thousands of devices collide with odds under one in a hundred million
// (and the platform refuses the second of two alike all the same).
const idLen = 10

// ID is the device ID of the data folder dir: the name of the device in
// its record log's origin, its key's name, its case numbers, and at the
// platform, which takes it from the key's name at enrolment.
//
// A folder whose record log exists keeps the ID the log was made with:
// devices made before IDs were random carry their host name there, and
// their log and the platform know them by it. Otherwise the ID kept in
// IDFile, and on a new folder a random one made now and kept there, so
// two machines of the same host name never share one.
func ID(dir string) (string, error) {
	if id, err := logID(dir); err != nil || id != "" {
		return id, err
	}
	path := filepath.Join(dir, IDFile)
	if id, err := readID(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return id, err
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	return keepID(dir, id)
}

// logID is the ID the folder's record log was made with, kept in IDFile
// if it is not there yet; "" where there is no log.
func logID(dir string) (string, error) {
	path := filepath.Join(dir, config.CasefileDB)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	l, err := casefile.OpenExisting(context.Background(), path, filepath.Join(dir, config.MediaDir), nil)
	if errors.Is(err, casefile.ErrNotCaseFile) {
		return "", nil // an empty file: the log is made with a new ID
	}
	if err != nil {
		return "", fmt.Errorf("device ID: %w", err)
	}
	id := l.DeviceID()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("device ID: %w", err)
	}
	if _, err := readID(filepath.Join(dir, IDFile)); errors.Is(err, os.ErrNotExist) {
		return keepID(dir, id)
	}
	return id, nil
}

// readID reads a kept ID; a file that holds none is an error that names it.
func readID(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(data))
	if id == "" || strings.ContainsAny(id, " +/\n") {
		return "", fmt.Errorf("device ID: %s holds no device ID (%q)", path, id)
	}
	return id, nil
}

// keepID writes id to IDFile unless another process kept one first (two
// programs started on a new folder at once), and returns the one kept.
// The file is written aside and linked into place, which never replaces.
func keepID(dir, id string) (string, error) {
	tmp, err := os.CreateTemp(dir, ".device_id-*")
	if err != nil {
		return "", fmt.Errorf("keep the device ID: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(id + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if err2 := tmp.Close(); err == nil {
		err = err2
	}
	if err != nil {
		return "", fmt.Errorf("keep the device ID: %w", err)
	}
	path := filepath.Join(dir, IDFile)
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return readID(path)
	} else if err != nil {
		return "", fmt.Errorf("keep the device ID: %w", err)
	}
	return id, nil
}

func newID() (string, error) {
	b := make([]byte, idLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a device ID: %w", err)
	}
	for i := range b {
		b[i] = idAlphabet[b[i]%32]
	}
	return string(b), nil
}

// Name is the machine's host name, which enrolment sends the platform as
// the device's name for people (the ID is what names it).
func Name() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "device"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '+' || r == '/' {
			return '-'
		}
		return r
	}, h)
}
