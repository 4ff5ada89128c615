# Refused: a fact without evidence. Expected rule: claims
# 被拒绝：没有证据的事实。预期规则：claims
# Expect: refused, rule claims
#
# What it does / 作用
#   Writes a plain triple of a claimable relation: ttc:Center kg:offers ttc:ECT. kg:offers is a
#   kg:ClaimableProperty: it enters the graph only through a kg:Claim with kg:status and prov:wasDerivedFrom.
#   (The source makes ECT a routine item of the work-up, kg:includesRoutinelyInWorkup, and does not say who
#   performs it; kg:includesInWorkup is defined as "not a service of the center".)
#   写入一个可声明关系的普通三元组：ttc:Center kg:offers ttc:ECT。kg:offers 是 kg:ClaimableProperty，只能通过带
#   kg:status 和 prov:wasDerivedFrom 的 kg:Claim 进入图谱。（来源只说 ECT 是检查方案的常规项目，没有说由谁实施。）
#
# What to expect / 预期结果
#   Refused, nothing changed. POST /update answers 422:
#     {"message": {"en": ..., "zh": ...}, "violations": [{"rule": "claims", "focus": ".../id/Center",
#      "message": "plain triple ttc:Center kg:offers ttc:ECT has no evidence: state it as a kg:Claim ..."}]}
#   `python -m api update` exits 1 and prints "  [claims] plain triple ttc:Center kg:offers ttc:ECT has no evidence ...".
#   被拒绝，什么也没有改变。POST /update 返回 422，violations 中的 rule 为 "claims"；
#   `python -m api update` 以状态 1 退出，并打印 "[claims] ..."。

INSERT DATA { ttc:Center kg:offers ttc:ECT }
