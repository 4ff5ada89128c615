/* The curator's review page: reads the proposals file from the curator's disk, shows it by sentence with every
   proposal highlighted (POST /api/curate/review), keeps the decisions, and sends them to be committed
   (POST /api/curate/commit) or exported (POST /api/curate/export). Every call carries the update token as a
   bearer token; the token is kept in this page only. Every string comes from #curate-text (api/texts.py CURATE).
   Text from the file is put in the page as text nodes, never as markup. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("curate-text").textContent);
  var zh = (document.body.getAttribute("data-lang") || "en") === "zh";
  var state = { text: null, review: null, decisions: {} };

  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? String(values[key]) : "{" + key + "}"; });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function name(named) { return named ? (zh ? named.zh : named.en) : "?"; }
  function say(box, text, kind) {
    box.textContent = "";
    box.className = kind || "";
    if (text) box.appendChild(el("p", { text: text }));
  }

  /* A refusal's words in the page's language: JSON {message: {en, zh}, violations} or "English\nChinese" text. */
  function refusal(response) {
    return response.text().then(function (body) {
      var out = { message: body, violations: [] };
      try {
        var data = JSON.parse(body);
        if (data.message) out.message = zh ? data.message.zh : data.message.en;
        out.violations = data.violations || [];
      } catch (e) {
        var lines = body.split("\n");
        out.message = zh && lines.length > 1 ? lines[1] : lines[0];
      }
      return out;
    });
  }
  function showRefusal(box, found) {
    box.textContent = "";
    box.className = "refused";
    box.appendChild(el("p", { text: T.refused + " " + found.message }));
    if (found.violations.length) {
      box.appendChild(el("p", { text: T.violations }));
      box.appendChild(el("ul", {}, found.violations.map(function (v) {
        return el("li", {}, [el("code", { text: v.rule }), " " + v.message + (v.focus ? " (" + v.focus + ")" : "")]);
      })));
    }
  }
  function call(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 Authorization: "Bearer " + $("token").value.trim() },
      body: JSON.stringify(body)
    });
  }

  // -- step 1: read the file ------------------------------------------------------------------------------------
  $("load").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("load-status");
    var file = $("file").files[0];
    if (!$("token").value.trim()) { say(box, T.no_token, "refused"); $("token").focus(); return; }
    if (!file) { say(box, T.no_file, "refused"); $("file").focus(); return; }
    say(box, T.reading);
    file.text().then(function (text) {
      return call("/api/curate/review", { proposals: text }).then(function (response) {
        if (!response.ok) return refusal(response).then(function (found) { showRefusal(box, found); });
        return response.json().then(function (review) {
          state.text = text; state.review = review; state.decisions = {};
          say(box, "");
          show(review);
        });
      });
    }).catch(function (error) { say(box, T.failed + error, "refused"); });
  });

  // -- step 2: the text and its proposals ------------------------------------------------------------------------
  function show(review) {
    var byNumber = {};
    review.proposals.forEach(function (p) { byNumber[p.number] = p; });
    var empty = review.sentences.filter(function (s) { return !s.proposals.length; }).length;
    $("summary").textContent = fill(T.summary, { name: review.source.name, department: name(review.department),
      sentences: review.sentences.length, proposals: review.proposals.length, empty: empty });
    var list = $("sentences");
    list.textContent = "";
    review.sentences.forEach(function (sentence) {
      var item = el("li", { className: sentence.proposals.length ? "sentence" : "sentence empty",
                            "aria-label": fill(T.sentence, { n: sentence.number }) });
      item.appendChild(el("p", { className: "text" }, pieces(sentence, byNumber)));
      if (!sentence.proposals.length) item.appendChild(el("p", { className: "none", text: T.no_proposal }));
      sentence.proposals.forEach(function (n) { item.appendChild(card(byNumber[n])); });
      list.appendChild(item);
    });
    $("review").hidden = false;
    $("finish").hidden = false;
    say($("result"), "");
    tally();
  }

  function pieces(sentence, byNumber) {
    var out = [];
    sentence.pieces.forEach(function (piece) {
      if (!piece.proposals.length) { out.push(piece.text); return; }
      var mark = el("mark", { className: "hl depth-" + Math.min(piece.proposals.length, 3),
                              "data-proposals": piece.proposals.join(" ") }, [piece.text]);
      out.push(mark);
      piece.proposals.forEach(function (n) {
        if (byNumber[n].end === piece.end) out.push(el("sup", { className: "ref", "data-ref": String(n), text: String(n) }));
      });
    });
    return out;
  }

  function says(p) {
    if (p.kind === "relation") {
      return [el("strong", { text: name(p.subject) }), " — " + name(p.predicate) + " → ", el("strong", { text: name(p.target) })];
    }
    if (p.kind === "entity") return [fill(T["says.entity"], { target: name(p.target) })];
    if (p.kind === "figure") {
      return [fill(T["says.figure"], { label: (zh ? p.label_zh : p.label_en) || p.label_en, value: p.value, target: name(p.target) })];
    }
    if (p.kind === "slip") return [fill(T["says.slip"], { label: p.label_en, target: name(p.target) })];
    return [fill(T["says.new"], { label: p.label_en + (p.label_zh ? " · " + p.label_zh : "") })];
  }

  function statusName(status) { return status ? (T["status." + status] || status) : ""; }

  function card(p) {
    var id = "p" + p.number;
    var box = el("fieldset", { className: "proposal", id: id, "data-iri": p.iri });
    box.appendChild(el("legend", {}, [fill(T.proposal, { n: p.number }) + " · " + (T["kind." + p.kind] || p.kind)]));
    box.appendChild(el("p", { className: "says" }, says(p)));
    box.appendChild(el("p", { className: "quote" }, [T.quote, el("q", { lang: "en", text: p.quote })]));
    if (p.proposed_status) {
      box.appendChild(el("p", {}, [T.proposed_status, el("strong", { text: statusName(p.proposed_status) })]));
    }
    var note = zh ? (p.note_zh || p.note_en) : (p.note_en || p.note_zh);
    if (note) box.appendChild(el("p", { className: "note" }, [T.note + note]));
    box.appendChild(el("p", { className: "meta" }, [T.found_by + p.found_by + " · " +
      fill(T.confidence, { pct: Math.round(p.confidence * 100) })]));

    var group = el("div", { className: "choice", role: "radiogroup", "aria-label": fill(T.decision, { n: p.number }) });
    [["accept", T.accept], ["reject", T.reject], ["", T.undecided]].forEach(function (option) {
      var input = el("input", { type: "radio", name: id + "-action", id: id + "-" + (option[0] || "none"), value: option[0] });
      if (!option[0]) input.checked = true;
      input.addEventListener("change", function () { decide(p, option[0]); });
      group.appendChild(el("label", { "for": input.id, className: "opt opt-" + (option[0] || "none") }, [input, " " + option[1]]));
    });
    box.appendChild(group);
    box.appendChild(editor(p, id));
    box.addEventListener("focusin", function () { spotlight(p.number, true); });
    box.addEventListener("focusout", function () { spotlight(p.number, false); });
    box.addEventListener("mouseenter", function () { spotlight(p.number, true); });
    box.addEventListener("mouseleave", function () { spotlight(p.number, false); });
    return box;
  }

  function field(p, id, key, label, value, multiline) {
    var input = el(multiline ? "textarea" : "input", { id: id + "-" + key, "data-key": key, rows: "2" });
    if (!multiline) input.setAttribute("type", "text");
    input.value = value || "";
    input.addEventListener("input", function () { edited(p, id); });
    return el("p", {}, [el("label", { "for": input.id, text: label }), el("br"), input]);
  }

  function editor(p, id) {
    var details = el("details", { className: "edit" }, [el("summary", { text: T.edit })]);
    details.appendChild(el("p", { className: "meta", text: T.edit_hint }));
    if (p.kind === "relation" || p.kind === "figure") {
      var select = el("select", { id: id + "-status", "data-key": "status" });
      (state.review.statuses || []).forEach(function (status) {
        var option = el("option", { value: status, text: statusName(status) });
        if (status === p.proposed_status) option.selected = true;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { edited(p, id); });
      details.appendChild(el("p", {}, [el("label", { "for": select.id, text: T.status }), el("br"), select]));
    }
    if (p.target) details.appendChild(field(p, id, "target", T.target, p.target.iri));
    if (p.kind === "figure" || p.kind === "new-condition" || p.kind === "new-procedure") {
      details.appendChild(field(p, id, "label_en", T.label_en, p.label_en));
      details.appendChild(field(p, id, "label_zh", T.label_zh, p.label_zh));
    }
    if (p.kind === "slip") details.appendChild(field(p, id, "label_en", T.hidden_label, p.label_en));
    if (p.kind === "relation" || p.kind === "figure") {
      details.appendChild(field(p, id, "note_en", T.note_en, p.note_en, true));
      details.appendChild(field(p, id, "note_zh", T.note_zh, p.note_zh, true));
    }
    return details;
  }

  /* The edits of a proposal: only the fields whose value differs from what was proposed. */
  function edits(p, id) {
    var out = {};
    var original = { status: p.proposed_status, target: p.target ? p.target.iri : "", label_en: p.label_en,
                     label_zh: p.label_zh, note_en: p.note_en, note_zh: p.note_zh };
    Array.prototype.forEach.call(document.querySelectorAll("#" + id + " [data-key]"), function (input) {
      var key = input.getAttribute("data-key");
      var value = input.value.trim();
      if (value !== (original[key] || "")) out[key] = value;
    });
    return out;
  }

  function edited(p, id) {
    $(id + "-accept").checked = true;
    decide(p, "accept");
  }

  function decide(p, action) {
    var box = $("p" + p.number);
    box.classList.toggle("accepted", action === "accept");
    box.classList.toggle("rejected", action === "reject");
    if (action) state.decisions[p.iri] = action; else delete state.decisions[p.iri];
    tally();
  }

  function spotlight(n, on) {
    Array.prototype.forEach.call(document.querySelectorAll("mark[data-proposals]"), function (mark) {
      if (mark.getAttribute("data-proposals").split(" ").indexOf(String(n)) >= 0) mark.classList.toggle("spot", on);
    });
  }

  function decisions() {
    return state.review.proposals.filter(function (p) { return state.decisions[p.iri]; }).map(function (p) {
      var decision = { proposal: p.iri, action: state.decisions[p.iri] };
      if (decision.action === "accept") {
        var changed = edits(p, "p" + p.number);
        Object.keys(changed).forEach(function (key) { decision[key] = changed[key]; });
      }
      return decision;
    });
  }

  function tally() {
    var values = Object.keys(state.decisions).map(function (k) { return state.decisions[k]; });
    var accepted = values.filter(function (v) { return v === "accept"; }).length;
    var rejected = values.length - accepted;
    $("tally").textContent = fill(T.tally, { accepted: accepted, rejected: rejected,
      undecided: state.review.proposals.length - values.length });
  }

  // -- step 3: commit or export ----------------------------------------------------------------------------------
  function body(extra) {
    var out = { proposals: state.text, decisions: decisions(), message: $("message").value.trim() };
    Object.keys(extra || {}).forEach(function (key) { out[key] = extra[key]; });
    return out;
  }

  $("commit").addEventListener("click", function () {
    var box = $("result");
    if (!$("token").value.trim()) { say(box, T.no_token, "refused"); $("token").focus(); return; }
    say(box, T.working);
    call("/api/curate/commit", body()).then(function (response) {
      if (!response.ok) return refusal(response).then(function (found) { showRefusal(box, found); });
      return response.json().then(function (answer) {
        say(box, fill(T.committed, { id: answer.version.id, by: answer.version.by,
          accepted: answer.accepted.length, rejected: answer.rejected.length }), "done");
        box.appendChild(el("p", {}, [el("a", { href: "/api/versions", text: T.versions })]));
      });
    }).catch(function (error) { say(box, T.failed + error, "refused"); });
  });

  function exporter(format) {
    return function () {
      var box = $("result");
      if (!$("token").value.trim()) { say(box, T.no_token, "refused"); $("token").focus(); return; }
      say(box, T.exporting);
      call("/api/curate/export", body({ format: format })).then(function (response) {
        if (!response.ok) return refusal(response).then(function (found) { showRefusal(box, found); });
        var disposition = response.headers.get("Content-Disposition") || "";
        var file = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "accepted";
        return response.blob().then(function (blob) {
          var link = el("a", { href: URL.createObjectURL(blob), download: file, text: file });
          say(box, fill(T.exported, { file: file }), "done");
          box.appendChild(el("p", {}, [link]));
          link.click();
        });
      }).catch(function (error) { say(box, T.failed + error, "refused"); });
    };
  }
  $("export-zip").addEventListener("click", exporter("zip"));
  $("export-turtle").addEventListener("click", exporter("turtle"));
})();
