// Starts NHS.UK frontend's components. Loaded as a module, so it only runs in
// browsers that support them; every page works without it.
import {
  createAll,
  ErrorSummary,
  initAll,
} from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// --- Bulk change on the action list: "Select all" (templates/actions/list.html) ---
// The header checkbox ticks or clears every row of the page; without JavaScript it
// stays hidden and each row is ticked on its own.
for (const selectAll of document.querySelectorAll("[data-select-all]")) {
  const form = selectAll.form;
  const rows = form
    ? Array.from(form.querySelectorAll(`input[name="${selectAll.dataset.selectAll}"]`))
    : [];
  if (!rows.length) continue;
  const reflect = () => {
    const ticked = rows.filter((row) => row.checked).length;
    selectAll.checked = ticked === rows.length;
    selectAll.indeterminate = ticked > 0 && ticked < rows.length;
  };
  selectAll.addEventListener("change", () => {
    for (const row of rows) row.checked = selectAll.checked;
    reflect();
  });
  for (const row of rows) row.addEventListener("change", reflect);
  selectAll.closest(".app-select-all").hidden = false;
  reflect();
}

// The bulk change's radios show only the chosen change's fields. Not NHS.UK's own
// radios script: it sets aria-expanded on radio inputs, which ARIA does not allow.
for (const group of document.querySelectorAll("[data-bulk-reveal]")) {
  const radios = Array.from(group.querySelectorAll("input[data-reveals]"));
  const reveal = () => {
    for (const radio of radios) {
      document
        .getElementById(radio.dataset.reveals)
        ?.classList.toggle("nhsuk-radios__conditional--hidden", !radio.checked);
    }
  };
  for (const radio of radios) radio.addEventListener("change", reveal);
  reveal();
}

// --- Error summaries in parts of a page htmx swaps in -----------------------------
// initAll() focuses the error summary of a page as it loads; a form answered by htmx
// (422) swaps one in later, so it is started, and so focused, the same way.
document.body.addEventListener("htmx:afterSettle", (event) => {
  createAll(ErrorSummary, undefined, { scope: event.detail.elt });
});

// --- Long drop-downs: type to find (issue 21) --------------------------------------
// A select of more than AUTOCOMPLETE_MIN_OPTIONS choices (people, organisations) gets a
// text box before it that suggests the choices as the person types (the browser's own
// list, a datalist, which screen readers announce). The select stays in the form and
// is what is sent: the box only sets it, and a choice made in the select (as an
// assistive tool or a test may) shows in the box. Text matching no choice is put back
// to the choice in force when the box is left. Without JavaScript the select is as it
// was. The select is hidden from sight and from assistive technology, and its label
// and hint move to the box.
const AUTOCOMPLETE_MIN_OPTIONS = 20;
for (const [index, select] of Array.from(
  document.querySelectorAll("select:not([multiple])"),
).entries()) {
  if (select.options.length <= AUTOCOMPLETE_MIN_OPTIONS || !select.id) continue;
  const valueOf = new Map();
  const labelOf = new Map();
  const datalist = document.createElement("datalist");
  datalist.id = `${select.id}-suggestions-${index}`;
  for (const option of select.options) {
    if (!option.value) continue;
    let label = option.textContent.trim();
    // Two people of one name are told apart by the order they are listed in.
    for (let n = 2; valueOf.has(label); n += 1) label = `${option.textContent.trim()} (${n})`;
    valueOf.set(label, option.value);
    labelOf.set(option.value, label);
    const suggestion = document.createElement("option");
    suggestion.value = label;
    datalist.append(suggestion);
  }
  const box = document.createElement("input");
  box.type = "text";
  box.id = `${select.id}-search`;
  box.className = `nhsuk-input app-autocomplete${
    select.classList.contains("nhsuk-select--error") ? " nhsuk-input--error" : ""
  }`;
  box.setAttribute("list", datalist.id);
  box.autocomplete = "off";
  box.spellcheck = false;
  const blank = Array.from(select.options).find((option) => !option.value);
  if (blank) box.placeholder = blank.textContent.trim();
  const described = select.getAttribute("aria-describedby");
  if (described) box.setAttribute("aria-describedby", described);
  const shown = () => labelOf.get(select.value) || "";
  box.value = shown();
  box.addEventListener("input", () => {
    if (valueOf.has(box.value)) select.value = valueOf.get(box.value);
    else if (box.value.trim() === "") select.value = "";
  });
  box.addEventListener("change", () => {
    if (!valueOf.has(box.value) && box.value.trim() !== "") box.value = shown();
  });
  select.addEventListener("change", () => {
    box.value = shown();
  });
  for (const label of document.querySelectorAll(`label[for="${select.id}"]`)) {
    label.htmlFor = box.id;
  }
  select.classList.add("nhsuk-u-visually-hidden", "app-autocomplete-source");
  select.tabIndex = -1;
  select.setAttribute("aria-hidden", "true");
  select.before(box, datalist);
}
