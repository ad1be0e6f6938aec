// The search filters come folded behind "Filtros" so that a phone shows the results first; where
// the screen is wide enough for the two-column layout they stand open, as they always did. The
// width is the one portal.css switches layouts at; crossing it (turning a tablet) follows suit.
(function () {
  "use strict";
  var panel = document.querySelector(".filters-panel");
  if (!panel || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 48rem)");
  function follow() { panel.open = !narrow.matches; }
  follow();
  narrow.addEventListener("change", follow);
})();
