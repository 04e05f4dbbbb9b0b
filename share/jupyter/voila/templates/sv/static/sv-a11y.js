// Social Value Workbook: give every ipywidgets control its visible label as its accessible name.
// ipywidgets draws a <label> beside each control but does not always tie it to the control
// (sliders have role="slider" and no name at all), which fails WCAG 4.1.2. This copies the
// label's text into aria-label wherever a control has no accessible name, as widgets appear.
(function () {
  "use strict";
  var CONTROLS = 'input:not([type="hidden"]), select, textarea, [role="slider"], [role="spinbutton"], [role="combobox"], [role="listbox"]';

  function labelFor(control) {
    var box = control.closest(".widget-inline-hbox, .widget-inline-vbox, .jupyter-widgets.widget-hbox, .widget-box");
    while (box) {
      var label = box.querySelector(":scope > label.widget-label, :scope > .widget-label");
      if (label && label.textContent.trim()) {
        return label.textContent.trim();
      }
      box = box.parentElement ? box.parentElement.closest(".widget-inline-hbox, .widget-inline-vbox") : null;
    }
    var button = control.closest(".jupyter-button, button");
    if (button && button.textContent.trim()) {
      return button.textContent.trim();
    }
    return control.getAttribute("title") || control.getAttribute("placeholder") || "";
  }

  function hasName(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return true;
    return !!el.closest("label");
  }

  function nameControls(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(CONTROLS).forEach(function (el) {
      if (!hasName(el)) {
        var text = labelFor(el);
        if (text) el.setAttribute("aria-label", text);
      }
    });
    // A slider's value text for screen readers.
    scope.querySelectorAll('[role="slider"]').forEach(function (el) {
      var readout = el.closest(".widget-slider") && el.closest(".widget-slider").querySelector(".widget-readout");
      if (readout && readout.textContent) el.setAttribute("aria-valuetext", readout.textContent.trim());
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }

  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameControls(document);
    });
  });
  function start() {
    nameControls(document);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// "Copy a link to these settings" (sv_helpers/apps/base.py): the button carries the link relative to this page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".sv-copy-link") : null;
    if (!button) return;
    var url = new URL(button.getAttribute("data-href") || "?", window.location.href).href;
    var done = function () { button.textContent = "Link copied"; button.setAttribute("data-url", url); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
    } else {
      button.setAttribute("data-url", url);
      window.prompt("Copy this link:", url);
    }
  });
})();
