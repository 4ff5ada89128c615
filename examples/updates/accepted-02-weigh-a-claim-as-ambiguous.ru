# Accepted: a claim's status changed (DELETE/INSERT WHERE), its evidence and note kept.
# 已接受：修改一条声明的依据状态（DELETE/INSERT WHERE），证据和注释保持不变。
# Expect: accepted
# Served graph loses: ttc:Center kg:performsRoutinely ttc:LargeIntrathoracicTumourResection
# Served graph loses: ttc:Center kg:offers ttc:LargeIntrathoracicTumourResection
#
# What it does / 作用
#   Weighs the claim ttc:Center kg:performsRoutinely ttc:LargeIntrathoracicTumourResection as kg:Ambiguous
#   instead of kg:Implied. Nothing new is said: the claim keeps its evidence (ev:difficult-intro) and its note.
#   把声明"中心常规开展胸腔内大肿瘤切除术"的依据状态由 kg:Implied（措辞暗示）改为 kg:Ambiguous（有歧义）。
#   没有新增任何说法：该声明保留其证据（ev:difficult-intro）和注释。
#
# Why a curator may honestly make it / 为什么这是馆员可以如实做出的修改
#   The source lists "replacement of large tumors in the thorax" (offsets 3525–3566) among the routine difficult
#   operations. The claim's own note already gives two readings: 'resection' is this graph's reading of
#   'replacement', and 'replacement' may instead belong to the operation before it ("superior vena cava
#   resection [and] replacement"). kg:Ambiguous is defined as "The source can be read this way and another way";
#   a curator who weighs the two readings as equal makes exactly this change. It is a judgment, not a correction:
#   roll it back (POST /api/versions/{id}/rollback, `python -m api rollback ID`) if you weigh it otherwise.
#   来源把"replacement of large tumors in the thorax"（偏移 3525–3566）列为常规开展的高难度手术。该声明自己的注释
#   已经给出两种读法：'resection'（切除）是本图谱对'replacement'（置换）的解读，而'replacement'也可能属于前一项
#   手术（上腔静脉切除置换）。kg:Ambiguous 的定义是"来源既可以这样理解，也可以作另一种理解"；认为两种读法同等
#   可能的馆员正会做出这一修改。这是一种判断，而非纠错：如有不同看法，可以回滚。
#
# What to expect / 预期结果
#   Accepted: a new version, +8 -8 curated statements: a claim is a blank node, kept labelled by its content, so a
#   claim whose status changes is removed whole and added whole (`python -m api update` prints "version N: +8 -8
#   statements, ..."; GET /api/versions/N lists the lines). An ambiguous claim is never
#   materialised, so the served graph loses the plain triple
#     ttc:Center kg:performsRoutinely ttc:LargeIntrathoracicTumourResection
#   (and what was entailed from it alone, such as ttc:Center kg:offers ttc:LargeIntrathoracicTumourResection);
#   the claim itself stays, with kg:status kg:Ambiguous.
#   If no claim matches (already changed), the WHERE finds nothing and the change is refused with rule "no-change".
#   接受：生成一个新版本，策展陈述 +8 -8：声明是一个按内容标记的空白节点，状态改变的声明会整条删除、整条新增。有歧义的声明从不物化为普通事实，因此服务的图谱失去
#   普通三元组 ttc:Center kg:performsRoutinely ttc:LargeIntrathoracicTumourResection（以及仅由它蕴含的三元组）；
#   声明本身仍在，状态为 kg:Ambiguous。若没有匹配的声明（已经改过），则被规则 "no-change" 拒绝。

DELETE { ?claim kg:status kg:Implied }
INSERT { ?claim kg:status kg:Ambiguous }
WHERE {
  ?claim a kg:Claim ; rdf:subject ttc:Center ; rdf:predicate kg:performsRoutinely ;
         rdf:object ttc:LargeIntrathoracicTumourResection ; kg:status kg:Implied .
}
