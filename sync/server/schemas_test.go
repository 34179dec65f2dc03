package server

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/supervise"
)

// wireSchemas names the OpenAPI document's schema for each Go type the
// platform answers with.
var wireSchemas = map[reflect.Type]string{}

func wire[T any](name string) {
	wireSchemas[reflect.TypeFor[T]()] = name
}

func init() {
	wire[api.Change]("Change")
	wire[api.EnrolResponse]("EnrolResponse")
	wire[api.Receipt]("Receipt")
	wire[api.CheckpointRequest]("CheckpointRequest")
	wire[api.CheckpointAnswer]("CheckpointAnswer")
	wire[api.Timestamp]("Timestamp")
	wire[api.TimestampsResponse]("TimestampsResponse")
	wire[api.Verdict]("Verdict")
	wire[api.ChangesResponse]("ChangesResponse")
	wire[api.DeliveredOpinion]("DeliveredOpinion")
	wire[api.Handover]("Handover")
	wire[api.HeldRecord]("HeldRecord")
	wire[api.KeySet]("KeySet")
	wire[api.Equipment]("Equipment")
	wire[api.AgencyEquipment]("AgencyEquipment")
	wire[api.EquipmentDevice]("EquipmentDevice")
	wire[api.BodyCamera]("BodyCamera")
	wire[api.Recordings]("EquipmentRecordings")
	wire[api.Hall]("Hall")
	wire[api.HallPut]("HallPut")
	wire[api.HallWindow]("HallWindow")
	wire[api.OpenWindow]("OpenWindow")
	wire[api.Person]("Person")
	wire[api.Rating]("Rating")
	wire[api.RatingCount]("RatingCount")
	wire[api.RatingFollowUp]("RatingFollowUp")
	wire[api.RatingReport]("RatingReport")
	wire[api.Notice]("Notice")
	wire[api.NoticeStep]("NoticeStep")
	wire[api.NoticeFile]("NoticeFile")
	wire[api.NoticeList]("NoticeList")
	wire[api.NewNotice]("NewNotice")
	wire[api.NoticeUpload]("NoticeUpload")
	wire[api.NoticeReport]("NoticeReport")
	wire[api.NoticeRecheck]("NoticeRecheck")
	wire[api.NoticeAccountability]("NoticeAccountability")
	wire[api.RevokedKey]("RevokedKey")
	wire[api.Standing]("Standing")
	wire[api.Task]("Task")
	wire[api.TaskInspector]("TaskInspector")
	wire[api.TaskTarget]("TaskTarget")
	wire[api.Withdrawal]("Withdrawal")
	wire[casefile.AVRequirement]("AVRequirement")
	wire[casefile.ClockRule]("ClockRule")
	wire[casefile.Deviation]("Deviation")
	wire[casefile.Limits]("FineLimits")
	wire[casefile.Procedure]("Procedure")
	wire[casefile.Stage]("ProcedureStage")
	wire[console.Entry]("AuditEntry")
	wire[ledger.Record]("Record")
	wire[ledger.Sig]("RecordSignature")
	wire[people.Key]("PersonKey")
	wire[publish.Deadline]("Deadline")
	wire[review.Point]("ReviewPoint")
	wire[review.Policy]("ReviewPolicy")
	wire[review.RemoteCase]("RemoteCase")
	wire[review.Reviewer]("Reviewer")
	wire[review.Rule]("ReviewRule")
	wire[Alert]("Alert")
	wire[AuditPage]("AuditPage")
	wire[DeviceStatus]("DeviceStatus")
	wire[supervise.Appraisal]("Appraisal")
	wire[supervise.AgencyRow]("AppraisalAgency")
	wire[supervise.Figures]("AppraisalFigures")
	wire[supervise.MonthRow]("AppraisalMonth")
	wire[supervise.OfficerRow]("AppraisalOfficer")
	wire[supervise.Check]("SupervisionCheck")
	wire[supervise.DrawnTask]("SupervisionDrawnTask")
	wire[supervise.Evaluation]("SupervisionEvaluation")
	wire[supervise.Inspections]("SupervisionInspections")
	wire[supervise.Report]("SupervisionReport")
	wire[supervise.Row]("SupervisionRow")
	wire[supervise.Staffing]("SupervisionStaffing")
	wire[supervise.Tally]("SupervisionTally")
	wire[supervise.TaskRow]("SupervisionTaskRow")
	wire[supervise.TaskTally]("SupervisionTaskTally")
}

// Every schema the document gives a wire type has the type's fields, of
// the type's JSON types, and requires exactly those the encoder always
// writes (no omitempty): a field added, renamed or retyped in Go and not
// in the document fails here, on every route, exercised by a test or not.
func TestSchemasMatchWireTypes(t *testing.T) {
	generated := Generate(t)
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for name, gen := range generated {
		have, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s: not in the document; generated:\n%s", name, show(gen))
			continue
		}
		if g, h := show(shape(gen)), show(shape(have)); g != h {
			t.Errorf("schema %s drifted from its Go type:\ndocument:\n%s\nGo:\n%s", name, h, g)
		}
	}
}

// Generate makes the schemas of the wire types with kin-openapi's
// openapi3gen, named as the document names them.
func Generate(t *testing.T) map[string]any {
	t.Helper()
	raw := reflect.TypeFor[json.RawMessage]()
	schemas := openapi3.Schemas{}
	g := openapi3gen.NewGenerator(openapi3gen.UseAllExportedFields(),
		openapi3gen.CreateTypeNameGenerator(func(ty reflect.Type) string {
			if n, ok := wireSchemas[ty]; ok {
				return n
			}
			return "unnamed:" + ty.String()
		}),
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		openapi3gen.SchemaCustomizer(func(_ string, ty reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
			if ty == raw {
				*s = openapi3.Schema{Description: "any JSON value"}
			}
			if ty.Kind() == reflect.Struct && s.Properties != nil {
				s.Required = requiredFields(ty)
			}
			return nil
		}))
	for ty := range wireSchemas {
		if _, err := g.NewSchemaRefForValue(reflect.New(ty).Elem().Interface(), schemas); err != nil {
			t.Fatalf("schema of %s: %v", ty, err)
		}
	}
	out := map[string]any{}
	for name, ref := range schemas {
		if strings.HasPrefix(name, "unnamed:") {
			t.Errorf("%s: a wire type without a name in the document (add it to wireSchemas)", name)
			continue
		}
		b, err := json.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		json.Unmarshal(b, &v)
		out[name] = v
	}
	return out
}

// requiredFields are the JSON names of t's fields the encoder always
// writes, embedded structs' included.
func requiredFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, requiredFields(ft)...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// shape keeps what a schema says of the JSON's shape: types, references,
// items, properties and which are required; not the words, nor the
// formats (the document says more of a string than Go can: a date).
func shape(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "type", "$ref", "nullable":
				out[k] = x
			case "items", "additionalProperties":
				out[k] = shape(x)
			case "properties":
				ps := map[string]any{}
				for name, p := range x.(map[string]any) {
					ps[name] = shape(p)
				}
				out[k] = ps
			case "required":
				r := []string{}
				for _, s := range x.([]any) {
					r = append(r, s.(string))
				}
				sort.Strings(r)
				if len(r) > 0 {
					out[k] = r
				}
			}
		}
		if t, ok := out["type"].([]any); ok && len(t) == 1 {
			out["type"] = t[0]
		}
		return out
	}
	return v
}

func show(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}
