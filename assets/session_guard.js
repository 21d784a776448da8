/*
 * Session guard of every Dash page (loaded by Dash from assets/).
 *
 * A callback refused by the server (session ended: 401; role or anti-forgery token: 403) used to
 * vanish: Dash's renderer logged a TypeError and the officer saw nothing, believing a decision
 * was recorded. This wrapper of window.fetch watches the callback endpoint only:
 *  - it shows the banner the server rendered in the reader's language (#auth-session-banner),
 *    with the part that fits (#auth-session-ended / -forbidden / -stale);
 *  - every callback says whom its page was built for (X-Credit-User); when somebody else has
 *    signed in on this browser since, the server refuses ("other_user") and the page is reloaded
 *    for the new person, so nobody records another person's page or draft under their own name;
 *  - it answers Dash "204 No Content", Dash's own "no update" signal, so nothing on the page
 *    changes and what the person typed stays where it is, ready to be sent again;
 *  - when the person comes back to the tab (after signing in again in the tab the banner opens),
 *    it asks /auth/status who is signed in: the same person is told the action can be repeated;
 *    somebody else gets the page reloaded for them (never another person's page or drafts).
 * No inline script (the Content-Security-Policy allows scripts from this site only).
 */
(function () {
  "use strict";
  var CALLBACK = "/_dash-update-component";
  var STATUS = "/auth/status";
  var USER_HEADER = "X-Credit-User";
  var originalFetch = window.fetch.bind(window);
  var ended = false;

  function show(part) {
    var banner = document.getElementById("auth-session-banner");
    if (!banner) { return; }
    ["ended", "forbidden", "stale", "resumed"].forEach(function (name) {
      var element = document.getElementById("auth-session-" + name);
      if (element) { element.hidden = name !== part; }
    });
    banner.className = "alert " + (part === "resumed" ? "alert-success" : "alert-warning") + " mb-3";
    banner.hidden = false;
  }

  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "auth-session-close") {
      document.getElementById("auth-session-banner").hidden = true;
    }
  });

  function isCallback(resource) {
    var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
    try { return new URL(url, window.location.href).pathname.endsWith(CALLBACK); } catch (e) { return false; }
  }

  function pageUser() {
    var banner = document.getElementById("auth-session-banner");
    return banner ? banner.getAttribute("data-user") || "" : "";
  }

  window.fetch = function (resource, init) {
    if (!isCallback(resource)) { return originalFetch(resource, init); }
    // Say whom this page was built for: after somebody else signed in on this browser, the server
    // refuses the action ("other_user") instead of recording it under the new person's name.
    var options = Object.assign({}, init);
    var headers = new Headers(options.headers || {});
    headers.set(USER_HEADER, pageUser());
    options.headers = headers;
    return originalFetch(resource, options).then(function (response) {
      if (response.status !== 401 && response.status !== 403) { return response; }
      return response.clone().json().catch(function () { return {}; }).then(function (body) {
        var error = body && body.error;
        if (response.status === 401) { ended = true; show("ended"); }
        else if (error === "other_user") { window.location.reload(); }
        else { show(error === "csrf" ? "stale" : "forbidden"); }
        return new Response(null, {status: 204});
      });
    });
  };

  function checkResumed() {
    if (!ended || document.visibilityState === "hidden") { return; }
    originalFetch(STATUS, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (!response.ok) { return; }
      return response.json().then(function (body) {
        var banner = document.getElementById("auth-session-banner");
        ended = false;
        if (banner && body && body.user === banner.getAttribute("data-user")) { show("resumed"); }
        else { window.location.reload(); }
      });
    }).catch(function () { /* still offline or signed out: the banner stays */ });
  }
  window.addEventListener("focus", checkResumed);
  document.addEventListener("visibilitychange", checkResumed);
})();
