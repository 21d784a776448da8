// Panels built when first seen (page speed, issue #16; app/components/deferred_tabs.py). A tab set
// far down the model page comes with a placeholder and a store, named by its data-seen-store
// attribute; when the set comes within a screen of the viewport, the store's data becomes true and
// the page's callback sends the open tab's panel. Dash loads every asset on every page: on a page
// without such a set this watches and does nothing.
(function () {
  "use strict";
  var pending = false;
  var watched = new WeakSet();
  function seen(element) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(element.getAttribute("data-seen-store"), {data: true});
    }
  }
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        seen(entry.target);
      }
    });
  }, {rootMargin: "100% 0px"}) : null;
  function watch() {
    pending = false;
    document.querySelectorAll("[data-seen-store]").forEach(function (element) {
      if (!watched.has(element)) {
        watched.add(element);
        if (observer) { observer.observe(element); } else { seen(element); }
      }
    });
  }
  // Dash draws pages after this runs: look again after DOM changes, at most once a frame.
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(watch);
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
