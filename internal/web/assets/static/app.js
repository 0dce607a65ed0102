// Starts GOV.UK Frontend and MoJ Frontend on the page. Every page works
// without it: it only adds behaviour (the error summary's focus, the menu
// toggle on small screens, and MoJ's filter panel, which on a small screen
// hides behind a "Show filter" button instead of covering the list).
//
// It is a module, so only browsers that the libraries support run it. The
// libraries' addresses carry checksums that only the server knows, so the
// layout hands them over as data attributes of this script's element, and
// they are imported from there: no inline script and no import map, which
// the CSP would refuse.
const script = document.querySelector("script[data-govuk-frontend]");

if (script) {
  Promise.all([import(script.dataset.govukFrontend), import(script.dataset.mojFrontend)])
    .then(([govuk, moj]) => {
      document.body.classList.add("js-enabled", "govuk-frontend-supported");
      govuk.initAll();
      moj.initAll();
      // MoJ's initAll leaves the filter out: it is started here, on each
      // list's filter panel (data-module="moj-filter").
      govuk.createAll(moj.FilterToggleButton);
    })
    .catch((err) => console.error("The page's scripts did not load; it still works without them.", err));
}
