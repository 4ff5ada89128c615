// Instant suggestions for the referral search boxes (the home page and /referral), from /api/search.
// No framework and no outside request: each keystroke asks this server, and the list is built with
// textContent only, so a label can never inject markup. Without JavaScript the form still submits.
"use strict";

(function () {
  const DELAY_MS = 80;

  function suggestBox(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const lang = input.dataset.lang || "en";
    const kindNames = input.dataset.kindNames ? JSON.parse(input.dataset.kindNames) : {};
    let timer = null;
    let active = -1;
    let options = [];
    let asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      options = [];
      active = -1;
    }

    function pick(entity) {
      const params = new URLSearchParams({ id: entity.id, lang: lang });
      const include = input.form && input.form.querySelector("input[name=include]");
      if (include) params.set("include", include.value);
      if (input.form) {
        input.form.querySelectorAll("input[name=department]:checked").forEach((box) => params.append("department", box.value));
      }
      window.location.assign("/referral?" + params.toString());
    }

    function option(entity, index) {
      const li = document.createElement("li");
      li.id = input.id + "-option-" + index;
      li.setAttribute("role", "option");
      li.dataset.id = entity.id;
      const main = document.createElement("span");
      main.className = "label";
      main.textContent = entity.label;
      li.append(main);
      const other = lang === "zh" ? entity.labels.en : entity.labels.zh;
      if (other && other !== entity.label) {
        const span = document.createElement("span");
        span.className = "other";
        span.textContent = other;
        li.append(" ", span);
      }
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kindNames[entity.type] || entity.type;
      li.append(" ", kind);
      if (entity.matched_label && entity.matched_label !== entity.label && entity.matched_label !== other) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = "“" + entity.matched_label + "”";
        li.append(" ", matched);
      }
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(entity);
      });
      return li;
    }

    function show(answer) {
      list.replaceChildren();
      list.dataset.for = answer.input; // which words this list answers (a slower, older answer is never shown)
      const found = answer.results.length > 0;
      options = found ? answer.results : answer.candidates;
      if (!found) {
        const head = document.createElement("li");
        head.className = "hint";
        head.setAttribute("role", "presentation");
        head.textContent = options.length ? input.dataset.didYouMean + ":" : input.dataset.none;
        list.append(head);
      }
      options.forEach((entity, index) => list.append(option(entity, index)));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function highlight(index) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    }

    async function ask() {
      const text = input.value.trim();
      if (!text || text.length > 200) {
        close();
        return;
      }
      const ticket = ++asked;
      const params = new URLSearchParams({ q: text, lang: lang, limit: "8" });
      if (input.dataset.kinds) params.set("type", input.dataset.kinds);
      try {
        const response = await fetch("/api/search?" + params.toString(), { headers: { Accept: "application/json" } });
        if (ticket !== asked) return; // a newer keystroke has asked since
        if (response.status === 200 || response.status === 404) show(await response.json());
        else close();
      } catch (error) {
        close();
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden || !options.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(options[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  // The department picker (/referral with several departments): its checkboxes submit `department=` without any
  // script; this adds a filter over names, hospitals and cities in both languages, and keeps the summary's count.
  function picker(details) {
    const boxes = Array.from(details.querySelectorAll("input[name=department]"));
    const items = Array.from(details.querySelectorAll("li[data-search]"));
    const groups = Array.from(details.querySelectorAll(".picker-hospital"));
    const count = details.querySelector("[data-picker-count]");
    const tools = details.querySelector("[data-picker-filter]");
    const filter = tools.querySelector("input");
    const shown = tools.querySelector("[role=status]");
    const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));

    function recount() { // as the template words it: the names of up to three chosen departments
      const chosen = boxes.filter((box) => box.checked);
      const values = { k: chosen.length, n: boxes.length,
                       names: chosen.map((box) => box.dataset.name).join(details.dataset.separator) };
      const template = chosen.length > 3 ? "some" : chosen.length ? "someNamed" : "all";
      count.textContent = fill(details.dataset[template], values);
    }

    function apply() {
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let visible = 0;
      items.forEach((item) => {
        const keep = words.every((word) => item.dataset.search.includes(word));
        item.hidden = !keep;
        if (keep) visible += 1;
      });
      groups.forEach((group) => {
        group.hidden = !group.querySelector("li[data-search]:not([hidden])");
      });
      shown.textContent = words.length ? fill(details.dataset.shown, { k: visible, n: items.length }) : "";
    }

    tools.hidden = false;
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // filtering, not submitting the search
      if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        filter.value = "";
        apply();
      }
    });
    boxes.forEach((box) => box.addEventListener("change", recount));
  }

  document.querySelectorAll("input[data-suggest]").forEach(suggestBox);
  document.querySelectorAll("details[data-picker]").forEach(picker);
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
