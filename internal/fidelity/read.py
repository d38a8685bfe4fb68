"""Read every feed file in a folder with feedparser and print what it saw.

The fidelity harness (fidelity_test.go) runs this once for its whole corpus:

    /usr/bin/python3 read.py DIR BASE

and reads one JSON object on stdout, keyed by file name. Each file is parsed
from its bytes (feedparser.parse on the content, no HTTP), so the charset comes
from the document alone, as it does for the harness's server, which sends no
charset in Content-Type. BASE + name is the URL feedloom fetched the file from:
feedparser resolves relative links against it. RSS and JSON Feed have no
xml:base of their own, and feedloom (like Miniflux) resolves their relative
links against the channel's home page link instead of the document's URL;
that choice is feedloom's on purpose, so feedparser is given the same starting
base for those formats, and what is compared is everything after it. For each file: "bozo" (feedparser found the document
ill-formed), "version" (rss20, rss10, atom10, atom03, json11, ...),
"feed_language" and "entries", each with:

  title, title_type  title as feedparser gives it, and its content type
  link               the entry's link
  id                 its id/guid
  content, type      the first content's value, else the summary's
  published, updated UTC epoch seconds when feedparser parsed a date, else null
  language           xml:lang/language of the content, else the summary,
                     else the title, else the feed's: feedparser's own answer
  content_language,  the language feedparser gives each of those elements,
  summary_language,  inherited from the entry or feed when the element has
  title_language     none of its own
  entry_language     the item's own dc:language (or <language>), if any

feedparser 6.0 does not read JSON Feed. A .json file is read here instead,
the JSON Feed 1.1 way (items[].title, url, content_html else content_text,
summary, date_published, date_modified, language), through feedparser's own
URL resolution, HTML sanitizer and date parser, so what is compared is still
feedparser's handling of the values.

Text extraction and link comparison are left to the Go side, so that both
readers' output goes through the same code.
"""

import calendar
import json
import os
import sys

import feedparser
from feedparser.datetimes import _parse_date
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import make_safe_absolute_uri, resolve_relative_uris


def epoch(t):
    return calendar.timegm(t) if t else None


def detail_lang(e, key):
    d = e.get(key)
    if isinstance(d, list):
        d = d[0] if d else None
    return (d or {}).get("language") or ""


def entry(e, feed_lang):
    body, typ, lang = "", "", None
    if e.get("content") and e["content"][0].get("value"):
        # An out-of-line <content src="..."/> has no value: the summary is
        # what there is to read.
        c = e["content"][0]
        body, typ, lang = c.get("value", ""), c.get("type", ""), c.get("language")
    elif "summary_detail" in e:
        d = e["summary_detail"]
        body, typ, lang = d.get("value", ""), d.get("type", ""), d.get("language")
    if not lang and "summary_detail" in e:
        lang = e["summary_detail"].get("language")
    if not lang and "title_detail" in e:
        lang = e["title_detail"].get("language")
    td = e.get("title_detail") or {}
    return {
        "title": e.get("title", ""),
        "title_type": td.get("type", ""),
        "link": e.get("link", ""),
        "id": e.get("id", ""),
        "content": body,
        "type": typ,
        "published": epoch(e.get("published_parsed")),
        "updated": epoch(e.get("updated_parsed")),
        "language": lang or feed_lang or "",
        "content_language": detail_lang(e, "content"),
        "summary_language": detail_lang(e, "summary_detail"),
        "title_language": detail_lang(e, "title_detail"),
        "entry_language": e.get("language") or "",
    }


def parse(data, url):
    ctype = "application/xml"
    d = feedparser.parse(data, response_headers={"content-location": url, "content-type": ctype})
    home = d.feed.get("link", "")
    if not d.version.startswith("atom") and home.startswith(("http://", "https://")):
        d = feedparser.parse(data, response_headers={"content-location": home, "content-type": ctype})
    return d


def json_feed(data, url):
    doc = json.loads(data)
    base = doc.get("home_page_url") or url
    if not base.startswith(("http://", "https://")):
        base = url
    feed_lang = doc.get("language") or ""
    entries = []
    for it in doc.get("items") or []:
        if it.get("content_html") is not None:
            body = it["content_html"]
            body = resolve_relative_uris(body, base, "utf-8", "text/html")
            body, typ = _sanitize_html(body, "utf-8", "text/html"), "text/html"
        elif it.get("content_text") is not None:
            body, typ = it["content_text"], "text/plain"
        else:
            body, typ = it.get("summary") or "", "text/plain"
        lang = it.get("language") or ""
        entries.append({
            "title": it.get("title") or "",
            "title_type": "text/plain",
            "link": make_safe_absolute_uri(base, it.get("url") or "") if it.get("url") else "",
            "id": str(it.get("id") or ""),
            "content": body,
            "type": typ,
            "published": epoch(_parse_date(it["date_published"])) if it.get("date_published") else None,
            "updated": epoch(_parse_date(it["date_modified"])) if it.get("date_modified") else None,
            "language": lang or feed_lang,
            "content_language": lang,
            "summary_language": "",
            "title_language": lang,
            "entry_language": lang,
        })
    return {"version": "json1", "bozo": False, "feed_language": feed_lang, "entries": entries}


def main(folder, base):
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        if name.endswith(".json"):
            out[name] = json_feed(data, base + name)
            continue
        d = parse(data, base + name)
        feed_lang = d.feed.get("language") or ""
        out[name] = {
            "version": d.get("version", ""),
            "bozo": bool(d.get("bozo")),
            "feed_language": feed_lang,
            "entries": [entry(e, feed_lang) for e in d.entries],
        }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
