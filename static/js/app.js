// Starts NHS.UK frontend's components. Loaded as a module, so it only runs in
// browsers that support them; every page works without it.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// --- Error summaries in parts of a page htmx swaps in -----------------------------
// initAll() focuses the error summary of a page as it loads; a form answered by htmx
// (422) swaps one in later, so it is started, and so focused, the same way.
import { createAll, ErrorSummary } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.addEventListener("htmx:afterSettle", (event) => {
  createAll(ErrorSummary, undefined, { scope: event.detail.elt });
});
