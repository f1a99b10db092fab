// The guide's table of contents marks the section being read (aria-current="true"): the
// last of its headings that has passed the top quarter of the window. Without JavaScript
// the table of contents is the same list of links, unmarked.
(function () {
  "use strict";
  var toc = document.querySelector(".guide__toc .toc");
  if (!toc || !("IntersectionObserver" in window)) return;

  var entries = [];
  Array.prototype.forEach.call(toc.querySelectorAll('a[href^="#"]'), function (link) {
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (target) entries.push({ link: link, target: target });
  });
  if (!entries.length) return;

  var current = null;
  function mark() {
    var line = window.innerHeight / 4;
    var reading = null;
    entries.forEach(function (entry) {
      if (entry.target.getBoundingClientRect().top <= line) reading = entry;
    });
    if (reading === current) return;
    if (current) current.link.removeAttribute("aria-current");
    if (reading) reading.link.setAttribute("aria-current", "true");
    current = reading;
  }

  // Called whenever a heading crosses the line a quarter down the window, and whenever
  // one enters or leaves the window (a fast scroll or a jump can carry a heading across
  // the line between two frames).
  [{ rootMargin: "0px 0px -75% 0px" }, {}].forEach(function (options) {
    var observer = new IntersectionObserver(mark, options);
    entries.forEach(function (entry) {
      observer.observe(entry.target);
    });
  });
})();
