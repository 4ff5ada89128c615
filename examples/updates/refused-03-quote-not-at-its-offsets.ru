# Refused: a quote not at its offsets. Expected rule: evidence
# 被拒绝：引文不在其偏移位置。预期规则：evidence
# Expect: refused, rule evidence
#
# What it does / 作用
#   Adds an evidence span whose words are the source's ("The postoperative complications have been further
#   reduced") but whose offsets were counted in UTF-8 bytes: 3007–3064. Offsets count Unicode characters (code
#   points), start inclusive, end exclusive; the curly apostrophe of "Jiang’s" earlier in the text is one
#   character but three bytes, so the byte count is two too far. The words are at 3005–3062.
#   `python -m api locate "exact words"` prints the span with the right offsets.
#   新增一个证据片段，其文字确为来源原文（"The postoperative complications have been further reduced"），但偏移是按
#   UTF-8 字节数计算的：3007–3064。偏移按 Unicode 字符（码位）计算，起点包含、终点不包含；前文 "Jiang’s" 中的弯撇号
#   是一个字符、三个字节，所以按字节数会多出两位。这些文字实际位于 3005–3062。
#   `python -m api locate "原文"` 会打印带正确偏移的片段。
#
# What to expect / 预期结果
#   Refused, nothing changed. POST /update answers 422 with
#     {"rule": "evidence", "focus": ".../evidence/complications-reduced", "message": "quote 'The postoperative
#      complications have been further reduced' is not at 3007–3064 of thoracic-tumor-center.txt (there: ...);
#      the quote occurs at 3005–3062"}.
#   `python -m api update` exits 1 and prints "  [evidence] quote ... the quote occurs at 3005–3062 (focus: ...)".
#   被拒绝，什么也没有改变。POST /update 返回 422，rule 为 "evidence"，消息给出引文的实际位置 3005–3062。

INSERT DATA {
  ev:complications-reduced a kg:EvidenceSpan ;
      prov:value "The postoperative complications have been further reduced" ;
      oa:start 3007 ; oa:end 3064 ; prov:wasQuotedFrom ttc:source .
}
