/*
 * Offline SPARQL editor for the Thoracic Tumor Center knowledge graph.
 *
 * Expects the page to contain (no inline script needed):
 *   <link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">
 *   <script src="/static/vendor/yasgui/yasgui.min.js"></script>
 *   <select id="examples"></select>          (optional: ready-made queries)
 *   <div id="yasgui"></div>
 *   <script src="/static/editor/editor.js"></script>
 *
 * Optional attributes on <body>:
 *   data-endpoint="/sparql"   SPARQL endpoint (same origin; default /sparql)
 *   data-method="POST"        HTTP method for queries: POST (default) or GET
 *   data-lang="zh"            the page's language, en (default) or zh: the examples' titles, descriptions and
 *                             comments come in it
 * Optional element:
 *   <script type="application/json" id="editor-text">{...}</script>
 *                             every string this script adds, in the page's language (api/texts.py EDITOR);
 *                             English when absent. YASGUI's own buttons and menus stay English.
 *
 * Talks only to the page's own origin:
 *   GET  /api/prefixes          {"kg": "https://...#", ...}
 *   GET  /queries               {"queries": [{"name","title","description","params"}]}
 *   GET  /queries/{name}.rq     SPARQL text (text/plain)
 *   POST|GET <endpoint>         SPARQL protocol
 *
 * Everything in YASGUI that would reach an outside service is switched off
 * (see web/README.md for the list and the source locations). Works under
 *   default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'
 * (no eval, no inline event handlers).
 */
(function () {
  "use strict";

  var STORAGE_ID = "kg_sparql_editor"; // localStorage key prefix for tabs (local only)
  // The strings this script adds; the page replaces them with its own language's (api/texts.py EDITOR).
  var ENGLISH = {
    examples: "Example queries…",
    no_examples: "No example queries available",
    parameters: "Parameters: ",
    could_not_load: "Could not load example “{name}”: {error}",
    tab: "Query",
    query_box: "SPARQL query",
    query_text: "SPARQL query text",
    endpoint: "Endpoint (this editor only queries the local knowledge graph)",
    endpoint_title: "This editor only queries the local knowledge graph",
    example_comment: "# Example “{title}” (/queries/{name})",
    params_comment: "# Parameters to bind yourself, with their examples: {params}",
    param_example: "{name} (for example {example})",
  };
  var TEXT = readText();
  var LANG = (document.body && document.body.dataset.lang) === "zh" ? "zh" : "en";

  function readText() {
    var text = Object.assign({}, ENGLISH);
    var block = document.getElementById("editor-text");
    if (block) {
      try {
        Object.assign(text, JSON.parse(block.textContent));
      } catch (e) {
        console.warn("editor.js: unreadable #editor-text (" + e.message + "); English it is");
      }
    }
    return text;
  }

  /* A string of TEXT with its {placeholders} filled in. */
  function say(key, values) {
    return String(TEXT[key]).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* A catalog entry's field in the page's language (title_zh, description_zh…), English where it has none. */
  function inLang(entry, field) {
    if (!entry) return "";
    return (LANG === "zh" && entry[field + "_zh"]) || entry[field] || "";
  }
  var LOV_FREE_AUTOCOMPLETERS = ["variables", "prefixes"]; // "property"/"class" call LOV; removed
  // Offered by PREFIX autocompletion besides the knowledge graph's own prefixes.
  // (Replaces YASQE's bundled prefix.cc snapshot, which holds ~500 entries of
  // uneven quality, e.g. "xlink" and "ping" mapped to unrelated web sites.)
  var STANDARD_PREFIXES = {
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    owl: "http://www.w3.org/2002/07/owl#",
    xsd: "http://www.w3.org/2001/XMLSchema#",
    skos: "http://www.w3.org/2004/02/skos/core#",
    dcterms: "http://purl.org/dc/terms/",
    prov: "http://www.w3.org/ns/prov#",
    sh: "http://www.w3.org/ns/shacl#",
  };

  function resolveEndpoint() {
    var raw = (document.body && document.body.dataset.endpoint) || "/sparql";
    // Yasqe builds `new URL(endpoint)` for GET requests, so it must be absolute.
    var url = new URL(raw, window.location.href);
    if (url.origin !== window.location.origin) {
      // The CSP (connect-src 'self') would block it anyway; refuse loudly.
      console.error("editor.js: endpoint must be same-origin, got " + url.href + "; using /sparql");
      url = new URL("/sparql", window.location.href);
    }
    return url.href;
  }

  function resolveMethod() {
    var m = ((document.body && document.body.dataset.method) || "POST").toUpperCase();
    return m === "GET" ? "GET" : "POST";
  }

  function fetchJson(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }

  function fetchText(path) {
    return fetch(path, { headers: { Accept: "text/plain" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.text();
    });
  }

  function prefixBlock(prefixes) {
    return Object.keys(prefixes)
      .sort()
      .map(function (p) {
        return "PREFIX " + p + ": <" + prefixes[p] + ">";
      })
      .join("\n");
  }

  function defaultQuery(prefixes) {
    var head = prefixBlock(prefixes);
    return (head ? head + "\n\n" : "") + "SELECT * WHERE {\n  ?s ?p ?o .\n} LIMIT 10\n";
  }

  /* Prefix names used in the editor's query (CodeMirror tokens of type string-2). */
  function usedPrefixes(yasqe) {
    var used = {};
    var doc = yasqe.getDoc();
    for (var i = 0; i < doc.lineCount(); i++) {
      var tokens = yasqe.getLineTokens(i);
      for (var j = 0; j < tokens.length; j++) {
        var t = tokens[j];
        if (t.type === "string-2" && t.string.indexOf(":") >= 0) {
          used[t.string.substring(0, t.string.indexOf(":"))] = true;
        }
      }
    }
    return Object.keys(used);
  }

  /* Declare known prefixes the query uses but does not declare. */
  function addMissingPrefixes(yasqe, known) {
    var declared = yasqe.getPrefixesFromQuery() || {};
    var missing = {};
    usedPrefixes(yasqe).forEach(function (p) {
      if (!(p in declared) && Object.prototype.hasOwnProperty.call(known, p)) missing[p] = known[p];
    });
    if (Object.keys(missing).length) yasqe.addPrefixes(missing);
  }

  /*
   * Switch off everything that can call an outside service, on the library
   * defaults themselves. This matters because Yasgui and Yasqe both build their
   * config with lodash `merge(defaults, config)`, which merges arrays index by
   * index: passing `autocompleters: ["variables"]` would still leave
   * "prefixes", "property" and "class" enabled.
   */
  function lockDownDefaults(Yasgui, endpoint, prefixes) {
    var Yasqe = Yasgui.Yasqe;
    // LOV (lov.linkeddata.es) is called by the "property" and "class" autocompleters.
    Yasqe.defaults.autocompleters = LOV_FREE_AUTOCOMPLETERS.slice();
    if (Yasgui.defaults.yasqe) Yasgui.defaults.yasqe.autocompleters = LOV_FREE_AUTOCOMPLETERS.slice();
    // Belt and braces: should anything re-enable them, they return nothing.
    ["property", "class"].forEach(function (name) {
      if (Yasqe.Autocompleters && Yasqe.Autocompleters[name]) {
        Yasqe.Autocompleters[name].get = function () {
          return Promise.resolve([]);
        };
      }
    });
    // prefix.cc: the "prefixes" autocompleter fetches `prefixCcApi` when set; null = bundled list.
    Yasqe.defaults.prefixCcApi = null;
    // PREFIX autocompletion (and auto-declaration of a typed "kg:") from the local
    // prefixes. An array `get` is used as is (never fetched, never cached).
    if (Yasqe.Autocompleters && Yasqe.Autocompleters.prefixes) {
      var all = Object.assign({}, STANDARD_PREFIXES, prefixes);
      Yasqe.Autocompleters.prefixes.get = Object.keys(all)
        .sort()
        .map(function (p) {
          return p + ": <" + all[p] + ">";
        });
    }
    // No URL shortener.
    Yasqe.defaults.createShortLink = undefined;
    // Default endpoint (https://dbpedia.org/sparql) -> local.
    Yasqe.defaults.requestConfig.endpoint = endpoint;
    Yasgui.defaults.requestConfig = Object.assign({}, Yasgui.defaults.requestConfig, { endpoint: endpoint });
    // Endpoint catalogue (dbpedia, wikidata) -> local only.
    Yasgui.defaults.endpointCatalogueOptions.getData = function () {
      return [{ endpoint: endpoint }];
    };
    // CORS proxy / CORS probe (Tab.checkEndpointForCors fetches only when corsProxy is set).
    Yasgui.defaults.corsProxy = undefined;
  }

  // Names YASGUI leaves out, for screen readers and keyboards (axe-core: label, scrollable-region-focusable,
  // aria-required-children): the query box, the read-only endpoint field, the editor's scroll area, and the
  // "add tab" button moved out of the tab list, where only tabs may be.
  function labelControls(container) {
    container.querySelectorAll(".CodeMirror textarea").forEach(function (box) {
      box.setAttribute("aria-label", TEXT.query_box);
    });
    container.querySelectorAll("input.autocomplete").forEach(function (field) {
      field.setAttribute("aria-label", TEXT.endpoint);
    });
    container.querySelectorAll(".CodeMirror-scroll").forEach(function (area) {
      area.setAttribute("tabindex", "0");
      area.setAttribute("aria-label", TEXT.query_text);
    });
    container.querySelectorAll('[role="tablist"] button').forEach(function (button) {
      var item = button.parentNode.getAttribute("role") === "presentation" ? button.parentNode : button;
      var list = item.closest('[role="tablist"]');
      item.classList.add("kg-add-tab");
      list.parentNode.insertBefore(item, list.nextSibling);
    });
    markVendorChrome(container);
  }

  // YASGUI's own buttons and their tooltips are English (the page says so): on a Chinese page they are marked
  // lang="en", so that a screen reader reads them as English. The query and the results keep the page's language.
  var VENDOR_CHROME = [".kg-add-tab", ".closeTab", ".tabContextButton", ".requestConfigWrapper", ".clearEndpointBtn",
                       ".yasqe_buttons", ".yasr_header"];
  function markVendorChrome(container) {
    if (LANG === "en") return;
    container.querySelectorAll(VENDOR_CHROME.join(", ")).forEach(function (element) {
      element.setAttribute("lang", "en");
    });
  }

  function ensureLocalEndpoint(tab, endpoint) {
    if (!tab) return;
    var current;
    try {
      current = tab.getEndpoint();
    } catch (e) {
      current = undefined;
    }
    if (current !== endpoint) tab.setEndpoint(endpoint);
  }

  function lockEndpointFields(root) {
    var inputs = root.querySelectorAll(".controlbar .autocompleteWrapper input");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].readOnly = true;
      inputs[i].title = TEXT.endpoint_title;
    }
    var clears = root.querySelectorAll(".controlbar .clearEndpointBtn");
    for (var k = 0; k < clears.length; k++) clears[k].style.display = "none";
  }

  /*
   * Hide the links to the online YASGUI documentation (the "?" button in the
   * results header). They are plain <a href> links, never fetched, but lead
   * nowhere on an offline network. A constructed stylesheet is used, which
   * CSP style-src does not govern; old browsers fall back to a <style> element.
   */
  function hideOnlineHelpLinks() {
    var css = ".yasgui .yasr .yasr_external_ref_btn { display: none !important; }";
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = css;
      document.head.appendChild(style);
    }
  }

  function setupExamples(select, catalog, yasgui, prefixes) {
    if (!select) return;
    var queries = (catalog && catalog.queries) || [];
    var byName = {};
    select.textContent = "";
    var placeholder = document.createElement("option");
    placeholder.value = "";
    placeholder.textContent = queries.length ? TEXT.examples : TEXT.no_examples;
    select.appendChild(placeholder);
    queries.forEach(function (q) {
      if (!q || !q.name) return;
      byName[q.name] = q;
      var opt = document.createElement("option");
      opt.value = q.name;
      opt.textContent = inLang(q, "title") || q.name;
      var tip = inLang(q, "description");
      if (q.params && q.params.length) {
        tip += (tip ? "\n" : "") + TEXT.parameters + q.params.map(paramLabel).join(", ");
      }
      if (tip) opt.title = tip;
      select.appendChild(opt);
    });
    select.disabled = queries.length === 0;

    var info = document.getElementById("example-description");
    if (!info) {
      info = document.createElement("p");
      info.id = "example-description";
      info.className = "example-description";
      select.insertAdjacentElement("afterend", info);
    }
    info.textContent = "";

    select.addEventListener("change", function () {
      var name = select.value;
      if (!name) return;
      var q = byName[name] || {};
      info.textContent = inLang(q, "description");
      fetchText("/queries/" + encodeURIComponent(name) + ".rq")
        .then(function (text) {
          var tab = yasgui.getTab();
          if (!tab) tab = yasgui.addTab(true);
          var title = inLang(q, "title") || name;
          tab.setQuery(exampleComment(q, name, title) + withoutHeader(text));
          if (typeof tab.setName === "function") tab.setName(title);
          var yasqe = tab.getYasqe();
          if (yasqe) {
            addMissingPrefixes(yasqe, prefixes);
            tab.setQuery(yasqe.getValue()); // persist the completed text
            yasqe.focus();
          }
        })
        .catch(function (err) {
          info.textContent = say("could_not_load", { name: name, error: err.message });
          console.error(err);
        });
    });
  }

  /*
   * The graph's own IRIs (https://ttc-kg.example/...) resolve on no network. In the results table
   * (YASR renders every IRI as a link to itself) they link to this product's pages instead: an
   * ontology term to its section of /ontology, anything else to /entity?id=IRI. Other IRIs
   * (schema.org, SKOS, ...) are left as they are.
   */
  function localHref(iri, base) {
    var ontology = base + "ontology#";
    if (iri.indexOf(ontology) === 0) return "/ontology#" + iri.substring(ontology.length);
    return "/entity?id=" + encodeURIComponent(iri);
  }

  function linkResultsLocally(root, prefixes) {
    var base;
    try {
      base = new URL(prefixes.kg).origin + "/";
    } catch (e) {
      return; // no prefixes: leave the links as YASR made them
    }
    var selector = 'a[href^="' + base + '"]';
    function rewrite(node) {
      if (node.nodeType !== 1) return;
      var links = Array.prototype.slice.call(node.querySelectorAll(selector));
      if (node.matches && node.matches(selector)) links.push(node);
      links.forEach(function (a) {
        a.setAttribute("href", localHref(a.getAttribute("href"), base));
      });
    }
    rewrite(root);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(rewrite);
      });
    }).observe(root, { childList: true, subtree: true });
  }

  /*
   * The comment lines an example opens with, in the page's language: its title, its description and, when it
   * has parameters, their examples to bind. They replace the .rq file's `#+` header, which holds both languages.
   */
  function exampleComment(q, name, title) {
    var lines = [say("example_comment", { title: title, name: name })];
    wrap(inLang(q, "description"), LANG === "zh" ? 50 : 100).forEach(function (line) {
      lines.push("# " + line);
    });
    if (q.params && q.params.length) {
      var params = q.params.map(function (p) {
        return say("param_example", { name: "?" + paramLabel(p), example: p && p.example !== undefined ? p.example : "" });
      });
      lines.push(say("params_comment", { params: params.join(LANG === "zh" ? "、" : ", ") }));
    }
    return lines.join("\n") + "\n";
  }

  /* The query without the `#+` header lines the catalog's .rq files open with. */
  function withoutHeader(text) {
    var lines = text.split("\n");
    var first = 0;
    while (first < lines.length && /^#\+/.test(lines[first])) first++;
    return lines.slice(first).join("\n");
  }

  /* `text` in lines of at most `width` characters: Chinese anywhere, other text between words. */
  function wrap(text, width) {
    var lines = [];
    text = String(text || "").replace(/\s+/g, " ").trim();
    if (LANG === "zh") { // after a punctuation mark near the end of the line where there is one
      while (text.length > width) {
        var cut = width;
        for (var i = width; i > width * 0.6; i--) {
          if ("，。；：、）".indexOf(text.charAt(i - 1)) >= 0) {
            cut = i;
            break;
          }
        }
        lines.push(text.substring(0, cut).trim());
        text = text.substring(cut).trim();
      }
      if (text) lines.push(text);
      return lines;
    }
    var line = "";
    text.split(" ").filter(Boolean).forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  function paramLabel(p) {
    if (p && typeof p === "object") return p.name || JSON.stringify(p);
    return String(p);
  }

  function init() {
    var Yasgui = window.Yasgui;
    var container = document.getElementById("yasgui");
    if (!Yasgui || !container) {
      console.error("editor.js: Yasgui library or #yasgui element missing");
      return;
    }
    var endpoint = resolveEndpoint();
    var method = resolveMethod();

    Promise.all([
      fetchJson("/api/prefixes").catch(function (e) {
        console.warn("editor.js: no prefixes (" + e.message + ")");
        return {};
      }),
      fetchJson("/queries").catch(function (e) {
        console.warn("editor.js: no query catalog (" + e.message + ")");
        return { queries: [] };
      }),
    ]).then(function (res) {
      var prefixes = res[0] && typeof res[0] === "object" ? res[0] : {};
      var catalog = res[1];

      lockDownDefaults(Yasgui, endpoint, prefixes);

      var yasgui = new Yasgui(container, {
        // Local persistence of open tabs (localStorage only, never the network).
        persistenceId: STORAGE_ID,
        requestConfig: { endpoint: endpoint, method: method },
        copyEndpointOnNewTab: false,
        tabName: TEXT.tab, // the name of a new tab, in the page's language
        endpointCatalogueOptions: {
          getData: function () {
            return [{ endpoint: endpoint }];
          },
        },
        corsProxy: undefined,
        // Share links put the query in the URL fragment (#query=...&endpoint=...);
        // when such a link is opened the endpoint is forced back to the local one.
        populateFromUrl: function (tabConfig) {
          tabConfig.requestConfig = Object.assign({}, tabConfig.requestConfig, { endpoint: endpoint });
          return tabConfig;
        },
        yasqe: {
          value: defaultQuery(prefixes),
          autocompleters: LOV_FREE_AUTOCOMPLETERS.slice(),
          prefixCcApi: null,
          createShortLink: undefined,
        },
        yasr: {
          prefixes: prefixes,
        },
      });

      // Keep every tab (also ones restored from localStorage or opened from a
      // share link) on the local endpoint.
      yasgui.persistentConfig.getTabs().forEach(function (id) {
        ensureLocalEndpoint(yasgui.getTab(id), endpoint);
      });
      yasgui.on("tabChange", function (_y, tab) {
        ensureLocalEndpoint(tab, endpoint);
      });
      yasgui.on("queryBefore", function (_y, tab) {
        ensureLocalEndpoint(tab, endpoint);
      });
      yasgui.on("tabSelect", function (_y, id) {
        ensureLocalEndpoint(yasgui.getTab(id), endpoint);
        window.setTimeout(function () {
          lockEndpointFields(container);
        }, 0);
      });
      yasgui.on("tabAdd", function () {
        window.setTimeout(function () {
          lockEndpointFields(container);
        }, 0);
      });
      lockEndpointFields(container);
      labelControls(container);
      yasgui.on("tabSelect", function () { window.setTimeout(function () { labelControls(container); }, 0); });
      yasgui.on("tabAdd", function () { window.setTimeout(function () { labelControls(container); }, 0); });
      yasgui.on("queryResponse", function () { window.setTimeout(function () { markVendorChrome(container); }, 0); });
      hideOnlineHelpLinks();
      linkResultsLocally(container, prefixes);

      setupExamples(document.getElementById("examples"), catalog, yasgui, prefixes);
      window.kgEditor = { yasgui: yasgui, endpoint: endpoint, prefixes: prefixes };
      document.dispatchEvent(new CustomEvent("kg-editor-ready", { detail: window.kgEditor }));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
