"""A company's logo in a square box: `{% company_logo company 96 alt=company.name %}`.

Built in Python rather than an included template: a listing shows twenty logos, and an
`{% include %}` with its `{% with %}` and filters cost ~30 µs each (0.65 ms for 20)
where this costs a few.
"""

from html import escape  # Django's own adds a lazy-string check to each of hundreds of calls

from django import template
from django.utils.safestring import SafeString, mark_safe

from companies.logos import monogram_hue

register = template.Library()


@register.simple_tag
def company_logo(company, size, alt="") -> SafeString:
    """The logo rendered for a box of `size` px (40, 48, 56 or 96; see .logo--N in
    site.css): WebP with a PNG fallback and a 2x candidate, width and height set so
    nothing shifts; else a monogram: for a company without a logo, and for one whose
    sizes a worker has not rendered yet (companies/tasks.py). Decorative unless `alt` is
    given. No style attributes: the CSP forbids them."""
    size = int(size)
    tail = f'width="{size}" height="{size}" alt="{escape(alt)}" loading="lazy" decoding="async">'
    logo = company.logo_sources(size) if company.logo else None
    if logo:
        html = (
            f'<picture class="logo-picture"><source type="image/webp" '
            f'srcset="{escape(logo["webp_srcset"])}"><img class="logo logo--{size}" '
            f'src="{escape(logo["png"])}" srcset="{escape(logo["png_srcset"])}" '
            f"{tail}</picture>"
        )
    else:
        label = f'role="img" aria-label="{escape(alt)}"' if alt else 'aria-hidden="true"'
        html = (
            f'<span class="logo logo--{size} logo--monogram '
            f'logo--hue-{monogram_hue(company.pk)}" {label}>{escape(company.monogram)}</span>'
        )
    return mark_safe(html)  # noqa: S308 (every value escaped above)


@register.filter
def logo_sources(company, size):
    """`{% with logo=company|logo_sources:192 %}`: see Company.logo_sources."""
    return company.logo_sources(int(size))
