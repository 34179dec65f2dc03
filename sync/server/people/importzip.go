package people

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// An HR office sends people with their photos as one ZIP file: the
// people's workbook or CSV file, and the photos beside it (any folder).
// A person's photo is the file its 照片 cell names, or, when the column
// is absent or the cell empty, the file named by the person's id
// (990101000001.jpg, .jpeg or .png) if there is one. Every photo is
// checked as an upload is (NormalizePhoto); a bad or missing one is a bad
// row like any other, and nothing is imported.

// zipSheetMax bounds the workbook inside a ZIP, as the upload's own limit.
const zipSheetMax = 16 << 20

// isPhotoZip says whether an upload is a ZIP of a sheet and photos, not a
// workbook (an XLSX file is a ZIP too): by its name.
func isPhotoZip(filename string) bool {
	return strings.EqualFold(path.Ext(filename), ".zip")
}

// photoZip is an unpacked ZIP: the sheet's name and bytes, and every
// other file by its base name in lower case.
type photoZip struct {
	sheetName string
	sheet     []byte
	files     map[string][]byte
}

// readPhotoZip unpacks data. A file over its limit is read only up to it
// plus one byte, enough for the check to refuse it as too large: a ZIP
// bomb costs no more memory than an honest file.
func readPhotoZip(data []byte) (z photoZip, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return z, &sheet.ErrUnreadable{Err: fmt.Errorf("not a ZIP file: %w", err)}
	}
	z.files = map[string][]byte{}
	var sheets []string
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(path.Base(f.Name), ".") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		name := path.Base(f.Name)
		ext := strings.ToLower(path.Ext(name))
		limit := int64(PhotoMaxBytes)
		if ext == ".xlsx" || ext == ".csv" {
			limit = zipSheetMax
		}
		rc, err := f.Open()
		if err != nil {
			return z, &sheet.ErrUnreadable{Err: fmt.Errorf("%s in the ZIP: %w", f.Name, err)}
		}
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		rc.Close()
		if err != nil {
			return z, &sheet.ErrUnreadable{Err: fmt.Errorf("%s in the ZIP: %w", f.Name, err)}
		}
		if ext == ".xlsx" || ext == ".csv" {
			sheets = append(sheets, f.Name)
			z.sheetName, z.sheet = name, b
			continue
		}
		z.files[strings.ToLower(name)] = b
	}
	if len(sheets) != 1 {
		return z, &sheet.ImportError{Rows: []sheet.RowError{{Code: "zip_sheet",
			Reason: words.L("platform.people.zip_sheet", map[string]any{"N": len(sheets)})}}}
	}
	return z, nil
}

// photosOf finds and checks each person's photo in z (nil: the upload was
// no ZIP, and a 照片 cell is a bad row): the photos by row, and the bad
// rows.
func photosOf(persons []personRow, z *photoZip) (map[int]Photo, []sheet.RowError) {
	out := map[int]Photo{}
	var bad []sheet.RowError
	for i, p := range persons {
		report := func(code string, data map[string]any) {
			bad = append(bad, sheet.RowError{Sheet: p.sheet, Row: p.row, Column: p.header("photo"),
				Reason: words.L("platform.people."+code, data), Code: code})
		}
		var data []byte
		switch {
		case p.photoFile != "" && z == nil:
			report("photo_not_zip", nil)
			continue
		case p.photoFile != "":
			var ok bool
			if data, ok = z.files[strings.ToLower(path.Base(p.photoFile))]; !ok {
				report("photo_missing", map[string]any{"File": p.photoFile})
				continue
			}
		case z != nil && p.rec.ID != "":
			for _, ext := range []string{".jpg", ".jpeg", ".png"} {
				if b, ok := z.files[strings.ToLower(p.rec.ID+ext)]; ok {
					data = b
					break
				}
			}
		}
		if data == nil {
			continue
		}
		ph, err := NormalizePhoto(data)
		var pe *PhotoError
		switch {
		case errors.As(err, &pe):
			report(pe.Code, PhotoLimits)
			continue
		case err != nil:
			report("photo_unreadable", PhotoLimits)
			continue
		}
		out[i] = ph
	}
	return out, bad
}
