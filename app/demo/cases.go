package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Policies are the demo agencies' major-decision lists and review settings.
func Policies() (review.Policies, error) {
	data, err := assets.Demo.ReadFile("demo/major.json")
	if err != nil {
		return nil, err
	}
	return review.ParsePolicies(data)
}

// AVList is the demo agencies' audio/video requirement list (音像记录事项清单).
func AVList() ([]casefile.AVRequirement, error) {
	data, err := assets.Demo.ReadFile("demo/av.json")
	if err != nil {
		return nil, err
	}
	var out []casefile.AVRequirement
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("demo A/V list: %w", err)
	}
	return out, nil
}

// demoCase is one case of the demo, told as days before today and the
// stages done on each.
type demoCase struct {
	agency  string
	act     catalog.Act
	item    string // the enforcement item by name; "" takes the agency's first of act
	party   casefile.Party
	place   string
	summary string
	daysAgo int
	stages  []struct {
		key     string
		daysAgo int
		note    string
	}
	// docs are the documents made before a stage, by stage: template and
	// the officer's inputs.
	docs map[string]struct {
		template string
		inputs   map[string]string
	}
	decision *review.Proposal // what the decide stage decides
	// publishDaysAgo, when set, publishes the decision then.
	publishDaysAgo int
}

// CompleteCase is the party of the demo's case that went the whole way
// (decided, served and published): seed records its evidence.
const CompleteCase = "青禾市松川区顺达建材经营部"

// Cases writes the demo's case files through the same calls the officer
// desk makes: cases at different stages, one of them past its 90 days.
// With rev, the first case is sent to legal review, so a reviewer's queue
// has work in it.
func Cases(ctx context.Context, l *casefile.Log, ds *catalog.Dataset, accounts []account.Account, today time.Time, rev *review.Service) error {
	type st = struct {
		key     string
		daysAgo int
		note    string
	}
	cases := []demoCase{
		{agency: "01", act: catalog.ActPenalty, item: "对销售不符合食品安全标准食品的处罚", daysAgo: 40,
			party: casefile.Party{Kind: "org", Name: "青禾市明湖区鑫源餐饮店", IDNo: "92990102MA0000001X", Address: "青禾市明湖区政和路12号"},
			place: "青禾市明湖区政和路12号", summary: "群众举报该店后厨卫生条件差，现场检查发现过期食品原料。",
			stages: []st{{"register", 40, "经审查，符合立案条件，同意立案。"}, {"investigate", 38, "现场检查后厨，发现过期面粉2袋，已拍照取证。"},
				{"notify", 20, "送达行政处罚事先告知书，告知陈述、申辩和听证权利。"}}},
		{agency: "01", act: catalog.ActPenalty, item: "对经营无标签的预包装食品的处罚", daysAgo: 95,
			party: casefile.Party{Kind: "person", Name: "林海峰", IDNo: "990102198805060012", Address: "青禾市松川区江滨小区3栋"},
			place: "青禾市松川区江滨农贸市场", summary: "销售无标签预包装食品。",
			stages: []st{{"register", 95, "同意立案。"}, {"investigate", 90, "现场检查，当事人在场。"}}},
		{agency: "02", act: catalog.ActPenalty, daysAgo: 12,
			party: casefile.Party{Kind: "org", Name: "青禾市松川区蓝天洗车行", IDNo: "92990103MA0000002Y"},
			place: "青禾市松川区滨江路88号", summary: "擅自占用城市道路经营洗车。",
			stages: []st{{"register", 12, "同意立案。"}}},
		{agency: "03", act: catalog.ActInspection, daysAgo: 3,
			party: casefile.Party{Kind: "org", Name: "青禾市云台区华兴化工有限公司", IDNo: "91990104MA0000003Z"},
			place: "青禾市云台区工业园区8号", summary: "双随机抽查：重点排污单位。",
			stages: []st{{"inspect", 3, "检查污染防治设施运行情况，在线监测数据正常。"}}},
		{agency: "04", act: catalog.ActCoercion, daysAgo: 6,
			party: casefile.Party{Kind: "person", Name: "赵某", IDNo: "990104199203030034"},
			place: "青禾市白沙县迎宾大道收费站", summary: "无道路运输证从事客运经营，依法暂扣车辆。",
			stages: []st{{"approve", 6, "经负责人批准实施暂扣。"}, {"enforce", 6, "现场暂扣车辆一辆，全程录音录像。"}}},
		{agency: "05", act: catalog.ActLicensing, daysAgo: 5,
			party: casefile.Party{Kind: "org", Name: "青禾市石门县康宁诊所", IDNo: "52990105MJ0000004A"},
			place: "青禾市民服务中心", summary: "申请医疗机构执业登记。",
			stages: []st{{"accept", 5, "材料齐全，当场受理。"}, {"examine", 2, "书面审查并实地核查。"}}},
		{agency: "02", act: catalog.ActPenalty, daysAgo: 30,
			party: casefile.Party{Kind: "org", Name: CompleteCase, IDNo: "92990103MA0000005B", Address: "青禾市松川区江滨路16号"},
			place: "青禾市松川区江滨路16号门前", summary: "擅自占用人行道堆放建筑材料，影响通行。",
			stages: []st{{"register", 30, "经审查，符合立案条件，同意立案。"}, {"investigate", 29, "现场检查，占道面积约12平方米，已拍照取证。"},
				{"notify", 20, "送达行政处罚事先告知书，告知陈述、申辩权利。"}, {"defend", 16, "当事人书面表示放弃陈述、申辩。"},
				{"decide", 12, "作出罚款决定。"}, {"serve", 11, "直接送达行政处罚决定书，当事人签收。"}},
			docs: map[string]struct {
				template string
				inputs   map[string]string
			}{
				"investigate": {"inspection_record", map[string]string{"time": "上午9时至9时40分", "present": "经营者本人",
					"findings": "当事人在店门前人行道堆放沙石、水泥等建筑材料，占用面积约12平方米，未取得占用许可。"}},
				"notify": {"prior_notice", map[string]string{"facts": "擅自占用城市人行道堆放建筑材料，面积约12平方米。",
					"basis": "《城市道路管理条例》第二十七条、第四十二条", "proposed": "罚款人民币二千元"}},
				"decide": {"penalty_decision", map[string]string{"doc_no": "青松城管罚〔2026〕58号",
					"facts": "当事人擅自占用城市人行道堆放建筑材料，面积约12平方米，经责令改正已清理。",
					"basis": "《城市道路管理条例》第四十二条", "decision": "罚款人民币二千元"}},
				"serve": {"service_receipt", map[string]string{"document": "行政处罚决定书（青松城管罚〔2026〕58号）", "receiver": "经营者本人"}},
			},
			decision:       &review.Proposal{Fine: 2000, Text: "罚款人民币二千元"},
			publishDaysAgo: 9},
	}
	officersOf := func(agency string) []casefile.Officer {
		var out []casefile.Officer
		for _, a := range accounts {
			if a.Agency == agency && a.Role == account.RoleOfficer {
				out = append(out, casefile.Officer{CertNo: a.ID, Name: a.Name})
			}
		}
		return out
	}
	for _, c := range cases {
		var item catalog.EnforcementItem
		for _, it := range ds.Items {
			if it.AgencyCode == c.agency && it.Act == c.act && (c.item == "" || it.Name == c.item) {
				item = it
				break
			}
		}
		officers := officersOf(c.agency)
		if len(officers) < 2 || item.ID == "" {
			return fmt.Errorf("demo case of agency %s: no item or fewer than two officers", c.agency)
		}
		at := today.AddDate(0, 0, -c.daysAgo)
		l.SeedHistory(func() time.Time { return at })
		id, err := l.OpenCase(ctx, officers[0].CertNo, casefile.Opening{Act: c.act, Agency: c.agency, ItemID: item.ID,
			ItemName: item.Name, Party: c.party, Place: c.place, Summary: c.summary, Officers: officers[:2]})
		if err != nil {
			return err
		}
		for i, s := range c.stages {
			at = today.AddDate(0, 0, -s.daysAgo).Add(time.Duration(i+1) * time.Hour)
			if s.key == "register" {
				// The approval form comes before the stage it approves.
				if err := addDocument(ctx, l, id, "register_approval", agencyName(ds, c.agency), officers[0].CertNo,
					map[string]string{"approver": officers[1].Name}, at); err != nil {
					return err
				}
			}
			if d, ok := c.docs[s.key]; ok {
				if err := addDocument(ctx, l, id, d.template, agencyName(ds, c.agency), officers[0].CertNo, d.inputs, at); err != nil {
					return err
				}
			}
			body := casefile.StageBody{Stage: s.key, Note: s.note, Officers: officers[:2]}
			if s.key == "decide" && c.decision != nil {
				var err error
				if body.Decision, err = json.Marshal(c.decision); err != nil {
					return fmt.Errorf("demo case %s decision: %w", id, err)
				}
			}
			if _, err := l.AddStage(ctx, id, officers[0].CertNo, body); err != nil {
				return fmt.Errorf("demo case %s stage %s: %w", id, s.key, err)
			}
		}
		if c.publishDaysAgo > 0 {
			cal, err := calendar.Parse(assets.Calendar)
			if err != nil {
				return err
			}
			at = today.AddDate(0, 0, -c.publishDaysAgo)
			if _, err := publish.Publish(ctx, l, cal, id, officers[0].CertNo, nil); err != nil {
				return fmt.Errorf("demo case %s: publish: %w", id, err)
			}
		}
	}
	if rev != nil {
		ids, err := l.CaseIDs(ctx)
		if err != nil {
			return err
		}
		first := ids[len(ids)-1] // newest first: the last is the first opened
		at := today.AddDate(0, 0, -2)
		l.SeedHistory(func() time.Time { return at })
		rev.Now = func() time.Time { return at }
		officers := officersOf("01")
		if _, err := rev.Submit(ctx, first, officers[0].CertNo, review.Submission{
			Proposal: review.Proposal{Fine: 150000, Kinds: []string{"hearing"}, Text: "没收过期食品原料，并处罚款人民币十五万元"},
			Facts:    "当事人在经营场所贮存超过保质期的食品原料用于加工，经现场检查和询问查实。", Evidence: []int64{},
			LegalBasis: "《中华人民共和国食品安全法》第一百二十四条", Discretion: "市场监管行政处罚裁量基准：一般情节"}); err != nil {
			return fmt.Errorf("demo review submission: %w", err)
		}
		rev.Now = nil
	}
	l.SeedHistory(nil)
	return nil
}

func agencyName(ds *catalog.Dataset, code string) string {
	return catalog.AgencyName(ds.Agencies, code)
}

func addDocument(ctx context.Context, l *casefile.Log, caseID, template, agency, author string, inputs map[string]string, at time.Time) error {
	ts, err := document.Templates()
	if err != nil {
		return err
	}
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID != template {
			continue
		}
		d, err := document.Fill(t, c, agency, inputs, at)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", template, err)
		}
		body, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", template, err)
		}
		if _, err := l.AddDocument(ctx, caseID, author, body); err != nil {
			return fmt.Errorf("demo document %s of %s: %w", template, caseID, err)
		}
		return nil
	}
	return fmt.Errorf("demo document %s: no such template", template)
}
