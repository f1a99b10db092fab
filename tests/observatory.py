"""Mozilla's HTTP Observatory score, computed from our own responses.

A port of the rules of MDN's HTTP Observatory (mdn/mdn-http-observatory,
src/analyzer/tests/*.js and src/grader/charts.js) for the tests that can be judged from
one page's headers, cookies and HTML, plus the plain-HTTP redirect:

    content-security-policy, cookies, cross-origin-resource-sharing, redirection,
    referrer-policy, strict-transport-security, subresource-integrity,
    x-content-type-options, x-frame-options, cross-origin-resource-policy

Scoring as the Observatory does it: start at 100, subtract the penalties; if the result
is 90 or more, add the bonuses. A+ is 100 or more. Not evaluated: `hsts-preloaded` and
`redirection-all-redirects-preloaded` (they need Chrome's preload list), certificate
checks, and CSP/Referrer-Policy set through `<meta http-equiv>` (we send headers only).
Cross-Origin-Opener-Policy is reported but, as in the Observatory, not scored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

MODIFIERS = {
    # Content Security Policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    # Cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # Cross-origin resource sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # Redirection
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-missing": -20,
    "redirection-not-to-https": -20,
    # Referrer-Policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # Strict-Transport-Security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    # Subresource integrity
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    # X-Content-Type-Options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # X-Frame-Options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # Cross-Origin-Resource-Policy
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
    # Cross-Origin-Opener-Policy: reported, not scored
    "coop-implemented-with-same-origin": 0,
    "coop-implemented-with-same-origin-allow-popups": 0,
    "coop-implemented-with-unsafe-none": 0,
    "coop-not-implemented": 0,
    "coop-header-invalid": 0,
}
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
GRADES = [
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
    (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
]  # fmt: skip
SIX_MONTHS = 15_552_000  # the Observatory's own "white lie" for 15768000

DANGEROUSLY_BROAD = {
    "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*",
}  # fmt: skip
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


@dataclass
class Page:
    """What the Observatory fetches for one URL."""

    url: str  # the final https:// (or http:// when there is no HTTPS) URL
    headers: Mapping[str, str]  # of the response at `url`; case-insensitive
    set_cookies: list[str] = field(default_factory=list)  # raw Set-Cookie values
    html: str = ""
    # (status, Location) of the same URL fetched over plain HTTP; None: HTTP not served.
    http_redirect: tuple[int, str] | None = None


@dataclass
class Report:
    results: dict[str, str]  # test name -> expectation
    score: int
    grade: str

    def __str__(self) -> str:
        lines = [f"score {self.score} ({self.grade})"]
        lines += [f"  {MODIFIERS[r]:+4d}  {t}: {r}" for t, r in self.results.items()]
        return "\n".join(lines)


def grade(page: Page) -> Report:
    https = page.url.startswith("https:")
    try:
        csp = parse_csp(page.headers.get("Content-Security-Policy"))
        csp_result = content_security_policy(csp, https=https)
    except CspInvalid:
        csp, csp_result = None, "csp-header-invalid"
    hsts_result = hsts(page.headers, https=https)
    results = {
        "content-security-policy": csp_result,
        "cookies": cookies(page.set_cookies, hsts_passes=hsts_result.startswith("hsts-impl")),
        "cross-origin-resource-sharing": cors(page.headers),
        "redirection": redirection(page.url, page.http_redirect),
        "referrer-policy": referrer_policy(page.headers),
        "strict-transport-security": hsts_result,
        "subresource-integrity": subresource_integrity(page),
        "x-content-type-options": x_content_type_options(page.headers),
        "x-frame-options": x_frame_options(page.headers, csp),
        "cross-origin-resource-policy": cross_origin_resource_policy(page.headers),
        "cross-origin-opener-policy": cross_origin_opener_policy(page.headers),
    }
    modifiers = [MODIFIERS[result] for result in results.values()]
    score = 100 + sum(m for m in modifiers if m < 0)
    if score >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        score += sum(m for m in modifiers if m > 0)
    score = max(score, 0)
    return Report(results, score, next(g for floor, g in GRADES if score >= floor))


class CspInvalid(ValueError):
    pass


def parse_csp(header: str | None) -> dict[str, set[str]] | None:
    """Directive -> sources, the first occurrence of a directive winning, as browsers do."""
    if header is None:
        return None
    policy: dict[str, set[str]] = {}
    for policy_text in header.split(","):
        for directive in policy_text.split(";"):
            parts = directive.strip().split()
            if not parts:
                continue
            name = parts[0].lower()
            if not re.fullmatch(r"[a-z-]+", name):
                raise CspInvalid(name)
            sources = {p.lower() if not p.startswith("'nonce-") else p for p in parts[1:]}
            if name in policy:
                # Several policies all apply: the Observatory keeps the strictest reading.
                policy[name] &= sources or {"'none'"}
            else:
                policy[name] = sources or {"'none'"}
    return policy


def content_security_policy(csp, *, https: bool) -> str:
    if csp is None:
        return "csp-not-implemented"
    default = csp.get("default-src")
    script_src = set(csp.get("script-src") or default or {"*"})
    style_src = set(csp.get("style-src") or default or {"*"})
    object_src = set(csp.get("object-src") or default or {"*"})
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    if "'strict-dynamic'" in script_src:
        if not any(s.startswith(NONCES_HASHES) for s in script_src):
            return "csp-header-invalid"
        script_src = {
            s
            for s in script_src
            if not any(s.startswith(b) for b in DANGEROUSLY_BROAD)
            and s not in ("'self'", "'unsafe-inline'")
        }
    passive = {"img-src", "media-src"}
    active = [s for d, ss in csp.items() if d not in passive and d != "script-src" for s in ss]
    active += script_src
    passive_sources = [s for d in passive for s in (csp.get(d) or default or set())]

    if script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline"
    if https and any(s.startswith(("http:", "ftp:")) for s in active):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval"
    if https and any(s.startswith(("http:", "ftp:")) for s in passive_sources):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


@dataclass
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None


def parse_set_cookie(raw: str) -> Cookie:
    jar = SimpleCookie()
    jar.load(raw)
    ((name, morsel),) = jar.items()
    return Cookie(
        name=name,
        secure=bool(morsel["secure"]),
        httponly=bool(morsel["httponly"]),
        samesite=morsel["samesite"] or None,
    )


def cookies(set_cookies: list[str], *, hsts_passes: bool) -> str:
    order = [
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
    ]
    if not set_cookies:
        return "cookies-not-found"
    found: list[str] = []
    missing_samesite = False
    for raw in set_cookies:
        cookie = parse_set_cookie(raw)
        name = cookie.name.lower()
        session = "login" in name or "sess" in name
        if cookie.samesite and cookie.samesite.lower() not in ("lax", "strict", "none"):
            found.append("cookies-samesite-flag-invalid")
        if not cookie.secure and (cookie.samesite or "").lower() == "none":
            found.append("cookies-samesite-flag-invalid")
        if not cookie.secure:
            found.append(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-without-secure-flag"
            )
        if "csrf" in name and not cookie.samesite:
            found.append("cookies-anticsrf-without-samesite-flag")
        if session and not cookie.secure:
            found.append(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-session-without-secure-flag"
            )
        if session and not cookie.httponly:
            found.append("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not cookie.samesite
    if found:
        return max(found, key=order.index)
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


def cors(headers) -> str:
    origin = headers.get("Access-Control-Allow-Origin")
    if origin is None:
        return "cross-origin-resource-sharing-not-implemented"
    if origin.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    if headers.get("Access-Control-Allow-Credentials", "").strip().lower() == "true":
        # The Observatory sends its own Origin: one echoed back with credentials is
        # access for anyone.
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection(url: str, http_redirect: tuple[int, str] | None) -> str:
    if http_redirect is None:
        return "redirection-not-needed-no-http"
    status, location = http_redirect
    if status not in (301, 302, 303, 307, 308) or not location:
        return "redirection-missing"
    target, origin = urlsplit(location), urlsplit(url)
    if target.scheme != "https":
        # One hop is all we follow: a redirect to plain HTTP fails either way.
        return "redirection-not-to-https"
    if target.hostname != origin.hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_policy(headers) -> str:
    good = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
    bad = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]
    value = headers.get("Referrer-Policy")
    if value is None:
        return "referrer-policy-not-implemented"
    policies = [p.strip().lower() for p in value.split(",") if p.strip().lower() in good + bad]
    if policies and policies[-1] in good:
        return "referrer-policy-private"
    if policies:
        return "referrer-policy-unsafe"
    return "referrer-policy-header-invalid"


def hsts(headers, *, https: bool) -> str:
    if not https:
        return "hsts-not-implemented-no-https"
    value = headers.get("Strict-Transport-Security")
    if value is None:
        return "hsts-not-implemented"
    if "," in value:
        return "hsts-header-invalid"
    max_age = None
    for parameter in (p.strip().lower() for p in value.split(";")):
        if parameter.startswith("max-age="):
            try:
                max_age = int(parameter[8:128].strip('"'))
            except ValueError:
                return "hsts-header-invalid"
    if max_age is None:
        return "hsts-header-invalid"
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append({k: v or "" for k, v in attrs})


def subresource_integrity(page: Page) -> str:
    content_type = page.headers.get("Content-Type", "")
    if "html" not in content_type:
        return "sri-not-implemented-response-not-html"
    parser = _Scripts()
    parser.feed(page.html)
    with_src = [s for s in parser.scripts if s.get("src")]
    if not with_src:
        return "sri-not-implemented-but-no-scripts-loaded"
    host = urlsplit(page.url).hostname
    external = []
    for script in with_src:
        src = urlsplit(script["src"])
        if src.netloc and src.hostname != host:
            external.append((src.scheme, bool(script.get("integrity"))))
    all_integrity = all(s.get("integrity") for s in with_src)
    if not external:
        if all_integrity:
            return "sri-implemented-and-all-scripts-loaded-securely"
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    insecure = any(scheme != "https" for scheme, _ in external)
    if all(has for _, has in external):
        if insecure:
            return "sri-implemented-but-external-scripts-not-loaded-securely"
        return "sri-implemented-and-external-scripts-loaded-securely"
    if insecure:
        return "sri-not-implemented-and-external-scripts-not-loaded-securely"
    return "sri-not-implemented-but-external-scripts-loaded-securely"


def x_content_type_options(headers) -> str:
    value = headers.get("X-Content-Type-Options")
    if value is None:
        return "x-content-type-options-not-implemented"
    if value.strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


def x_frame_options(headers, csp) -> str:
    if csp and "frame-ancestors" in csp:
        return "x-frame-options-implemented-via-csp"
    value = headers.get("X-Frame-Options")
    if value is None:
        return "x-frame-options-not-implemented"
    value = value.strip().lower()
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def cross_origin_resource_policy(headers) -> str:
    value = headers.get("Cross-Origin-Resource-Policy")
    if value is None:
        return "corp-not-implemented"
    return {
        "same-origin": "corp-implemented-with-same-origin",
        "same-site": "corp-implemented-with-same-site",
        "cross-origin": "corp-implemented-with-cross-origin",
    }.get(value[:256].strip().lower(), "corp-header-invalid")


def cross_origin_opener_policy(headers) -> str:
    value = headers.get("Cross-Origin-Opener-Policy")
    if value is None:
        return "coop-not-implemented"
    return {
        "same-origin": "coop-implemented-with-same-origin",
        "same-origin-allow-popups": "coop-implemented-with-same-origin-allow-popups",
        "unsafe-none": "coop-implemented-with-unsafe-none",
    }.get(value.strip().lower(), "coop-header-invalid")
