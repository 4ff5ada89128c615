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

  document.querySelectorAll("input[data-suggest]").forEach(suggestBox);
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
