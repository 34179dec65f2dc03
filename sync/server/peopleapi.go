package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The administrator's API of the people room (api.PathPeople,
// api.PathPersonKeys): list and search, read and edit one person, import
// people and agencies from a file, issue activation codes, list and
// revoke keys. The routes are in Handler.
func (s *Server) peopleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api.PathPeople+"{$}", s.admin("people", s.listPeople))
	mux.HandleFunc("POST "+api.PathPeople+"{$}", s.admin("people", s.importPeople))
	mux.HandleFunc("GET "+api.PathPeople+"{id}", s.admin("people", s.getPerson))
	mux.HandleFunc("PUT "+api.PathPeople+"{id}", s.admin("people", s.putPerson))
	mux.HandleFunc("POST "+api.PathPeople+"{id}/activation", s.admin("people", s.newActivation))
	mux.HandleFunc("GET "+api.PathPeople+"{id}/keys", s.admin("people", s.personKeys))
	mux.HandleFunc("POST "+api.PathPersonKeys+"{id}/revoke", s.admin("people", s.revokePersonKey))
}

// listPeople: GET ?q= (name or id holds it) &agency= &role=.
func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out, err := s.people.Search(r.Context(), q.Get("q"), q.Get("agency"), q.Get("role"))
	web.Respond(w, r, out, err)
}

// getPerson answers a person with the certificate the lists hold for them.
func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) {
	rec, err := s.people.GetRecord(r.Context(), r.PathValue("id"))
	if errors.Is(err, people.ErrNoPerson) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_person"), "")
		return
	}
	web.Respond(w, r, rec, err)
}

// putPerson adds or replaces a person (people.Record: an api.Person, and
// a certificate holder's certificate), the id the path's.
func (s *Server) putPerson(w http.ResponseWriter, r *http.Request) {
	var rec people.Record
	if !web.Decode(w, r, &rec) {
		return
	}
	rec.ID = r.PathValue("id")
	err := s.people.PutRecord(r.Context(), rec)
	var bad *people.BadRecordError
	switch {
	case errors.As(err, &bad):
		web.Rows(w, r, "bad_fields", words.M("platform.bad_fields"), bad.RowErrors())
	case err != nil:
		web.Internal(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// importPeople: POST a CSV file or an Excel workbook of people and/or
// agencies (people.Room.Import), as a multipart form's "file" or as the
// body (its name in ?filename=, else its Content-Type says which). All
// rows or none: bad rows are answered 422 bad_rows, each named; a token
// held to one agency has a row of another agency's named so (code
// other_agency). With ?codes=csv (or 1) the answer is a CSV of activation
// codes for the people the import added, to print; ?codes=json puts them
// in the JSON.
func (s *Server) importPeople(w http.ResponseWriter, r *http.Request) {
	name, data, err := uploaded(r)
	if err != nil {
		web.Problem(w, r, http.StatusBadRequest, "bad_file", words.M("platform.bad_file"), err.Error())
		return
	}
	// A token held to one agency imports that agency's rows only.
	t, _ := console.TokenFrom(r.Context())
	res, err := s.people.ImportFor(r.Context(), t.Agency, name, data)
	var ie *sheet.ImportError
	var unreadable *sheet.ErrUnreadable
	switch {
	case errors.As(err, &ie):
		web.Rows(w, r, "bad_rows", words.M("platform.bad_rows"), ie.Rows)
		return
	case errors.As(err, &unreadable):
		web.Problem(w, r, http.StatusBadRequest, "bad_file", words.M("platform.bad_file"), unreadable.Err.Error())
		return
	case err != nil:
		web.Internal(w, r, err)
		return
	}
	mode := r.URL.Query().Get("codes")
	if mode == "" || mode == "0" {
		web.JSON(w, http.StatusOK, res)
		return
	}
	codes, err := s.people.IssueCodes(r.Context(), res.Added)
	if err != nil {
		web.Internal(w, r, fmt.Errorf("imported, but: %w", err))
		return
	}
	if mode == "json" {
		web.JSON(w, http.StatusOK, struct {
			people.ImportResult
			Codes []people.Code `json:"codes"`
		}{res, codes})
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="activation-codes.csv"`)
	w.Write(people.CodesCSV(codes))
}

// uploaded is an import's file: a multipart form's "file" part, or the
// body, named by ?filename= or else by its Content-Type.
func uploaded(r *http.Request) (name string, data []byte, err error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" && params["boundary"] != "" {
		f, h, err := r.FormFile("file")
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		data, err = io.ReadAll(f)
		return h.Filename, data, err
	}
	data, err = io.ReadAll(r.Body)
	name = r.URL.Query().Get("filename")
	if name == "" {
		name = "import.csv"
		if strings.Contains(ct, "spreadsheetml") || r.URL.Query().Get("format") == "xlsx" {
			name = "import.xlsx"
		}
	}
	return name, data, err
}

// newActivation: POST {id}/activation issues a one-time activation code.
func (s *Server) newActivation(w http.ResponseWriter, r *http.Request) {
	code, exp, err := s.people.NewActivationCode(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, people.ErrNoPerson):
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_person"), "")
	case errors.Is(err, people.ErrInactive):
		web.Problem(w, r, http.StatusConflict, "inactive", words.M("platform.person_inactive"), "")
	case err != nil:
		web.Internal(w, r, err)
	default:
		web.JSON(w, http.StatusCreated, map[string]any{"code": code, "expires": exp})
	}
}

// personKeys: GET {id}/keys, the person's registered keys.
func (s *Server) personKeys(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.people.Get(r.Context(), id); errors.Is(err, people.ErrNoPerson) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_person"), "")
		return
	}
	out, err := s.people.Keys(r.Context(), id)
	web.Respond(w, r, out, err)
}

// revokePersonKey: POST {key}/revoke with {"reason": …}; the key is
// path-escaped (standard base64 has / and +).
func (s *Server) revokePersonKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !web.Decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		web.Problem(w, r, http.StatusUnprocessableEntity, "need_reason", words.M("platform.need_reason"), "")
		return
	}
	err := s.people.RevokeKey(r.Context(), r.PathValue("id"), strings.TrimSpace(req.Reason))
	switch {
	case errors.Is(err, people.ErrNoKey):
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_key"), "")
	case err != nil:
		web.Internal(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// peopleLists gives the people room the public lists inside its own
// transaction.
type peopleLists struct{}

func (peopleLists) Lock(ctx context.Context, tx *sqldb.Tx) error {
	_, err := lastCursor(ctx, tx)
	return err
}

func (peopleLists) Agencies(ctx context.Context, tx *sqldb.Tx) ([]catalog.Agency, error) {
	return agencies(ctx, tx)
}

func (peopleLists) Officer(ctx context.Context, tx *sqldb.Tx, id string) (o catalog.Officer, withdrawn, found bool, err error) {
	var data string
	var deleted int
	err = tx.QueryRowContext(ctx, `SELECT data, deleted FROM catalog WHERE kind = ? AND id = ?`, string(catalog.KindOfficer), id).Scan(&data, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, false, nil
	}
	if err != nil {
		return o, false, false, err
	}
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		return o, false, false, fmt.Errorf("officer %s: %w", id, err)
	}
	return o, deleted != 0, true, nil
}

func (peopleLists) Publish(ctx context.Context, tx *sqldb.Tx, items []catalog.Item, agencies []catalog.Agency) error {
	return publishTx(ctx, tx, items, agencies)
}

func (peopleLists) Withdraw(ctx context.Context, tx *sqldb.Tx, kind catalog.Kind, id string) error {
	return withdrawTx(ctx, tx, kind, id)
}
