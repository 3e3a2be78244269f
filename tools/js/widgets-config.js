// Point require.js at the widget manager served by this book, so that the fonts and icons it
// loads come from the book's own folder and never from a CDN.
(function () {
  var here = document.currentScript.src.split("?")[0];
  var root = here.slice(0, here.lastIndexOf("/") + 1);
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": root + "html-manager" } });
})();
