#!/usr/bin/env python3
"""Writes the HTML extraction corpus (tests/fixtures/extract/): pages in the
styles real sites use, each with the expected title, author, date and body
as JSON. Each story's text is written once and poured into a template, so
the truth and the page cannot disagree. Re-run after editing; the output is
committed."""
import html, json, os

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "extract")

STORIES = [
    ("Harbour Strike Enters Third Week as Talks Stall", "Maria Lopez", "2025-10-24T11:36:00Z", [
        "Dock workers in the northern harbour extended their walkout on Monday after negotiators failed to agree on a new wage deal for the coming two years.",
        "The union said talks would resume on Thursday, while shipping companies have diverted dozens of vessels to other ports along the coast.",
        "Traders warned of shortages of fresh fruit within days if the strike goes on, and the chamber of commerce asked the government to mediate.",
    ]),
    ("City Opens New Bridge After Three Years of Work", "Ivan Petrov", "2025-12-05T09:00:00Z", [
        "The new bridge across the river opened on Saturday in the city centre, officials said, after three years of construction work and several delays.",
        "Mayor Anna Berg cut the ribbon in front of a crowd of several hundred residents, many of whom had crossed the old ferry for decades.",
        "Engineers said the structure was designed to carry trams as well as cars, and the first tram line across it is planned for the spring of next year.",
        "Critics pointed to the cost, which rose by a third during construction, and asked the council to publish the final accounts.",
    ]),
    ("Farmers Turn to Drip Irrigation as Reservoirs Run Dry", "Lena Novak", "2024-06-03T06:15:00Z", [
        "Farmers across the southern plain are switching to drip irrigation as the third dry summer in a row empties the reservoirs that fed their fields for decades.",
        "The regional water board raised prices by a third this spring, and officials say further increases are likely unless the winter brings more rain.",
        "Many growers said the new pipes paid for themselves within two seasons, although the upfront cost remains a barrier for smaller farms.",
    ]),
    ("Museum Returns Looted Manuscripts to Their Home Country", "Omar Haddad", "2025-02-14T15:20:00Z", [
        "The national museum returned twelve medieval manuscripts on Friday that had been taken from a monastery library during the war more than eighty years ago.",
        "Curators spent four years tracing the provenance of the books through auction records, customs papers and letters kept by a private collector.",
        "The culture minister called the return a moral obligation and said the museum would review the origins of every object in its collection.",
    ]),
    ("Rail Operator Cuts Night Trains Over Staff Shortage", "Sofia Rossi", "2025-01-09T18:05:00Z", [
        "The national rail operator will cancel most of its night trains from March because it cannot find enough drivers, the company said on Thursday.",
        "Passenger groups criticised the decision, saying the night services were often the only way to reach the capital from remote mountain towns.",
        "The operator said it had started a training programme for two hundred new drivers but that the first of them would not be ready before autumn.",
    ]),
    ("Scientists Map Glacier Loss With Drones", "Jonas Berg", "2024-09-20T07:45:00Z", [
        "A team of glaciologists used drones to map the retreat of twenty alpine glaciers this summer, producing the most detailed survey of the region to date.",
        "The maps show that the glaciers lost on average two metres of ice thickness in a single season, twice the rate recorded a decade ago.",
        "The researchers plan to repeat the flights every year and publish the data openly so that hydrologists can forecast river flows.",
    ]),
    ("Court Orders Review of Mine Permit Near São Tomé Café Road", "Aylin Demirçi", "2025-07-01T10:00:00Z", [
        "The supreme administrative court ordered the environment ministry on Tuesday to review the permit of an open-pit copper mine near the border, close to the old café on the Zürich road.",
        "Villagers had argued that the ministry ignored evidence that the mine would drain the wells they rely on for drinking water.",
        "The mining company said it respected the ruling and was confident that a new assessment would confirm the original decision.",
    ]),
    ("Local Bakery Wins National Bread Prize", "Tom Walker", "2025-05-18T12:30:00Z", [
        "A family bakery from a small market town won the national bread prize on Sunday with a rye loaf made from a recipe passed down for four generations.",
        "The judges praised the crust and the sour taste of the bread, which is baked in a wood-fired oven that the family rebuilt by hand last year.",
        "The owners said they would not change anything after the win, except perhaps opening an hour earlier to cope with the queues.",
    ]),
]

NAV = '<nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav>'
RELATED = '<aside class="related-articles"><h3>Read more</h3><ul><li><a href="/a1">Port fees rise again as trade slows down</a></li><li><a href="/a2">Ferry timetable changes from next month</a></li><li><a href="/a3">Ten things to do this weekend in the city</a></li></ul></aside>'
COMMENTS = '<section id="comments"><h3>42 comments</h3><div class="comment"><p>This is exactly what I have been saying for years, nobody listens to the people who actually live here.</p></div><div class="comment"><p>Great article, thanks for the detailed reporting on this important topic for our region.</p></div></section>'
FOOTER = '<footer class="site-footer"><p>Copyright 2025 Example Media Group. All rights reserved. Terms of use, privacy policy and cookie settings.</p><p><a href="/about">About us</a> <a href="/contact">Contact</a></p></footer>'
COOKIE = '<div class="cookie-banner"><p>We use cookies to improve your experience on our website. By continuing to browse you agree to our use of cookies.</p></div>'

def esc(s): return html.escape(s, quote=True)
def paras(ps): return "\n".join("<p>%s</p>" % esc(p) for p in ps)
def human(d):
    import datetime
    t = datetime.datetime.strptime(d, "%Y-%m-%dT%H:%M:%SZ")
    return t.strftime("%d %B %Y")

def wordpress(t, a, d, ps):
    return f'''<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8">
<title>{esc(t)} &#8211; The Valley Times</title>
<meta property="og:title" content="{esc(t)}"><meta property="article:published_time" content="{d}">
<meta name="author" content="{esc(a)}"><link rel="canonical" href="https://valleytimes.example/2025/story/">
</head><body class="post-template-default single">{COOKIE}<div id="page"><header id="masthead" class="site-header"><p class="site-title">The Valley Times</p>{NAV}</header>
<div id="content"><div id="primary"><main id="main"><article class="post type-post">
<header class="entry-header"><h1 class="entry-title">{esc(t)}</h1><div class="entry-meta">Posted on <time class="entry-date published" datetime="{d}">{human(d)}</time> by <span class="author vcard">{esc(a)}</span></div></header>
<div class="entry-content">{paras(ps)}</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/news">News</a></span></footer></article>
{COMMENTS}</main></div><div id="secondary" class="widget-area"><section class="widget"><h2>Recent Posts</h2><ul><li><a href="/x">Council budget approved after long night</a></li><li><a href="/y">Summer festival line-up announced</a></li></ul></section></div></div>{FOOTER}</div></body></html>'''

def jsonld_cms(t, a, d, ps):
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": t,
                     "author": {"@type": "Person", "name": a}, "datePublished": d})
    return f'''<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(t)} | Daily Ledger</title>
<script type="application/ld+json">{ld}</script><script>window.dataLayer=[{{"page":"article"}}];</script></head>
<body><header>{NAV}</header><main><div class="article-container"><div class="article-header"><span class="kicker">World</span><h1>{esc(t)}</h1>
<div class="byline">By <a href="/authors/x">{esc(a)}</a></div></div>
<div class="article-body" itemprop="articleBody">{paras(ps[:2])}<div class="ad-slot advert">Advertisement</div>{paras(ps[2:])}</div>
<div class="share-tools"><a href="#">Share</a><a href="#">Tweet</a><a href="#">Email</a></div></div>{RELATED}</main>{FOOTER}</body></html>'''

def amp(t, a, d, ps):
    ld = json.dumps({"@context": "http://schema.org", "@type": "Article", "headline": t,
                     "author": [{"@type": "Person", "name": a}], "datePublished": d, "image": ["https://x.example/i.jpg"]})
    return f'''<!doctype html><html amp lang="en"><head><meta charset="utf-8"><script async src="https://cdn.ampproject.org/v0.js"></script>
<title>{esc(t)}</title><link rel="canonical" href="https://news.example/story.html"><meta name="viewport" content="width=device-width">
<script type="application/ld+json">{ld}</script><style amp-custom>body{{font-family:serif}}</style></head>
<body><header class="amp-header"><a href="/">News Example</a></header><amp-sidebar id="sidebar" layout="nodisplay"><ul><li><a href="/">Home</a></li></ul></amp-sidebar>
<article><h1>{esc(t)}</h1><p class="meta">{esc(a)} &middot; {human(d)}</p>
<amp-img src="/i.jpg" width="600" height="400" layout="responsive"></amp-img>
{paras(ps)}</article>{FOOTER}</body></html>'''

def comments_heavy(t, a, d, ps):
    many = "".join('<div class="comment-body"><p>Comment number %d: I think the council should have thought about this long before now, it is a disgrace.</p></div>' % i for i in range(12))
    return f'''<html><head><meta charset="utf-8"><meta property="og:title" content="{esc(t)}"><meta property="article:published_time" content="{d}"><meta name="author" content="{esc(a)}"></head>
<body>{NAV}<div class="story"><h1>{esc(t)}</h1><div class="text">{paras(ps)}</div></div>
<div class="comments-area"><h2>Comments</h2>{many}</div>{FOOTER}</body></html>'''

def related_lists(t, a, d, ps):
    lists = "".join('<div class="teaser"><h3><a href="/t%d">Another story headline number %d about something else</a></h3><p><a href="/t%d">A short teaser for the other story that readers might click on.</a></p></div>' % (i, i, i) for i in range(8))
    return f'''<html><head><meta charset="utf-8"><title>{esc(t)}</title></head><body>
<div class="top">{NAV}</div><div class="main"><h1>{esc(t)}</h1><p class="author">By {esc(a)}</p><time datetime="{d}">{human(d)}</time>
<div class="content">{paras(ps)}</div></div><div class="more-stories">{lists}</div>{FOOTER}</body></html>'''

def paywall(t, a, d, ps):
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": t, "author": a, "datePublished": d, "isAccessibleForFree": "False"})
    return f'''<html><head><meta charset="utf-8"><script type="application/ld+json">{ld}</script></head><body>{NAV}
<article><h1>{esc(t)}</h1>{paras(ps)}</article>
<div class="paywall subscribe-box"><p>Subscribe to continue reading. Get unlimited access to all our journalism for just one euro a week, cancel anytime.</p><a href="/subscribe">Subscribe now</a></div>{FOOTER}</body></html>'''

def latin1(t, a, d, ps):
    body = f'''<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>{esc(t)}</title>
<meta name="author" content="{esc(a)}"><meta property="article:published_time" content="{d}"></head><body>{NAV}
<div id="article"><h1>{esc(t)}</h1>{paras(ps)}</div>{FOOTER}</body></html>'''
    return body

def blog_divs(t, a, d, ps):
    # Text in divs separated by <br>, no <p>: the fallback path.
    text = "<br><br>\n".join(esc(p) for p in ps)
    return f'''<html><head><meta charset="utf-8"><title>{esc(t)}</title><meta name="author" content="{esc(a)}">
<meta property="article:published_time" content="{d}"></head><body><div class="menu-bar"><a href="/">Home</a> | <a href="/archive">Archive</a></div>
<h1>{esc(t)}</h1><div class="post-text">{text}</div></body></html>'''

def inline_readalso(t, a, d, ps):
    box = '<div class="read-also"><strong>Read also:</strong> <a href="/x">Port fees rise again as trade slows down</a></div>'
    ld = json.dumps({"@context": "https://schema.org", "@type": "ReportageNewsArticle", "headline": t,
                     "author": {"name": a}, "datePublished": d})
    return f'''<html lang="en-GB"><head><meta charset="utf-8"><script type="application/ld+json">{ld}</script></head><body>{NAV}
<article><h1>{esc(t)}</h1><div class="body">{paras(ps[:1])}{box}{paras(ps[1:])}</div></article>{RELATED}{FOOTER}</body></html>'''

def table_layout(t, a, d, ps):
    cells = "".join("<p>%s</p>" % esc(p) for p in ps)
    return f'''<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><title>{esc(t)} - Old Town Herald</title>
<meta name="author" content="{esc(a)}"><meta itemprop="datePublished" content="{d}"></head><body>
<table width="100%"><tr><td class="menu" width="150"><a href="/">Home</a><br><a href="/local">Local</a><br><a href="/sport">Sport</a></td>
<td class="content"><h1>{esc(t)}</h1>{cells}</td><td class="sidebar" width="150"><p>Weather: sunny, 21 degrees. Tomorrow: light rain in the afternoon.</p></td></tr></table></body></html>'''

def gallery_captions(t, a, d, ps):
    figs = "".join('<figure><img src="/p%d.jpg" alt=""><figcaption>Photo %d: people gathered on the square in the evening light.</figcaption></figure>' % (i, i) for i in range(3))
    return f'''<html><head><meta charset="utf-8"><meta property="og:title" content="{esc(t)}"><meta property="article:published_time" content="{d}"></head>
<body>{NAV}<main><h1>{esc(t)}</h1><span class="byline">By {esc(a)}</span>{figs}<section class="article-text">{paras(ps)}</section></main>{FOOTER}</body></html>'''

def br_in_p(t, a, d, ps):
    text = "<br><br>".join(esc(p) for p in ps)
    return f'''<html><head><meta charset="utf-8"><title>{esc(t)}</title><meta name="author" content="{esc(a)}"><meta property="article:published_time" content="{d}"></head>
<body><div class="nav"><a href="/">Start</a> <a href="/blog">Blog</a></div><div id="post"><h2 class="title">{esc(t)}</h2><p>{text}</p></div>{COMMENTS}</body></html>'''

def related_article_tags(t, a, d, ps):
    # Related stories as <article> teasers with linked headings, beside the
    # main story: an article page, not a listing.
    rel = "".join('<article class="card"><h3><a href="/r%d">Other story number %d in the region</a></h3><p>A short teaser of the other story that readers may want.</p></article>' % (i, i) for i in range(4))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": t, "author": {"name": a}, "datePublished": d})
    return f'''<html><head><meta charset="utf-8"><script type="application/ld+json">{ld}</script></head><body>{NAV}
<main><article class="story"><h1>{esc(t)}</h1>{paras(ps)}</article><section class="more">{rel}</section></main>{FOOTER}</body></html>'''

TEMPLATES = [("wordpress", wordpress), ("jsonld_cms", jsonld_cms), ("amp", amp), ("comments", comments_heavy),
             ("related", related_lists), ("paywall", paywall), ("latin1", latin1), ("blog_divs", blog_divs),
             ("inline_readalso", inline_readalso), ("table_layout", table_layout),
             ("gallery", gallery_captions), ("br_in_p", br_in_p),
             ("related_article_tags", related_article_tags)]

os.makedirs(OUT, exist_ok=True)
for i, (name, tpl) in enumerate(TEMPLATES):
    t, a, d, ps = STORIES[i % len(STORIES)]
    page = tpl(t, a, d, ps)
    path = os.path.join(OUT, f"{i:02d}_{name}.html")
    enc = "iso-8859-1" if name == "latin1" else "utf-8"
    with open(path, "wb") as f:
        f.write(page.encode(enc))
    with open(path[:-5] + ".json", "w", encoding="utf-8") as f:
        json.dump({"title": t, "author": a, "date": d, "body": "\n\n".join(ps)}, f, ensure_ascii=False, indent=1)
print("wrote", len(TEMPLATES), "pages to", os.path.normpath(OUT))
