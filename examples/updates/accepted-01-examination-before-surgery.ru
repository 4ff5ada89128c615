# Accepted: a new claim with its evidence.
# 已接受：一条带证据的新声明。
# Expect: accepted
# Served graph gains: ttc:HeadMRI kg:precedes ttc:RadicalLungCancerSurgery
#
# What it does / 作用
#   Adds one evidence span, ev:preop-routine-items, and one kg:Implied claim resting on it:
#     ttc:HeadMRI kg:precedes ttc:RadicalLungCancerSurgery
#   新增一个证据片段 ev:preop-routine-items，以及以它为依据的一条 kg:Implied（措辞暗示）声明：
#     头部 MRI 先于肺癌根治术（ttc:HeadMRI kg:precedes ttc:RadicalLungCancerSurgery）。
#
# Why it is true to the source / 为什么忠于来源
#   The source: "The department has established a comprehensive system of diagnosis and treatment of lung and
#   esophageal cancer in the following aspects: further improve the preoperative examination, including MRI and
#   ECT of the head as routine examination items" (offsets 1259–1369 and 1396–1504).
#   A "preoperative" examination comes before the operation, and kg:precedes is defined for exactly that ("This
#   therapy or examination comes before that procedure in the patient's course"). The source names no operation
#   in that sentence, so the claim is implied, not stated: the lung-cancer operation is the reading, as for the
#   existing claim ttc:NeoadjuvantChemotherapy kg:precedes ttc:RadicalLungCancerSurgery (also kg:Implied).
#   The esophageal side is left out on purpose: the source does not say the esophageal operation is the
#   minimally invasive one (see the kg:Ambiguous claim on neoadjuvant chemotherapy before it).
#   No claim of kg:precedes from a work-up examination exists in graph/data (checked against the built graph).
#   来源写道："The department has established a comprehensive system of diagnosis and treatment of lung and
#   esophageal cancer ... further improve the preoperative examination, including MRI and ECT of the head as
#   routine examination items"。"preoperative"（术前）检查在手术之前进行，而 kg:precedes 的定义正是"此治疗或检查
#   先于彼医疗操作"。该句没有点名是哪一项手术，所以这条声明是"措辞暗示"而不是"明确陈述"：把它归于肺癌手术是一种
#   解读，与已有声明"新辅助化疗先于肺癌根治术"（同为 kg:Implied）相同。食管一侧有意不写：来源没有说食管癌手术就是
#   微创手术。graph/data 中尚无任何"检查先于手术"的声明。
#
# What to expect / 预期结果
#   Accepted: a new version, +14 curated statements (the span's five triples and the claim's nine), and the served graph
#   gains the plain triple ttc:HeadMRI kg:precedes ttc:RadicalLungCancerSurgery (an implied claim is materialised).
#   POST /update answers 200 {"version": {...}}; `python -m api update` prints "version N: +14 -0 statements, ...".
#   Run it twice and the second run is refused with rule "no-change" (the statements are already there).
#   接受：生成一个新版本，服务的图谱中出现普通三元组 ttc:HeadMRI kg:precedes ttc:RadicalLungCancerSurgery。
#   POST /update 返回 200 {"version": {...}}；再次运行会因规则 "no-change" 被拒绝（这些陈述已经存在）。
#
# The prefixes kg:, ttc:, ev:, prov:, oa:, rdf:, skos: ... are predeclared: no PREFIX lines are needed.
# 前缀 kg:、ttc:、ev:、prov:、oa:、rdf:、skos: 等已预先声明，无需写 PREFIX。

INSERT DATA {
  ev:preop-routine-items a kg:EvidenceSpan ;
      prov:value "further improve the preoperative examination, including MRI and ECT of the head as routine examination items" ;
      oa:start 1396 ; oa:end 1504 ; prov:wasQuotedFrom ttc:source .

  [] a kg:Claim ; rdf:subject ttc:HeadMRI ; rdf:predicate kg:precedes ; rdf:object ttc:RadicalLungCancerSurgery ;
      kg:status kg:Implied ; prov:wasDerivedFrom ev:preop-routine-items, ev:lung-esophageal-system ;
      skos:editorialNote "The head MRI is a routine item of 'the preoperative examination' in the system for 'lung and esophageal cancer': it comes before the operation. The source names no operation there; the lung cancer operation is this graph's reading."@en,
                         "头部MRI是肺癌和食管癌诊疗体系中'the preoperative examination'（术前检查）的常规项目：它在手术之前进行。来源在此没有点名是哪一项手术；归于肺癌手术是本图谱的解读。"@zh-Hans .
}
