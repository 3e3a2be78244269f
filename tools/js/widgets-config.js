// Point require.js at the widget manager served by this book, so that the fonts and icons it
// loads come from the book's own folder and never from a CDN.
(function () {
  var here = document.currentScript.src.split("?")[0];
  var root = here.slice(0, here.lastIndexOf("/") + 1);
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": root + "html-manager" } });
})();

// The widget controls typeset their labels with MathJax 2's API, MathJax.Hub.Queue(...), whenever
// window.MathJax exists; the book loads MathJax 3, which has no Hub, so every widget page threw
// "Cannot read properties of undefined (reading 'Queue')". This script runs before MathJax 3
// (a deferred script) starts, and gives every object that becomes window.MathJax (this one, and
// the one MathJax 3 creates when it loads) a Hub.Queue that forwards to MathJax 3's typesetPromise.
(function () {
  function hub() {
    return {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : undefined;
        var mj = window.MathJax;
        if (mj && typeof mj.typesetPromise === "function") {
          mj.typesetPromise(element ? [element] : undefined).catch(function () {});
        }
      }
    };
  }
  var current = window.MathJax;  // a configuration set before this script, if any
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) {
      current = value;
      if (value && typeof value === "object" && !value.Hub) {
        Object.defineProperty(value, "Hub", { value: hub(), configurable: true });
      }
    }
  });
  window.MathJax = current || {};  // so the widgets find a Hub before MathJax 3 loads
})();

// On this static page no kernel answers the widgets: their controls would look live and do
// nothing. Each rendered widget gets its controls disabled and one visible line above it that
// says so and where to use it (the saved first state, figures included, stays as it is).
(function () {
  var NOTE = "Static copy: these controls do nothing on this web page. To use them, open " +
             "the chapter in Colab (rocket icon at the top of the page) or in Jupyter.";
  function mark(root) {
    root.querySelectorAll(".jupyter-widgets input, .jupyter-widgets select, " +
                          ".jupyter-widgets button, .jupyter-widgets textarea")
      .forEach(function (control) {
        control.disabled = true;
        control.title = "Needs a running kernel (Colab or Jupyter)";
      });
    root.querySelectorAll(".jupyter-widgets").forEach(function (widget) {
      var top = widget.parentElement && !widget.parentElement.closest(".jupyter-widgets");
      if (!top || widget.dataset.dldnaStatic) return;
      widget.dataset.dldnaStatic = "1";
      var note = document.createElement("p");
      note.className = "dldna-static-widget-note";
      note.textContent = NOTE;
      widget.parentElement.insertBefore(note, widget);
    });
  }
  function start() {
    mark(document);
    new MutationObserver(function () { mark(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
