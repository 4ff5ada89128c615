/* The network page: draws the embedded graph with vis-network, the legend that filters by type, the
 * status key, search by English/Chinese label or synonym, plain-text tooltips, focus and expand.
 * Every text from the graph goes into the page with textContent (never innerHTML), so a label such as
 * "<script>" is shown as it is and runs nothing. No request leaves the page's origin; in a standalone
 * file no request is made at all. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("graph-data").textContent);
  // The page's words, from the server's one message table (api/texts.py NETWORK); English when a key is absent.
  var messages = data.messages || {};
  function t(key, fallback, values) {
    var text = messages[key] !== undefined ? messages[key] : (fallback !== undefined ? fallback : key);
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }
  var canvas = document.getElementById("network");
  var details = new Map();
  var hiddenTypes = new Set();
  var hiddenStatuses = new Set();
  var showHub = false;  // the overview hides the center's own star of edges until asked
  var searchIndex = [];
  var network = null;
  var nodes = null;
  var edges = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function norm(text) {
    return String(text).normalize("NFKC").toLocaleLowerCase();
  }

  function tip(text) {
    return el("div", text, "tkg-tip");
  }

  function remember(apiNodes) {
    apiNodes.forEach(function (node) {
      if (details.has(node.id)) return;
      details.set(node.id, node);
      // The server sends each node's terms normalised as every server search does (node.search); a
      // standalone file without them falls back to the simple folding of norm().
      var terms = node.search || [node.labels.en, node.labels.zh].concat(node.synonyms || [], node.hidden_labels || [])
        .filter(Boolean).map(norm);
      searchIndex.push({ id: node.id, terms: terms });
    });
  }

  function visNode(node) {
    var copy = Object.assign({}, node);
    copy.title = tip(node.title || "");
    copy.hidden = hiddenTypes.has(node.type);
    return copy;
  }

  function visEdge(edge) {
    var copy = Object.assign({}, edge);
    copy.title = tip(edge.title || "");
    copy.hidden = hiddenStatuses.has(edge.status) || (edge.hub === true && !showHub);
    return copy;
  }

  function updateCounts() {
    canvas.dataset.loadedNodes = String(nodes.length);
    canvas.dataset.loadedEdges = String(edges.length);
    canvas.dataset.drawnNodes = String(network.body.nodeIndices.length);
    canvas.dataset.drawnEdges = String(network.body.edgeIndices.length);
  }

  function typeCounts() {
    var counts = {};
    nodes.forEach(function (node) { counts[node.type] = (counts[node.type] || 0) + 1; });
    return counts;
  }

  function buildLegend() {
    var legend = document.getElementById("legend");
    var counts = typeCounts();
    legend.textContent = "";
    data.types.concat(extraTypes()).forEach(function (entry) {
      if (!counts[entry.type]) return;
      var item = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !hiddenTypes.has(entry.type);
      box.dataset.type = entry.type;
      box.addEventListener("change", function () { setTypeHidden(entry.type, !box.checked); });
      var swatch = el("span", null, "swatch");
      swatch.style.background = entry.colour;
      label.append(box, swatch, el("span", t("type." + entry.type, entry.label), "name"), el("span", String(counts[entry.type]), "count"));
      item.appendChild(label);
      legend.appendChild(item);
    });
  }

  var knownTypes = new Map();
  function extraTypes() {
    var listed = new Set(data.types.map(function (t) { return t.type; }));
    return Array.from(knownTypes.values()).filter(function (t) { return !listed.has(t.type); });
  }

  function buildStatusLegend() {
    var legend = document.getElementById("status-legend");
    legend.textContent = "";
    var present = new Set();
    edges.forEach(function (edge) { present.add(edge.status); });
    Object.keys(data.status_styles).sort(function (a, b) {
      return data.status_order.indexOf(a) - data.status_order.indexOf(b);
    }).forEach(function (status) {
      if (!present.has(status)) return;
      var style = data.status_styles[status];
      var item = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !hiddenStatuses.has(status);
      box.dataset.status = status;
      box.addEventListener("change", function () { setStatusHidden(status, !box.checked); });
      var line = el("span", null, "line");
      line.style.borderTopColor = style.color;
      line.style.borderTopStyle = style.dashes === false ? "solid" : (style.dashes[0] > 4 ? "dashed" : "dotted");
      label.append(box, line, el("span", status, "name"), el("span", t("status." + status, style.text), "hint"));
      item.appendChild(label);
      legend.appendChild(item);
    });
  }

  function setTypeHidden(type, hidden) {
    if (hidden) hiddenTypes.add(type); else hiddenTypes.delete(type);
    nodes.update(nodes.get({ filter: function (n) { return n.type === type; } }).map(function (n) {
      return { id: n.id, hidden: hidden };
    }));
    updateCounts();
  }

  function setStatusHidden(status, hidden) {
    if (hidden) hiddenStatuses.add(status); else hiddenStatuses.delete(status);
    edges.update(edges.get({ filter: function (e) { return e.status === status; } }).map(function (e) {
      return { id: e.id, hidden: hidden || (e.hub === true && !showHub) };
    }));
    updateCounts();
  }

  // The overview: a note saying the center's relations are summarised, and a box to draw them.
  function setupHub() {
    var hubEdges = edges.get({ filter: function (e) { return e.hub === true; } });
    canvas.dataset.hubEdges = String(hubEdges.length);
    if (!hubEdges.length) return;
    var box = document.getElementById("hub-toggle");
    var summary = document.getElementById("hub-summary");
    var counts = {};
    hubEdges.forEach(function (e) {
      var label = e.relation || e.label || "";
      counts[label] = (counts[label] || 0) + 1;
    });
    summary.textContent = t("hub_summary", undefined, { n: hubEdges.length, counts: Object.keys(counts).sort().map(
      function (k) { return k + " " + counts[k]; }).join(", ") });
    document.getElementById("hub").hidden = false;
    box.addEventListener("change", function () {
      showHub = box.checked;
      edges.update(hubEdges.map(function (e) { return { id: e.id, hidden: !showHub || hiddenStatuses.has(e.status) }; }));
      updateCounts();
    });
  }

  // Marks a text the page could only give in one language (the curators' English) with its language.
  function inLanguage(node, lang) {
    if (lang !== data.lang) node.lang = lang === "zh" ? "zh-Hans" : lang;
    return node;
  }

  function departmentCount() {
    var count = 0;
    details.forEach(function (node) { if (node.type === "Center") count += 1; });
    return count;
  }

  function link(text, href) {
    var a = el("a", text);
    a.href = href;
    return a;
  }

  function quoteList(spans) {
    var list = el("ul", null, "quotes");
    (spans || []).forEach(function (span) {
      var item = el("li");
      item.append(el("q", span.quote), el("span", " [" + span.start + "–" + span.end + "]", "hint"));
      list.appendChild(item);
    });
    return list;
  }

  function showDetails(id) {
    var node = details.get(id);
    var box = document.getElementById("details");
    box.textContent = "";
    if (!node) return;
    var heading = el("h3", node.label, "label-en");
    box.appendChild(heading);
    if (node.labels.zh) {
      var zh = el("p", node.labels.zh, "label-zh");
      zh.lang = "zh-Hans";
      box.appendChild(zh);
    }
    box.appendChild(el("p", t("type." + node.type, node.type_label) + " · " + node.qname, "hint"));
    if (node.synonyms && node.synonyms.length) box.appendChild(el("p", t("also_called") + node.synonyms.join(", ")));
    if (node.codes && node.codes.length) box.appendChild(el("p", "ICD-10: " + node.codes.join(", ")));
    if (node.synthetic) box.appendChild(el("p", t("synthetic"), "synthetic"));
    if (node.departments && node.departments.length) {
      box.appendChild(el("p", t("departments_of") + node.departments.map(function (d) {
        return (d[data.lang] || d.en) + (d.synthetic ? " (" + t("synthetic_short") + ")" : "");
      }).join(data.lang === "zh" ? "、" : ", "), "departments"));
    }
    if (node.value) box.appendChild(el("p", t("value") + ((node.values || {})[data.lang] || node.value) + " (" + t("status." + node.status, node.status) + ")"));
    if (node.definition) box.appendChild(inLanguage(el("p", node.definition), "en"));
    var note = (node.notes || {})[data.lang] || node.note;
    if (note) box.appendChild(inLanguage(el("p", t("note") + note, "note"), (node.notes || {})[data.lang] ? data.lang : "en"));
    if (node.evidence && node.evidence.length) {
      box.appendChild(el("h4", t("in_source")));
      box.appendChild(quoteList(node.evidence));
    }
    var side = (data.side || {})[id] || [];
    if (side.length) {
      box.appendChild(el("h4", t("figures")));
      var list = el("ul", null, "side-items");
      side.forEach(function (item) {
        var entry = el("li");
        var value = (item.values || {})[data.lang] || item.value;
        var name = data.lang === "zh" && item.labels && item.labels.zh ? item.labels.zh : item.label;
        entry.append(el("span", name), el("span", value ? (data.lang === "zh" ? "：" : ": ") + value : ""),
                     el("span", " (" + t("status." + item.status, item.status) + ")", "hint"));
        if (item.evidence && item.evidence.length) entry.appendChild(quoteList(item.evidence));
        list.appendChild(entry);
      });
      box.appendChild(list);
    }
    var links = el("p", null, "links");
    if (data.links.referral) links.append(link(t("referral_card"), data.links.referral + encodeURIComponent(id)), " · ");
    if (data.links.department && node.type === "Center" && departmentCount() > 1) { // the regional view: /referral's picker
      var only = link(t("referral_department"), data.links.department + encodeURIComponent(id) + "&lang=" + data.lang);
      only.dataset.testid = "referral-department";
      links.append(only, " · ");
    }
    if (data.links.entity) links.append(link(t("entity_page"), data.links.entity + encodeURIComponent(id)), " · ");
    if (data.links.graph) links.append(link(t("neighbourhood"), data.links.graph + encodeURIComponent(id)));
    box.appendChild(links);
    var expand = el("button", t("expand"));
    expand.type = "button";
    expand.addEventListener("click", function () { expandNode(id); });
    box.appendChild(expand);
    canvas.dataset.selected = id;
  }

  function showEdge(id) {
    var edge = edges.get(id);
    var box = document.getElementById("details");
    box.textContent = "";
    if (!edge) return;
    box.appendChild(el("pre", edge.title ? edge.title.textContent : "", "edge-text"));
  }

  function focusNode(id) {
    var node = details.get(id);
    if (!node || !nodes.get(id)) return;
    if (hiddenTypes.has(node.type)) {
      setTypeHidden(node.type, false);
      buildLegend();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.0, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    showDetails(id);
  }

  // The typed text, normalised by the server (the same function as every search there), else locally.
  function normalised(query) {
    if (!data.links.normalise || !query.trim()) return Promise.resolve(norm(query.trim()));
    var url = data.links.normalise + "?" + new URLSearchParams({ text: query.trim().slice(0, 200) }).toString();
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json().then(function (answer) { return answer.normalised; }) : norm(query.trim());
    }, function () { return norm(query.trim()); });
  }

  function searchFor(query) {
    return normalised(query).then(search);
  }

  function search(q) {
    if (!q) return [];
    var found = [];
    searchIndex.forEach(function (entry) {
      var best = 3;
      entry.terms.forEach(function (term) {
        if (term === q) best = Math.min(best, 0);
        else if (term.indexOf(q) === 0) best = Math.min(best, 1);
        else if (term.indexOf(q) > 0) best = Math.min(best, 2);
      });
      if (best < 3) found.push({ id: entry.id, rank: best, label: details.get(entry.id).label });
    });
    found.sort(function (a, b) { return a.rank - b.rank || a.label.localeCompare(b.label); });
    return found.slice(0, 12);
  }

  function showResults(found) {
    var list = document.getElementById("search-results");
    list.textContent = "";
    found.forEach(function (hit) {
      var node = details.get(hit.id);
      var button = el("button", node.label + (node.labels.zh ? " · " + node.labels.zh : ""));
      button.type = "button";
      button.addEventListener("click", function () { focusNode(hit.id); });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
    if (!found.length && document.getElementById("search").value.trim()) list.appendChild(el("li", t("no_match"), "hint"));
  }

  function setupSearch() {
    var input = document.getElementById("search");
    var latest = 0;
    input.addEventListener("input", function () {
      var asked = ++latest;
      var text = input.value;
      searchFor(text).then(function (found) {
        if (asked !== latest) return;
        showResults(found);
        input.dataset.shown = text;  // tests and assistive tools can tell the list belongs to this text
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var asked = ++latest;
      var text = input.value;
      searchFor(text).then(function (found) {
        if (asked !== latest) return;
        showResults(found);
        if (found.length) focusNode(found[0].id);
        input.dataset.shown = text;
        input.dataset.found = text;
      });
    });
  }

  function neighbours(id) {
    if (data.links.expand) {
      var params = new URLSearchParams(Object.assign({ id: id, depth: "1", vis: "true" }, data.flags || {}));
      return fetch(data.links.expand + "?" + params.toString(), { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) return r.text().then(function (text) { throw new Error(text); });
        return r.json();
      });
    }
    var reserve = data.reserve;
    if (!reserve) return Promise.resolve(null);
    var ring = reserve.vis.edges.filter(function (e) { return e.from === id || e.to === id; });
    var wanted = new Set();
    ring.forEach(function (e) { wanted.add(e.from); wanted.add(e.to); });
    return Promise.resolve({
      nodes: reserve.nodes.filter(function (n) { return wanted.has(n.id); }),
      types: reserve.types || [],
      vis: { nodes: reserve.vis.nodes.filter(function (n) { return wanted.has(n.id); }), edges: ring }
    });
  }

  function expandNode(id) {
    var progress = document.getElementById("progress");
    progress.textContent = t("expanding");
    neighbours(id).then(function (more) {
      if (!more) {
        progress.textContent = t("nothing_more");
        return;
      }
      (more.types || []).forEach(function (t) { knownTypes.set(t.type, t); });
      remember(more.nodes);
      var at = network.getPositions([id])[id] || { x: 0, y: 0 };
      var added = more.vis.nodes.filter(function (n) { return !nodes.get(n.id); }).map(function (n, i) {
        var node = visNode(n);
        node.x = at.x + 60 * Math.cos(i);
        node.y = at.y + 60 * Math.sin(i);
        return node;
      });
      nodes.add(added);
      edges.add(more.vis.edges.filter(function (e) {
        return !edges.get(e.id) && nodes.get(e.from) && nodes.get(e.to);
      }).map(visEdge));
      Object.assign(data.side, more.side || {});
      buildLegend();
      buildStatusLegend();
      progress.textContent = added.length ? t("added", undefined, { n: added.length }) : t("no_new");
      settle(120);
      updateCounts();
    }).catch(function (error) {
      progress.textContent = t("expand_failed") + error.message;
    });
  }

  function settle(iterations) {
    canvas.dataset.stabilized = "false";
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(iterations);
  }

  function showPaths() {
    if (!data.paths || !data.paths.length) return;
    document.getElementById("paths").hidden = false;
    var list = document.getElementById("path-list");
    data.paths.forEach(function (path) { list.appendChild(el("li", path.text)); });
  }

  function start() {
    remember(data.nodes);
    var note = document.getElementById("cap-note");
    if (data.note) {
      note.textContent = data.note;
      note.hidden = false;
      if (data.capped) note.classList.add("capped");
    }
    nodes = new vis.DataSet(data.vis.nodes.map(visNode));
    edges = new vis.DataSet(data.vis.edges.map(visEdge));
    network = new vis.Network(canvas, { nodes: nodes, edges: edges }, data.vis.options);
    var progress = document.getElementById("progress");
    network.on("stabilizationProgress", function (p) {
      progress.textContent = t("laying_out") + Math.round(100 * p.iterations / p.total) + "%";
    });
    function settled() {
      network.setOptions({ physics: { enabled: false } });
      canvas.dataset.stabilized = "true";
      if (progress.textContent.indexOf(t("laying_out")) === 0) progress.textContent = "";
      updateCounts();
    }
    network.on("stabilizationIterationsDone", settled);
    network.on("stabilized", settled);
    network.on("click", function (params) {
      if (params.nodes.length) showDetails(params.nodes[0]);
      else if (params.edges.length) showEdge(params.edges[0]);
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) expandNode(params.nodes[0]);
    });
    buildLegend();
    buildStatusLegend();
    setupHub();
    setupSearch();
    showPaths();
    updateCounts();
    if (!data.nodes.length) {
      canvas.dataset.stabilized = "true";
      canvas.appendChild(el("p", t("nothing"), "empty"));
    }
    if (data.focus) showDetails(data.focus);
    canvas.dataset.ready = "true";
  }

  start();
}());
