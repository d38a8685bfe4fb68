/* feedloom headlines widget. On a partner page:
 *   <div data-feedloom="https://feeds.example.edu/en/feed.json" data-items="5"></div>
 *   <script src="https://feeds.example.edu/embed/widget.js" async></script>
 * Optional: data-images="true" shows each item's picture; data-error sets the
 * text shown when the feed cannot be read. Feed text only ever becomes text
 * nodes or attributes set one by one, never markup, so a title cannot run
 * script on the partner's page; only http(s) links and pictures are used. */
(function () {
  "use strict";

  function web(url, base) {
    try {
      var u = new URL(url, base);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : "";
    } catch (e) {
      return "";
    }
  }

  function text(s, max) {
    s = String(s || "").replace(/\s+/g, " ").trim();
    return s.length > max ? s.slice(0, max - 1) + "\u2026" : s;
  }

  function el(name, cls) {
    var e = document.createElement(name);
    if (cls) e.setAttribute("class", cls);
    return e;
  }

  function dateText(iso, lang) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    try {
      return new Intl.DateTimeFormat(lang || undefined, { dateStyle: "medium" }).format(d);
    } catch (e) {
      return d.toDateString();
    }
  }

  function render(box, feed, src) {
    var n = parseInt(box.getAttribute("data-items"), 10);
    if (!(n > 0)) n = 5;
    var images = box.getAttribute("data-images") === "true";
    var lang = box.closest("[lang]");
    lang = lang ? lang.getAttribute("lang") : "";
    var list = el("ul", "feedloom-headlines");
    var items = Array.isArray(feed.items) ? feed.items : [];
    for (var i = 0; i < items.length && list.childNodes.length < n; i++) {
      var it = items[i] || {};
      var title = text(it.title, 200) || text(it.summary, 80) || text(it.content_text, 80);
      var href = web(it.url, src);
      if (!title || !href) continue;
      var li = el("li", "feedloom-item");
      var img = images ? web(it.image, src) : "";
      if (img) {
        var pic = el("img", "feedloom-image");
        pic.setAttribute("src", img);
        pic.setAttribute("alt", "");
        pic.setAttribute("loading", "lazy");
        li.appendChild(pic);
      }
      var a = el("a", "feedloom-title");
      a.setAttribute("href", href);
      if (it.language) a.setAttribute("lang", String(it.language));
      a.appendChild(document.createTextNode(title));
      li.appendChild(a);
      var when = dateText(it.date_published, lang);
      if (when) {
        var t = el("time", "feedloom-date");
        t.setAttribute("datetime", String(it.date_published));
        t.appendChild(document.createTextNode(when));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(t);
      }
      list.appendChild(li);
    }
    box.replaceChildren(list);
  }

  function fail(box) {
    var p = el("p", "feedloom-error");
    p.appendChild(document.createTextNode(box.getAttribute("data-error") || "Headlines are not available right now."));
    box.replaceChildren(p);
  }

  function load(box) {
    if (box.getAttribute("data-feedloom-done")) return;
    box.setAttribute("data-feedloom-done", "1");
    var src = web(box.getAttribute("data-feedloom"), document.baseURI);
    if (!src || !window.fetch) return fail(box);
    fetch(src, { credentials: "omit", headers: { Accept: "application/feed+json, application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (feed) { render(box, feed || {}, src); })
      .catch(function () { fail(box); });
  }

  function all() {
    var boxes = document.querySelectorAll("[data-feedloom]");
    for (var i = 0; i < boxes.length; i++) load(boxes[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
