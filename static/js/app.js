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
  selectAll.closest("th").querySelector(".app-select-all-fallback")?.remove();
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
