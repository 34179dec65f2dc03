package redact

import (
	"slices"
	"strings"
	"testing"
)

// Decisions the rules do not fully redact: what remains that looks like a
// person's is listed for the officer, and what is public on purpose (the
// organisation, the officers, amounts, legal bases, document numbers) is
// not.
func TestSuspectsInRedactedDecisions(t *testing.T) {
	for _, c := range []struct {
		name      string
		decision  string
		keep      []string
		want      map[string]Kind // suspect → kind
		notWanted []string
	}{{
		name: "health: a technician and a patient after role words",
		decision: "明卫医罚〔2026〕15号\n当事人：明湖区康乐口腔诊所，统一社会信用代码：91330106MA2H3KXX8L，负责人：王建军。\n" +
			"经查，该诊所技术人员李明华未取得医师资格，于2026年3月2日为患者陈秀英拔牙，收取费用300元。患者家属联系电话0571-86123456。\n" +
			"依据《医疗机构管理条例》第四十八条，决定罚款人民币5000元。执法人员：张伟（执法证号990101000001）、赵敏（执法证号990101000002）。",
		keep:      []string{"张伟", "赵敏", "990101000001", "990101000002"},
		want:      map[string]Kind{"李明华": Name, "陈秀英": Name, "0571-86123456": Phone},
		notWanted: []string{"张伟", "赵敏", "康乐", "91330106MA2H3KXX8L", "990101000001", "300", "5000", "15号"},
	}, {
		name: "emergency: an injured employee and a safety officer, a home address",
		decision: "当事人：明湖精工机械有限公司，法定代表人：周国平。2026年1月8日，该公司员工吴小兰在冲压车间作业时右手受伤，" +
			"车间主任郑海涛、安全员孙立新均未到岗。吴小兰住明湖区柳岸村5组12号。证人孙立新称其当日请假。",
		want:      map[string]Kind{"吴小兰": Name, "郑海涛": Name, "孙立新": Name, "柳岸村5组12号": Address},
		notWanted: []string{"明湖精工机械有限公司", "冲压车间"},
	}, {
		name: "transport: two parties joined by 、, a plate, a flat, a bank card, a permit and an e-mail",
		decision: "当事人：林海峰。乘客黄丽、马俊杰证实，当事人驾驶青A12345小型汽车非法营运，车费通过6217 0012 3456 7890 123收取。" +
			"当事人现住明湖区望江花园3栋502室，港澳通行证C12345678，电子邮箱linhf@example.com。罚款人民币10000元。",
		want: map[string]Kind{"黄丽": Name, "马俊杰": Name, "望江花园3栋502室": Address,
			"C12345678": IDCard, "linhf@example.com": Mail},
		notWanted: []string{"10000"},
	}, {
		name: "market: a sole proprietor with an honorific, a neighbour, a road and number",
		decision: "纳税人名称：刘德福（个体工商户）。经营场所：明湖区政和路88号。举报人的邻居钱晓东反映，刘德福先生长期占道经营。" +
			"依据《中华人民共和国行政处罚法》第二十八条，责令改正。",
		want:      map[string]Kind{"刘德福": Name, "钱晓东": Name, "政和路88号": Address},
		notWanted: []string{"第二十八条", "中华人民共和国"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			red := Redact(c.decision, Options{}).Text
			got := map[string]Kind{}
			for _, sp := range Suspects(red, c.keep) {
				if red[sp.Start:sp.End] != sp.Original {
					t.Fatalf("span %+v is not the text at its offsets", sp)
				}
				got[sp.Original] = sp.Kind
			}
			for v, k := range c.want {
				if !strings.Contains(red, v) {
					continue // the rules masked it already: nothing to ask
				}
				if got[v] != k {
					t.Errorf("%q: got kind %q, want %q\nredacted: %s\nsuspects: %v", v, got[v], k, red, got)
				}
			}
			for _, v := range c.notWanted {
				for s := range got {
					if strings.Contains(v, s) || strings.Contains(s, v) {
						t.Errorf("public %q reported as suspect %q", v, s)
					}
				}
			}
			// Masking every suspect by hand leaves none.
			var extra []string
			for s := range got {
				extra = append(extra, s)
			}
			again := Redact(c.decision, Options{Extra: extra}).Text
			if left := Suspects(again, c.keep); len(left) != 0 {
				t.Errorf("after masking all suspects, still %+v in %s", left, again)
			}
		})
	}
}

// The same name found after a role word is doubtful wherever else it
// stands alone, but not inside an organisation's name.
func TestSuspectsNameEverywhereButInOrganisations(t *testing.T) {
	red := "患者陈秀英于当日就诊。陈秀英称未签署知情同意书。陈秀英诊所不是当事人。"
	var at []int
	for _, sp := range Suspects(red, nil) {
		if sp.Original == "陈秀英" {
			at = append(at, sp.Start)
		}
	}
	if want := []int{strings.Index(red, "陈秀英"), strings.Index(red, "。陈秀英") + len("。")}; !slices.Equal(at, want) {
		t.Fatalf("陈秀英 at %v, want %v", at, want)
	}
}

// Already masked data and officers kept on purpose are no suspects.
func TestSuspectsSkipMaskedAndKept(t *testing.T) {
	red := "当事人：林某某，身份证号码330104********0022，手机138****5678，车牌青A****5。执法人员：张伟，执法证号990101000001。"
	if got := Suspects(red, []string{"张伟", "990101000001"}); len(got) != 0 {
		t.Fatalf("suspects in a fully redacted text: %+v", got)
	}
	if got := Suspects(red, nil); len(got) != 1 || got[0].Original != "990101000001" {
		t.Fatalf("without keep, only the certificate number is doubtful: %+v", got)
	}
}

// On a text as the rules left it (fixed here, whatever the rules become),
// each kind is found where it stands.
func TestSuspectsOfEachKind(t *testing.T) {
	red := "当事人：林某某。患者陈秀英拔牙后，其邻居周大伟、吴小兰称联系电话87654321、13912345678，身份证号330104199202150022，" +
		"银行卡6217001234567890123，住明湖区柳岸村5组12号，驾驶青A12345。当事人：明湖精工机械有限公司，罚款10000元，2026年3月2日。"
	want := []Span{{Kind: Name, Original: "陈秀英"}, {Kind: Name, Original: "周大伟"}, {Kind: Name, Original: "吴小兰"},
		{Kind: Phone, Original: "87654321"}, {Kind: Phone, Original: "13912345678"}, {Kind: IDCard, Original: "330104199202150022"},
		{Kind: Bank, Original: "6217001234567890123"}, {Kind: Address, Original: "柳岸村5组12号"}, {Kind: Plate, Original: "青A12345"}}
	got := Suspects(red, nil)
	if len(got) != len(want) {
		t.Fatalf("got %d suspects, want %d: %+v", len(got), len(want), got)
	}
	for i, sp := range got {
		if sp.Kind != want[i].Kind || sp.Original != want[i].Original || red[sp.Start:sp.End] != sp.Original {
			t.Errorf("suspect %d: %+v, want %s %q", i, sp, want[i].Kind, want[i].Original)
		}
	}
}

// A three-character name no role word introduces, after a clause mark or
// a word that leads to a person, is asked about; a place or a word in the
// same position is not.
func TestSuspectsNameWithoutRoleWord(t *testing.T) {
	text := "经查，由李明华经手收取费用。现场位于明湖区。当事人安排厨师上岗。"
	var names []string
	for _, sp := range Suspects(text, nil) {
		if sp.Kind == Name {
			names = append(names, sp.Original)
		}
	}
	if len(names) != 1 || names[0] != "李明华" {
		t.Fatalf("names asked about: %v", names)
	}
}
