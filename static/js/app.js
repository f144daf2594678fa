// Starts NHS.UK frontend's components. Loaded as a module, so it only runs in
// browsers that support them; every page works without it.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
