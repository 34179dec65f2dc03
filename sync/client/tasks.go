package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// ErrTaskClaimed: the drawn task was taken up on another device first (the
// platform's 409 task_claimed); its case is opened there, not here.
var ErrTaskClaimed = errors.New("the task is taken up on another device")

// PullTasks fetches the drawn inspection tasks (双随机) of officer, signed
// in on this device, who signs the request: those they are one of the two
// inspectors of and that have no result yet, each saying where it was
// taken up.
func (c *Client) PullTasks(ctx context.Context, officer ledger.Signer) (_ []api.Task, err error) {
	defer wrap(&err, "pull the tasks of "+officer.Person())
	var out []api.Task
	resp, err := c.asPerson(ctx, api.PathTasks, "tasks", officer).SetResult(&out).Get(api.PathTasks)
	return out, fail(resp, err)
}

// ClaimTask takes the task up on this device for officer, one of its
// inspectors, who signs the request: this device opens its case. Asking
// again from the same device answers the same. When another device has
// it, the error is ErrTaskClaimed and the task returned says which device
// (Device) and who (ClaimedBy), as the officer's task list tells it.
func (c *Client) ClaimTask(ctx context.Context, id string, officer ledger.Signer) (_ api.Task, err error) {
	defer wrap(&err, "claim task "+id)
	path := api.PathTasks + id + "/claim"
	var out api.Task
	resp, err := c.asPerson(ctx, path, "claim", officer).SetResult(&out).Post(path)
	if err == nil && resp.StatusCode() == http.StatusConflict {
		// The refusal names no more than the device; the officer's list
		// says where and by whom.
		var p api.Problem
		_ = json.Unmarshal(resp.Body(), &p) // a body that is no problem document leaves the code empty
		if p.Code != "task_claimed" {
			return out, &Error{Status: resp.StatusCode(), Problem: p}
		}
		held := api.Task{ID: id}
		list, lerr := c.PullTasks(ctx, officer)
		if i := slices.IndexFunc(list, func(t api.Task) bool { return t.ID == id }); i >= 0 {
			held = list[i]
		}
		return held, errors.Join(fmt.Errorf("%w: %s", ErrTaskClaimed, p.Detail), lerr)
	}
	return out, fail(resp, err)
}

// TaskState is a drawn task as this device knows it: the task, the case
// opened for it here, or where it is held when another device took it up.
type TaskState struct {
	Task api.Task `json:"task"`
	// Case is the case this device opened for the task ("" if none).
	Case string `json:"case,omitempty"`
	// Elsewhere says the task was taken up on another device
	// (Task.Device, by Task.ClaimedBy); the officer's colleague does it.
	Elsewhere bool `json:"elsewhere,omitempty"`
}

// ClaimedByName is the name of the inspector who took the task up, "" if
// no one has (or one the task does not name).
func (s TaskState) ClaimedByName() string {
	for _, o := range s.Task.Inspectors {
		if o.CertNo == s.Task.ClaimedBy || o.Person != "" && o.Person == s.Task.ClaimedBy {
			return o.Name
		}
	}
	return ""
}

// Of says whether the task is person's: one of its two inspectors.
func (s TaskState) Of(person string) bool {
	return slices.ContainsFunc(s.Task.Inspectors, func(o api.TaskInspector) bool { return o.CertNo == person || o.Person == person })
}

// TaskSummary is the summary of a case opened for a drawn task. A case's
// records are in Chinese, the language of the file, whatever the desk
// shows (as the documents' templates are).
func TaskSummary(t api.Task) string {
	return fmt.Sprintf("双随机抽查任务 %s：%s，检查对象%s，于%s前完成。", t.ID, t.ItemName, t.Target.Name, t.Due)
}

// TaskOpening is the opening of the case of a drawn task: an inspection
// (行政检查) of the drawn target for the task's item, by both inspectors.
func TaskOpening(t api.Task) casefile.Opening {
	o := casefile.Opening{Act: act.Inspection, Agency: t.Agency, ItemID: t.Item, ItemName: t.ItemName,
		Party: casefile.Party{Kind: "org", Name: t.Target.Name, IDNo: t.Target.ID, Address: t.Target.Address},
		Place: t.Target.Address, Summary: TaskSummary(t), Procedure: string(act.Inspection),
		Task: &casefile.TaskRef{ID: t.ID, Due: t.Due}}
	for _, in := range t.Inspectors {
		o.Officers = append(o.Officers, casefile.Officer{CertNo: in.CertNo, Name: in.Name})
	}
	return o
}

// TakeUpTasks pulls officer's drawn tasks and takes up here those no
// device has: each is claimed, and its case opened in log by officer
// (TaskOpening). A task whose case this log holds already is not opened
// again (the log is asked, so a repeat after a crash or a restart opens
// nothing twice); one another device took up is reported as held there.
// One task that fails is reported and does not stop the others: the
// states returned say where each task stands, failed ones included (with
// no case and not elsewhere).
func (c *Client) TakeUpTasks(ctx context.Context, log *casefile.Log, officer ledger.Signer) ([]TaskState, error) {
	list, err := c.PullTasks(ctx, officer)
	if err != nil {
		return nil, err
	}
	opened, err := log.TaskCases(ctx)
	if err != nil {
		return nil, fmt.Errorf("take up tasks: %w", err)
	}
	out := make([]TaskState, 0, len(list))
	var failed []error
	for _, t := range list {
		st := TaskState{Task: t}
		switch {
		case opened[t.ID] != "":
			st.Case = opened[t.ID]
		case t.Device != "" && t.Device != c.id.DeviceID:
			st.Elsewhere = true
		default:
			st, err = c.takeUp(ctx, log, officer, t)
			if err != nil {
				failed = append(failed, err)
			}
		}
		out = append(out, st)
	}
	if len(failed) > 0 {
		return out, fmt.Errorf("take up tasks: %w", errors.Join(failed...))
	}
	return out, nil
}

// takeUp claims one task and opens its case here, or finds it taken.
func (c *Client) takeUp(ctx context.Context, log *casefile.Log, officer ledger.Signer, t api.Task) (TaskState, error) {
	claimed, err := c.ClaimTask(ctx, t.ID, officer)
	if errors.Is(err, ErrTaskClaimed) {
		if claimed.Device == "" { // the list could not say where: the refusal did
			claimed = t
		}
		return TaskState{Task: claimed, Elsewhere: true}, nil
	}
	if err != nil {
		return TaskState{Task: t}, err
	}
	id, err := log.OpenCase(ctx, officer.Person(), TaskOpening(claimed))
	if err != nil {
		return TaskState{Task: claimed}, fmt.Errorf("open the case of task %s: %w", t.ID, err)
	}
	return TaskState{Task: claimed, Case: id}, nil
}

// TasksFile keeps, in the device's data folder, the drawn tasks of each
// officer as the last sync round that asked for them found them, so the
// desk shows them offline.
const TasksFile = "tasks.json"

// TaskList is an officer's tasks as a round found them, and when.
type TaskList struct {
	At    time.Time   `json:"at"`
	Tasks []TaskState `json:"tasks"`
}

// LoadTasks reads the device's tasks.json: each officer's task list by
// certificate number; none before a round has asked for any. The targets
// can be sole traders, so the file is sealed (seal.ErrLocked while
// nobody is signed in).
func LoadTasks(dev *device.Device) (_ map[string]TaskList, err error) {
	defer wrap(&err, "read "+TasksFile)
	out := map[string]TaskList{}
	return out, dev.ReadSealedJSON(TasksFile, &out)
}

// SaveTasks keeps the task lists of the officers a round asked for,
// replacing theirs and leaving the others' (officers not signed in this
// time) as they were.
func SaveTasks(dev *device.Device, lists map[string]TaskList) (err error) {
	defer wrap(&err, "keep "+TasksFile)
	all, err := LoadTasks(dev)
	if err != nil {
		all = map[string]TaskList{} // an unreadable file is replaced whole
	}
	for person, l := range lists {
		all[person] = l
	}
	return dev.SaveSealedJSON(TasksFile, all)
}
