// The copy button of a code block copies what a reader would paste into Python: for a doctest
// (">>> " lines), the statements without their prompts and without the output lines between them.
// Material copies an element's data-clipboard-text when it has one; it is set just before the click
// reaches Material, so blocks added by instant navigation are covered too.
(function () {
  "use strict";

  function stripPrompts(text) {
    var lines = text.replace(/\n$/, "").split("\n");
    if (!lines.some(function (line) { return /^>>>( |$)/.test(line); })) {
      return null; // not a doctest: copy as written
    }
    var kept = [];
    var inStatement = false;
    lines.forEach(function (line) {
      if (/^>>>( |$)/.test(line)) {
        kept.push(line.slice(4));
        inStatement = true;
      } else if (inStatement && /^\.\.\.( |$)/.test(line)) {
        kept.push(line.slice(4));
      } else {
        inStatement = false; // output, up to the next prompt
      }
    });
    return kept.join("\n") + "\n";
  }

  window.beaconCopyText = stripPrompts;

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("[data-clipboard-target]");
      if (!button) {
        return;
      }
      var code = document.querySelector(button.getAttribute("data-clipboard-target"));
      var stripped = code ? stripPrompts(code.textContent) : null;
      if (stripped !== null) {
        button.setAttribute("data-clipboard-text", stripped);
      }
    },
    true
  );
})();
