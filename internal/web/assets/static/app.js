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

// The timeout warning: two minutes before the idle timeout (or half way, for
// a timeout shorter than four minutes) a dialog offers to stay signed in.
// Staying signed in asks the server, which counts it as activity; without
// scripts nobody is warned, and a form posted late is still kept.
const timeout = document.getElementById("hub-timeout");
if (timeout && typeof timeout.showModal === "function") {
  const idle = Number(timeout.dataset.idle) * 1000;
  const warnAt = idle > 240000 ? idle - 120000 : idle / 2;
  const left = document.getElementById("hub-timeout-left");
  const form = document.getElementById("hub-timeout-form");
  let deadline = 0;
  let tick = 0;
  const say = () => {
    const s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    left.textContent = s >= 60 ? `${Math.ceil(s / 60)} minute${Math.ceil(s / 60) === 1 ? "" : "s"}` : `${s} second${s === 1 ? "" : "s"}`;
  };
  const arm = () => {
    deadline = Date.now() + idle;
    setTimeout(() => {
      say();
      timeout.showModal();
      tick = setInterval(say, 1000);
    }, warnAt);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then((res) => {
        if (!res.ok) throw new Error(`status ${res.status}`);
        clearInterval(tick);
        timeout.close();
        arm();
      })
      .catch(() => form.submit());
  });
  arm();
}

// A form posted just after a timeout, kept by the server and handed back
// after signing in again: its answers are put back into the page's fields.
const held = document.getElementById("hub-held");
if (held) {
  try {
    const values = JSON.parse(held.dataset.held);
    for (const [name, list] of Object.entries(values)) {
      for (const field of document.querySelectorAll(`main form [name="${CSS.escape(name)}"]`)) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = list.includes(field.value);
        } else if (field.type !== "hidden" && field.type !== "submit") {
          field.value = list[0] ?? "";
        }
      }
    }
  } catch (err) {
    console.error("The kept answers could not be put back.", err);
  }
}

// A page that is watching something under way (data-refresh, in seconds)
// loads itself again until it is done.
const refresh = document.querySelector("[data-refresh]");
if (refresh) {
  setTimeout(() => window.location.reload(), Number(refresh.dataset.refresh) * 1000);
}
