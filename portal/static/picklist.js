// Filters the options of every [data-picklist] as the user types: accents and case are ignored,
// so "construccion" finds "Construcción". Chosen options always stay visible.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function enhance(picklist) {
    var filter = picklist.querySelector(".picklist-filter");
    var empty = picklist.querySelector(".picklist-empty");
    var items = Array.prototype.slice.call(picklist.querySelectorAll(".picklist-options li"));
    if (!filter) { return; }
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var visible = !wanted || (box && box.checked) || fold(item.textContent).indexOf(wanted) !== -1;
        item.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (empty) { empty.hidden = shown !== 0; }
    });
  }
  document.querySelectorAll("[data-picklist]").forEach(enhance);
})();
