#!/usr/bin/env python3
"""Generate a realistic static marketing site for benchmarking `sitewide check`.

    python3 benches/gen_corpus.py OUT_DIR --pages N [--seed S]

Writes N plain-HTML pages (20-60 KB each, about 40 KB on average, so 10,000 pages are
about 400 MB) under OUT_DIR, in a folder tree like a real marketing site:

    index.html, pricing/, about/, contact/, features/<slug>/, solutions/<industry>/<slug>/,
    blog/<year>/<month>/<slug>/, resources/<kind>/<slug>/, customers/<slug>/,
    landing/<campaign>.html

plus a few real files under assets/ (images, CSS, JS), a `tracking/plan.yaml` that the pages'
lead events follow, and a `sitewide.toml` with the site's
URL and UTM taxonomy. Every page is a full document: a head with title, meta description,
canonical, Open Graph and Twitter tags, the Cookiebot loader and Consent Mode defaults before
the GTM container; a
body with nav, sections, h1-h3 headings with ids, generated paragraphs, 20-80 internal
links (root-relative and relative, some with `#fragment`s to ids that exist on the
target), images under /assets/img/, outbound links with UTM parameters, a labelled form
and a footer.

Defects are planted at low, realistic rates (about 1% of internal links broken, about 1%
pointing at a fragment the target lacks, a few percent of UTM links misspelt, wrongly
cased, off-taxonomy or internal, a few missing images and alts). `OUT_DIR/CORPUS.json`
records the generator's parameters and the counts of what was planted.

The output is byte-for-byte deterministic for a given N and seed (Python 3.11 stdlib only).
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import random
import struct
import sys
import zlib

GENERATOR_VERSION = 1
SITE_URL = "https://www.example.com"
BRAND = "Example Analytics"
GTM_ID = "GTM-K7X2Q9P"
COOKIEBOT_ID = "3f6b1c2e-8a4d-4e5f-9b7a-2c1d0e9f8a7b"

# Rates of planted defects.
P_BROKEN_LINK = 0.018  # of in-body internal links (about 1% of all): target page does not exist
P_BROKEN_FRAGMENT = 0.018  # of in-body internal links (about 1% of all): the fragment is not on the target
P_FRAGMENT = 0.15  # of internal links: carry a valid #fragment
P_RELATIVE = 0.35  # of internal links: written relative to the page
P_MISSING_IMAGE = 0.005  # of images: file does not exist
P_MISSING_ALT = 0.004  # of images: no alt attribute
P_UTM_MISSPELT = 0.01  # of UTM links
P_UTM_UPPER = 0.01
P_UTM_OFF_TAXONOMY = 0.01
P_UTM_NO_CAMPAIGN = 0.005
P_PAGE_INTERNAL_UTM = 0.02  # of pages: a promo banner linking internally with UTMs
P_PAGE_LOREM = 0.003  # of pages: leftover placeholder copy
P_PAGE_HTTP_SCRIPT = 0.002  # of pages: mixed-content script
P_PAGE_BLANK_NOOPENER = 0.01  # of pages: target=_blank without rel=noopener
P_PAGE_EVENT_OFF_PLAN = 0.01  # of pages: the lead event sends its value as text

# --------------------------------------------------------------------------------------
# Vocabulary

NOUNS = """attribution dashboard campaign funnel pipeline revenue conversion audience segment
cohort channel budget forecast report metric insight experiment journey touchpoint
retention churn lifecycle workflow integration connector warehouse model benchmark
playbook strategy launch webinar ebook template checklist roadmap benchmark spend
impression click session visitor lead opportunity account persona keyword creative
landing-page headline offer trial signup demo quota team agency brand partner""".split()
ADJECTIVES = """real-time cross-channel first-party privacy-safe automated unified granular
predictive incremental multi-touch scalable accurate actionable collaborative modern
data-driven full-funnel consent-aware server-side flexible reliable transparent""".split()
VERBS = """measure track compare forecast attribute segment optimise report connect
automate analyse visualise share export reconcile prioritise test validate launch
scale monitor benchmark unify enrich""".split()
ADVERBS = """quickly reliably automatically continuously precisely easily safely clearly
consistently incrementally""".split()
CONNECT = """because so that while when before after although whenever""".split()
INDUSTRIES = """saas ecommerce fintech healthcare education travel retail media
manufacturing nonprofit gaming real-estate""".split()
ROLES = """marketers analysts agencies founders revenue-teams growth-teams cmos
demand-gen-teams product-marketers""".split()
RESOURCE_KINDS = ["guides", "webinars", "ebooks", "templates"]
CUSTOMERS = """globex initech hooli umbrella stark wayne tyrell cyberdyne soylent vandelay
massive-dynamic wonka acme-travel piedpiper oscorp""".split()
FIRST_NAMES = "Ada Grace Alan Linus Margaret Ken Barbara Edsger Frances Donald".split()
LAST_NAMES = "Lovelace Hopper Turing Torvalds Hamilton Thompson Liskov Dijkstra Allen Knuth".split()

EXTERNAL = [
    # (host, paths) of partner sites that outbound links go to, with UTMs.
    ("partner.globex.example", ["/offers/clean-rooms", "/partners/directory", "/reports/benchmarks-2026"]),
    ("www.initech.example", ["/integrations/example-analytics", "/blog/attribution"]),
    ("events.hooli.example", ["/summit-2026", "/webinars/privacy-first-measurement"]),
    ("marketplace.umbrella.example", ["/apps/example-analytics", "/listings/attribution"]),
    ("academy.stark.example", ["/courses/attribution-101", "/courses/ga4-migration"]),
]
SOURCES = ["google", "bing", "facebook", "linkedin", "newsletter", "partner-globex"]
MEDIUMS = ["cpc", "paid-social", "email", "social", "referral", "affiliate", "display"]
CAMPAIGN_WORDS = """spring-launch summer-sale q2-promo partner-summit ga4-migration
attribution-webinar benchmark-report clean-rooms black-friday year-in-review""".split()
MISSPELT_KEYS = ["utm_surce", "utm_soruce", "utm_meduim", "utm_campain", "utm_campaing"]

IMAGES = (
    [(f"hero-{i}.png", "png") for i in range(1, 13)]
    + [(f"chart-{i}.png", "png") for i in range(1, 21)]
    + [(f"logo-{c}.svg", "svg") for c in CUSTOMERS]
    + [(f"icon-{n}.svg", "svg") for n in ("bolt", "chart", "lock", "plug", "users", "globe")]
    + [("logo.svg", "svg"), ("og-default.png", "png"), ("favicon.svg", "svg")]
)
CONTENT_IMAGES = [name for name, _ in IMAGES if name.startswith(("hero-", "chart-", "icon-"))]

# --------------------------------------------------------------------------------------
# Helpers


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def title_case(slug: str) -> str:
    words = slug.replace("-", " ").split()
    return " ".join(w if w in ("and", "for", "the", "of", "to", "with") else w.capitalize() for w in words)


def make_sentences(rng: random.Random, count: int) -> list[str]:
    """A pool of plausible marketing sentences, reused across pages."""
    templates = [
        "{Role} {verb} every {noun} {adverb} with {adj} {noun2s}.",
        "Our {adj} {noun} lets {role} {verb} {noun2s} {connect} the {noun3} changes.",
        "Teams that {verb} their {noun} {adverb} see better {noun2} outcomes within a quarter.",
        "With {adj} {nouns}, {role} can {verb} {noun2} data without waiting for engineering.",
        "Start by mapping each {noun} to a {noun2}, then {verb} the {adj} {noun3}.",
        "The {noun} view shows which {noun2s} drive {noun3}, {connect} budgets shift.",
        "{Role} {verb} {nouns} in one place, so every {noun2} report tells the same story.",
        "You can {verb} {adj} {nouns} across every {noun2} and export them to your {noun3}.",
        "Most {role} start with a single {noun} and {verb} the rest {adverb}.",
        "Each {noun2} is tied back to the {adj} {noun} that created it.",
    ]
    out = []
    for _ in range(count):
        t = rng.choice(templates)
        role = rng.choice(ROLES).replace("-", " ")
        noun = rng.choice(NOUNS).replace("-", " ")
        noun2 = rng.choice(NOUNS).replace("-", " ")
        s = t.format(
            Role=role.capitalize(),
            role=role,
            verb=rng.choice(VERBS),
            noun=noun,
            nouns=plural(noun),
            noun2=noun2,
            noun2s=plural(noun2),
            noun3=rng.choice(NOUNS).replace("-", " "),
            adj=rng.choice(ADJECTIVES),
            adverb=rng.choice(ADVERBS),
            connect=rng.choice(CONNECT),
        )
        out.append(s)
    return out


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "ch", "sh")):
        return word + "es"
    return word + "s"


def slug_words(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(n):
        parts.append(rng.choice(ADJECTIVES + NOUNS + VERBS))
    return "-".join(parts)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small valid solid-colour PNG."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def svg_text(label: str, hue: int) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">'
        f'<rect width="120" height="32" rx="4" fill="hsl({hue},60%,45%)"/>'
        f'<text x="60" y="21" font-family="sans-serif" font-size="12" fill="#fff" text-anchor="middle">{esc(label)}</text>'
        "</svg>\n"
    )


# --------------------------------------------------------------------------------------
# Site plan


class Page:
    __slots__ = ("index", "kind", "url", "file", "title", "ids", "sections", "target_size", "section")

    def __init__(self, index: int, kind: str, url: str, file: str, title: str, section: str):
        self.index = index
        self.kind = kind
        self.url = url  # root-relative URL: "/blog/2026/03/slug/" or "/landing/x.html"
        self.file = file  # path relative to OUT_DIR
        self.title = title
        self.section = section
        self.ids: list[str] = []  # every id on the page, the fragment targets
        self.sections: list[list[str]] = []  # [h2 id, h3 ids...] per section
        self.target_size = 0


HUBS = [
    ("home", "/", "Marketing analytics for revenue teams"),
    ("hub", "/features/", "Features"),
    ("hub", "/solutions/", "Solutions"),
    ("hub", "/blog/", "Blog"),
    ("hub", "/resources/", "Resources"),
    ("hub", "/customers/", "Customer stories"),
    ("hub", "/landing/", "Campaigns"),
    ("static", "/pricing/", "Pricing"),
    ("static", "/about/", "About us"),
    ("static", "/contact/", "Contact sales"),
    ("static", "/privacy/", "Privacy policy"),
]

KIND_WEIGHTS = [("blog", 50), ("solutions", 12), ("landing", 12), ("resources", 10), ("features", 8), ("customers", 8)]


def url_to_file(url: str) -> str:
    if url.endswith("/"):
        return (url[1:] + "index.html") if url != "/" else "index.html"
    return url[1:]


def plan_site(n: int, seed: int) -> list[Page]:
    rng = random.Random(f"{seed}:plan")
    pages: list[Page] = []
    for kind, url, title in HUBS[: max(1, min(len(HUBS), n))]:
        section = url.strip("/").split("/")[0] if url != "/" else ""
        pages.append(Page(len(pages), kind, url, url_to_file(url), title, section))
    kinds = [k for k, _ in KIND_WEIGHTS]
    weights = [w for _, w in KIND_WEIGHTS]
    while len(pages) < n:
        i = len(pages)
        kind = rng.choices(kinds, weights)[0]
        slug = f"{slug_words(rng, rng.randint(3, 4))}-{i}"
        if kind == "blog":
            year = rng.choice(range(2019, 2027))
            month = rng.randint(1, 12)
            url = f"/blog/{year}/{month:02d}/{slug}/"
        elif kind == "solutions":
            url = f"/solutions/{rng.choice(INDUSTRIES)}/{slug}/"
        elif kind == "landing":
            url = f"/landing/{rng.choice(CAMPAIGN_WORDS)}-{slug}.html"
        elif kind == "resources":
            url = f"/resources/{rng.choice(RESOURCE_KINDS)}/{slug}/"
        elif kind == "features":
            url = f"/features/{slug}/"
        else:
            url = f"/customers/{rng.choice(CUSTOMERS)}-{slug}/"
        title = title_case(slug.rsplit("-", 1)[0])
        pages.append(Page(i, kind, url, url_to_file(url), title, kind))
    for p in pages:
        prng = random.Random(f"{seed}:page:{p.index}:plan")
        # Sizes: triangular between 21 and 60 KB, mode 44 KB (pages come out about 40 KB).
        p.target_size = int(prng.triangular(21_000, 60_000, 44_000))
        for s in range(max(3, p.target_size // 5_500)):
            sec = [f"{slug_words(prng, 2)}-{s + 1}"]
            for h in range(prng.randint(1, 2)):
                sec.append(f"{slug_words(prng, 2)}-{s + 1}-{h + 1}")
            p.sections.append(sec)
        if p.url == "/pricing/":
            p.sections[0][0] = "plans"  # the footer links to /pricing/#plans
        p.ids = ["top", "overview"] + [i for sec in p.sections for i in sec] + ["newsletter"]
    return pages


# --------------------------------------------------------------------------------------
# Rendering


class Stats:
    def __init__(self) -> None:
        self.c: dict[str, int] = {}

    def add(self, key: str, n: int = 1) -> None:
        self.c[key] = self.c.get(key, 0) + n


class Renderer:
    def __init__(self, pages: list[Page], seed: int, sentences: list[str], stats: Stats):
        self.pages = pages
        self.seed = seed
        self.sentences = sentences
        self.stats = stats
        self.by_section: dict[str, list[Page]] = {}
        for p in pages:
            self.by_section.setdefault(p.section, []).append(p)

    # ---- links

    def href_to(self, rng: random.Random, page: Page, target: Page, fragment: str | None) -> str:
        if rng.random() < P_RELATIVE and target is not page:
            base_dir = posixpath.dirname("/" + page.file)
            if target.url.endswith("/"):
                rel = posixpath.relpath(target.url.rstrip("/") or "/", base_dir)
                href = "./" if rel == "." else rel + "/"
                if rng.random() < 0.2:
                    href = (href if href != "./" else "") + "index.html"
            else:
                href = posixpath.relpath(target.url, base_dir)
        else:
            href = target.url
        if fragment is not None:
            href += "#" + fragment
        return href

    def internal_link(self, rng: random.Random, page: Page) -> tuple[str, str]:
        """(href, anchor text) of one in-body internal link, with planted defects."""
        st = self.stats
        st.add("internal_links")
        roll = rng.random()
        if rng.random() < 0.5 and len(self.by_section.get(page.section, ())) > 1:
            target = rng.choice(self.by_section[page.section])
        else:
            target = rng.choice(self.pages)
        if roll < P_BROKEN_LINK:
            st.add("planted_broken_links")
            # A retired sibling of a real page: inside a section the site has, so that
            # every checker can prove it missing.
            if target.url == "/":
                url = "/pricing/plans-old/"
            elif target.url.endswith("/"):
                url = target.url.rstrip("/") + "-old/"
            else:
                url = target.url[: -len(".html")] + "-old.html"
            return url, "Read the " + target.title.lower() + " story"
        if roll < P_BROKEN_LINK + P_BROKEN_FRAGMENT:
            st.add("planted_broken_fragments")
            frag = "section-" + slug_words(rng, 1) + "-removed"
            return self.href_to(rng, page, target, frag), target.title
        if roll < P_BROKEN_LINK + P_BROKEN_FRAGMENT + P_FRAGMENT:
            st.add("fragment_links")
            frag = rng.choice(target.ids[1:])
            return self.href_to(rng, page, target, frag), target.title + ": " + frag.rsplit("-", 1)[0].replace("-", " ")
        return self.href_to(rng, page, target, None), target.title

    def utm_link(self, rng: random.Random) -> str:
        st = self.stats
        st.add("utm_links")
        host, paths = rng.choice(EXTERNAL)
        source = rng.choice(SOURCES)
        medium = rng.choice(MEDIUMS)
        campaign = f"{rng.choice(range(2024, 2027))}-{rng.choice(CAMPAIGN_WORDS)}"
        keys = ["utm_source", "utm_medium", "utm_campaign"]
        vals = [source, medium, campaign]
        roll = rng.random()
        if roll < P_UTM_MISSPELT:
            st.add("planted_utm_misspelt_key")
            k = rng.randrange(3)
            keys[k] = rng.choice([m for m in MISSPELT_KEYS if m[4:6] == keys[k][4:6]])
        elif roll < P_UTM_MISSPELT + P_UTM_UPPER:
            st.add("planted_utm_uppercase")
            vals[0] = {"linkedin": "LinkedIn", "facebook": "Facebook", "google": "Google"}.get(source, source.upper())
        elif roll < P_UTM_MISSPELT + P_UTM_UPPER + P_UTM_OFF_TAXONOMY:
            st.add("planted_utm_off_taxonomy_medium")
            vals[1] = rng.choice(["banner-ad", "e-mail", "newsletter", "ppc", "promo"])
        elif roll < P_UTM_MISSPELT + P_UTM_UPPER + P_UTM_OFF_TAXONOMY + P_UTM_NO_CAMPAIGN:
            st.add("planted_utm_no_campaign")
            keys, vals = keys[:2], vals[:2]
        query = "&amp;".join(f"{k}={v}" for k, v in zip(keys, vals, strict=True))
        if rng.random() < 0.15:
            query += "&amp;utm_content=" + rng.choice(["hero", "sidebar", "footer", "inline"])
        return f"https://{host}{rng.choice(paths)}?{query}"

    def image(self, rng: random.Random, alt: str) -> str:
        st = self.stats
        st.add("images")
        name = rng.choice(CONTENT_IMAGES)
        if rng.random() < P_MISSING_IMAGE:
            st.add("planted_missing_images")
            name = "missing-" + name
        w, h = (1200, 630) if name.startswith(("hero", "missing-hero")) else (800, 450)
        if name.startswith(("icon", "missing-icon")):
            w, h = 48, 48
        if rng.random() < P_MISSING_ALT:
            st.add("planted_missing_alt")
            return f'<img src="/assets/img/{name}" width="{w}" height="{h}" loading="lazy">'
        return f'<img src="/assets/img/{name}" alt="{esc(alt)}" width="{w}" height="{h}" loading="lazy">'

    # ---- text

    def paragraph(self, rng: random.Random, links: list[tuple[str, str]], external: list[str]) -> str:
        sents = [rng.choice(self.sentences) for _ in range(rng.randint(3, 7))]
        out = []
        for s in sents:
            if links and rng.random() < 0.35:
                href, text = links.pop()
                words = s.split(" ")
                cut = rng.randint(1, max(1, len(words) - 1))
                s = " ".join(words[:cut]) + f' <a href="{href}">{esc(text)}</a> ' + " ".join(words[cut:])
            elif external and rng.random() < 0.15:
                href = external.pop()
                s = s[:-1] + f', as <a href="{href}" rel="noopener">our partners explain</a>.'
            out.append(s)
        return "<p>" + " ".join(out) + "</p>\n"

    # ---- page

    def render(self, page: Page) -> str:
        rng = random.Random(f"{self.seed}:page:{page.index}:render")
        st = self.stats
        title = f"{page.title} | {BRAND}"
        if len(title) > 70:
            title = page.title[:60].rstrip() + " | Example"
        desc = (
            f"{page.title}: how {rng.choice(ROLES).replace('-', ' ')} use {BRAND} to "
            f"{rng.choice(VERBS)} {plural(rng.choice(NOUNS).replace('-', ' '))} (page {page.index})."
        )
        if len(desc) > 158:
            desc = desc[:150].rstrip() + f" ({page.index})."
        canonical = SITE_URL + page.url
        og_type = "article" if page.kind == "blog" else "website"
        og_image = f"{SITE_URL}/assets/img/{rng.choice(['og-default.png', 'hero-1.png', 'hero-2.png'])}"

        # 20-80 internal links a page: header and footer have 16, the table of contents one
        # per section, the body the rest.
        toc = [sec[0] for sec in page.sections]
        total_internal = rng.randint(20, 80)
        body_links = [self.internal_link(rng, page) for _ in range(max(0, total_internal - 16 - len(toc)))]
        external = [self.utm_link(rng) for _ in range(rng.randint(3, 10))]

        out = Writer()
        w = out.write
        w("<!DOCTYPE html>\n")
        w('<html lang="en">\n<head>\n')
        w('<meta charset="utf-8">\n')
        w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
        w(CONSENT_AND_GTM)
        w(f"<title>{esc(title)}</title>\n")
        w(f'<meta name="description" content="{esc(desc)}">\n')
        w(f'<link rel="canonical" href="{canonical}">\n')
        w(f'<meta property="og:site_name" content="{BRAND}">\n')
        w(f'<meta property="og:title" content="{esc(page.title)}">\n')
        w(f'<meta property="og:description" content="{esc(desc)}">\n')
        w(f'<meta property="og:type" content="{og_type}">\n')
        w(f'<meta property="og:url" content="{canonical}">\n')
        w(f'<meta property="og:image" content="{og_image}">\n')
        w('<meta name="twitter:card" content="summary_large_image">\n')
        w('<meta name="twitter:site" content="@exampleanalytics">\n')
        w('<link rel="icon" href="/assets/img/favicon.svg" type="image/svg+xml">\n')
        w('<link rel="stylesheet" href="/assets/css/site.css">\n')
        if rng.random() < P_PAGE_HTTP_SCRIPT:
            st.add("planted_mixed_content_script")
            w('<script src="http://cdn.partner.example/widget.js" defer></script>\n')
        w('<script src="/assets/js/site.js" defer></script>\n')
        w("</head>\n<body>\n")
        w(GTM_NOSCRIPT)
        w('<a class="skip-link" href="#main">Skip to content</a>\n')
        w(HEADER)
        w('<main id="main">\n<article>\n')
        w(f'<h1 id="{page.ids[0]}">{esc(page.title)}</h1>\n')
        if page.kind == "blog":
            _, _, year, month, _, _ = page.url.split("/")
            author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            w(
                f'<p class="byline">By {author}, <time datetime="{year}-{month}-{rng.randint(1, 28):02d}">{year}</time></p>\n'
            )
        if rng.random() < P_PAGE_INTERNAL_UTM:
            st.add("planted_internal_utm_links")
            w(
                '<p class="promo"><a href="/pricing/?utm_source=homepage&amp;utm_medium=banner&amp;'
                'utm_campaign=2026-spring-sale">Spring sale: 20% off annual plans</a></p>\n'
            )
        if rng.random() < P_PAGE_BLANK_NOOPENER:
            st.add("planted_blank_without_noopener")
            w(
                '<p class="partner"><a href="https://www.globex.example/partners/directory" target="_blank">'
                "Find us in the Globex partner directory</a></p>\n"
            )
        w(f'<p class="lede" id="{page.ids[1]}">' + " ".join(rng.choice(self.sentences) for _ in range(3)) + "</p>\n")
        w(self.image(rng, page.title) + "\n")

        # Table of contents: same-page fragment links.
        w('<nav class="toc" aria-label="On this page">\n<ul>\n')
        for hid in toc:
            st.add("internal_links")
            st.add("fragment_links")
            w(f'<li><a href="#{hid}">{esc(heading(hid))}</a></li>\n')
        w("</ul>\n</nav>\n")

        body_end = page.target_size - 2_200  # room for the form and the footer
        n = len(page.sections)
        for si, sec in enumerate(page.sections):
            left = n - si
            links_here, body_links = body_links[: len(body_links) // left], body_links[len(body_links) // left :]
            ext_here, external = external[: len(external) // left], external[len(external) // left :]
            goal = out.size + max(1_200, (body_end - out.size) // left)
            w(f'<section aria-labelledby="{sec[0]}">\n')
            w(f'<h2 id="{sec[0]}">{esc(heading(sec[0]))}</h2>\n')
            parts = len(sec)
            start = out.size
            for part in range(parts):
                if part > 0:
                    h3 = sec[part]
                    w(f'<h3 id="{h3}">{esc(heading(h3))}</h3>\n')
                    if rng.random() < 0.3:
                        w(
                            "<figure>"
                            + self.image(rng, heading(h3))
                            + f"<figcaption>{esc(rng.choice(self.sentences))}</figcaption></figure>\n"
                        )
                part_goal = start + (goal - start) * (part + 1) // parts
                while True:
                    if rng.random() < 0.12:
                        w(
                            "<ul>\n"
                            + "".join(f"<li>{esc(rng.choice(self.sentences))}</li>\n" for _ in range(rng.randint(3, 6)))
                            + "</ul>\n"
                        )
                    else:
                        w(self.paragraph(rng, links_here, ext_here))
                    if out.size >= part_goal:
                        break
            # Links that did not land in the prose go in a short list.
            if links_here:
                w('<ul class="see-also">\n')
                for href, text in links_here:
                    w(f'<li><a href="{href}">{esc(text)}</a></li>\n')
                w("</ul>\n")
            for href in ext_here:
                w(f'<p class="partner-link"><a href="{href}" rel="noopener">Visit our partner</a></p>\n')
            w("</section>\n")
        if rng.random() < P_PAGE_LOREM:
            st.add("planted_placeholder_text")
            w("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n")
        w(self.form(page))
        w(self.lead_script(rng, page))
        w("</article>\n</main>\n")
        w(FOOTER)
        w("</body>\n</html>\n")
        st.add("internal_links", 16)
        st.add("pages")
        return out.text()

    def lead_script(self, rng: random.Random, page: Page) -> str:
        """The inline script that sends the page's lead event (`generate_lead`, planned in
        tracking/plan.yaml) when its form is submitted; about 1% send `value` as text."""
        value = "0"
        if rng.random() < P_PAGE_EVENT_OFF_PLAN:
            self.stats.add("planted_event_value_as_text")
            value = "'0'"
        return (
            "<script>\n"
            "document.querySelectorAll('form').forEach(function (form) {\n"
            "  form.addEventListener('submit', function () {\n"
            f"    window.dataLayer.push({{event: 'generate_lead', form_id: form.id || '{page.kind}', value: {value}, currency: 'USD'}});\n"
            "  });\n"
            "});\n"
            "</script>\n"
        )

    def form(self, page: Page) -> str:
        i = page.index
        if page.kind in ("landing", "static") or page.url == "/contact/":
            return (
                f'<section class="cta" aria-labelledby="newsletter">\n<h2 id="newsletter">Talk to our team</h2>\n'
                f'<form action="/api/leads" method="post">\n'
                f'<label for="name-{i}">Full name</label>\n<input id="name-{i}" type="text" name="name" autocomplete="name" required>\n'
                f'<label for="email-{i}">Work email</label>\n<input id="email-{i}" type="email" name="email" autocomplete="email" required>\n'
                f'<label for="company-{i}">Company</label>\n<input id="company-{i}" type="text" name="company" autocomplete="organization">\n'
                f'<label for="size-{i}">Team size</label>\n<select id="size-{i}" name="size">'
                '<option value="1-10">1-10</option><option value="11-50">11-50</option>'
                '<option value="51-200">51-200</option><option value="201+">201+</option></select>\n'
                '<button type="submit">Request a demo</button>\n</form>\n</section>\n'
            )
        return (
            '<section class="cta" aria-labelledby="newsletter">\n<h2 id="newsletter">Get the newsletter</h2>\n'
            f'<form action="/api/newsletter" method="post">\n'
            f'<label for="nl-email-{i}">Work email</label>\n'
            f'<input id="nl-email-{i}" type="email" name="email" autocomplete="email" required>\n'
            '<button type="submit">Subscribe</button>\n</form>\n</section>\n'
        )


class Writer:
    """A string builder that knows its length in bytes so far (ASCII output)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def heading(hid: str) -> str:
    """Heading text for an id: "real-time-funnel-3-1" -> "Real Time Funnel"."""
    words = [w for w in hid.split("-") if not w.isdigit()]
    return title_case("-".join(words))


CONSENT_AND_GTM = f"""<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="{COOKIEBOT_ID}" data-blockingmode="auto" type="text/javascript"></script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}
gtag('consent', 'default', {{
  'ad_storage': 'denied',
  'ad_user_data': 'denied',
  'ad_personalization': 'denied',
  'analytics_storage': 'denied',
  'wait_for_update': 500
}});
</script>
<script>(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':
new Date().getTime(),event:'gtm.js'}});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
}})(window,document,'script','dataLayer','{GTM_ID}');</script>
"""

GTM_NOSCRIPT = (
    f'<noscript><iframe src="https://www.googletagmanager.com/ns.html?id={GTM_ID}" title="Google Tag Manager" '
    'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>\n'
)

HEADER = """<header class="site-header">
<nav aria-label="Main">
<a class="brand" href="/"><img src="/assets/img/logo.svg" alt="Example Analytics" width="120" height="32"></a>
<ul>
<li><a href="/features/">Features</a></li>
<li><a href="/solutions/">Solutions</a></li>
<li><a href="/pricing/">Pricing</a></li>
<li><a href="/customers/">Customers</a></li>
<li><a href="/blog/">Blog</a></li>
<li><a href="/resources/">Resources</a></li>
</ul>
<a class="button" href="/contact/">Book a demo</a>
</nav>
</header>
"""

FOOTER = """<footer class="site-footer">
<nav aria-label="Footer">
<ul>
<li><a href="/">Home</a></li>
<li><a href="/about/">About</a></li>
<li><a href="/pricing/#plans">Plans</a></li>
<li><a href="/landing/">Campaigns</a></li>
<li><a href="/contact/">Contact</a></li>
<li><a href="/blog/">All posts</a></li>
<li><a href="/customers/#top">Case studies</a></li>
<li><a href="/resources/">Guides and webinars</a></li>
<li><a href="/privacy/">Privacy policy</a></li>
<li><button type="button" class="cookie-settings" onclick="Cookiebot.renew()">Cookie settings</button></li>
</ul>
<ul class="social">
<li><a href="https://www.linkedin.com/company/example-analytics" rel="noopener">LinkedIn</a></li>
<li><a href="https://docs.example.com/" rel="noopener">Documentation</a></li>
</ul>
</nav>
<p>&copy; 2026 Example Analytics, Inc. All rights reserved.</p>
</footer>
"""

TRACKING_PLAN = """# Tracking plan of the generated benchmark site (benches/gen_corpus.py).
conventions: {event_case: snake_case}
events:
  cta_click:
    emitters: [{kind: datalayer}]
  generate_lead:
    emitters: [{kind: datalayer}]
    properties:
      form_id: {type: string, required: true}
      value: {type: number}
      currency: {type: string, pattern: "[A-Z]{3}"}
"""

SITEWIDE_TOML = f"""# Sitewide conventions for the generated benchmark site (benches/gen_corpus.py).
site_url = "{SITE_URL}"

[utm]
case = "lower"
separator = "-"
internal_hosts = ["example.com", "www.example.com"]
utm_exempt_hosts = ["docs.example.com"]
campaign_pattern = '^\\d{{4}}-[a-z0-9]+(-[a-z0-9]+)*$'
sources = {json.dumps(SOURCES)}

[utm.mediums]
cpc = "Paid Search"
paid-social = "Paid Social"
email = "Email"
social = "Organic Social"
referral = "Referral"
affiliate = "Affiliates"
display = "Display"

[utm.medium_aliases]
"e-mail" = "email"
newsletter = "email"
ppc = "cpc"

[utm.source_aliases]
fb = "facebook"
"facebook.com" = "facebook"

[links]
ignore = ["/api/"]
"""


def write_assets(out: str, seed: int) -> None:
    rng = random.Random(f"{seed}:assets")
    img = os.path.join(out, "assets", "img")
    os.makedirs(img, exist_ok=True)
    for name, kind in IMAGES:
        path = os.path.join(img, name)
        if kind == "png":
            w, h = rng.choice([(32, 18), (48, 27), (64, 36)])
            data = png_bytes(w, h, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
            with open(path, "wb") as f:
                f.write(data)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(svg_text(name.rsplit(".", 1)[0].split("-", 1)[-1], rng.randrange(360)))
    os.makedirs(os.path.join(out, "assets", "css"), exist_ok=True)
    os.makedirs(os.path.join(out, "assets", "js"), exist_ok=True)
    with open(os.path.join(out, "assets", "css", "site.css"), "w", encoding="utf-8") as f:
        f.write(
            "body{font-family:system-ui,sans-serif;margin:0}.skip-link{position:absolute;left:-999px}\n"
            "main{max-width:72rem;margin:0 auto;padding:1rem}img{max-width:100%;height:auto}\n"
        )
    with open(os.path.join(out, "assets", "js", "site.js"), "w", encoding="utf-8") as f:
        f.write(
            "document.addEventListener('click',function(e){var a=e.target.closest('a[data-cta]');"
            "if(a){window.dataLayer.push({event:'cta_click'});}});\n"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a static marketing site for benchmarking.")
    ap.add_argument("out_dir")
    ap.add_argument("--pages", type=int, required=True, help="number of HTML pages")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be at least 1")
    out = args.out_dir
    os.makedirs(out, exist_ok=True)

    pages = plan_site(args.pages, args.seed)
    sentences = make_sentences(random.Random(f"{args.seed}:sentences"), 4000)
    stats = Stats()
    r = Renderer(pages, args.seed, sentences, stats)
    write_assets(out, args.seed)
    with open(os.path.join(out, "sitewide.toml"), "w", encoding="utf-8") as f:
        f.write(SITEWIDE_TOML)
    os.makedirs(os.path.join(out, "tracking"), exist_ok=True)
    with open(os.path.join(out, "tracking", "plan.yaml"), "w", encoding="utf-8") as f:
        f.write(TRACKING_PLAN)

    total = 0
    made_dirs: set[str] = set()
    for p in pages:
        html = r.render(p)
        data = html.encode("utf-8")
        total += len(data)
        path = os.path.join(out, p.file)
        d = os.path.dirname(path)
        if d not in made_dirs:
            os.makedirs(d, exist_ok=True)
            made_dirs.add(d)
        with open(path, "wb") as f:
            f.write(data)
        if not args.quiet and (p.index + 1) % 1000 == 0:
            print(f"  {p.index + 1} pages, {total / 1e6:.0f} MB", file=sys.stderr)

    meta = {
        "generator": "benches/gen_corpus.py",
        "version": GENERATOR_VERSION,
        "pages": args.pages,
        "seed": args.seed,
        "html_bytes": total,
        "average_page_bytes": total // len(pages),
        "planted": dict(sorted(stats.c.items())),
    }
    with open(os.path.join(out, "CORPUS.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    if not args.quiet:
        print(
            f"wrote {args.pages} pages ({total / 1e6:.1f} MB, {total // len(pages) / 1e3:.1f} KB average) to {out}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
