/* Citation popovers on touch (issue 13; docs/decisions/0012). The source sentence shows on
   hover and keyboard focus with CSS alone (site.css: .cite-pop). A touch screen has no hover,
   so here a first tap on a citation opens its popover and a second tap follows the link to the
   reference; a tap on the popover or elsewhere closes it. Escape hides an open popover, whatever opened it
   (WCAG 1.4.13: dismissible). Without this script a tap follows the link and the "Source
   sentence" fold-out gives the sentence. Delegated from the document, so follow-up answers
   swapped in by htmx work too. */
(function () {
  "use strict";
  var touchAt = 0;
  function cite(target) {
    return target && target.closest ? target.closest("a.cite") : null;
  }
  function closeAll(except) {
    var open = document.querySelectorAll("a.cite.open");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) {
        open[i].classList.remove("open");
        open[i].removeAttribute("aria-expanded");
      }
    }
  }
  document.addEventListener("pointerdown", function (event) {
    touchAt = event.pointerType === "touch" || event.pointerType === "pen" ? Date.now() : 0;
  }, true);
  document.addEventListener("click", function (event) {
    var link = cite(event.target);
    var tapped = touchAt && Date.now() - touchAt < 1500;
    touchAt = 0;
    if (!link) {
      if (tapped) closeAll(null);
      return;
    }
    link.classList.remove("dismissed");
    if (tapped && link.classList.contains("open") && event.target.closest(".cite-pop")) {
      event.preventDefault(); /* a tap on the open popover itself closes it (the link */
      closeAll(null); /* keeps the tap's hover and focus, so it is dismissed too) */
      link.classList.add("dismissed");
      return;
    }
    if (!tapped || link.classList.contains("open")) {
      closeAll(null);
      return; /* a mouse click, a key, or the second tap: follow the link */
    }
    event.preventDefault();
    closeAll(link);
    link.classList.add("open");
    link.setAttribute("aria-expanded", "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    closeAll(null);
    var shown = document.querySelectorAll("a.cite:hover, a.cite:focus");
    for (var i = 0; i < shown.length; i++) shown[i].classList.add("dismissed");
  });
  function undismiss(event) {
    var link = cite(event.target);
    if (link) link.classList.remove("dismissed");
  }
  document.addEventListener("mouseout", undismiss);
  document.addEventListener("focusout", undismiss);
})();
