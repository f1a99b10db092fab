"""Company logo uploads: checked before decoding, then re-encoded.

Every way a logo enters the site (the admin form, the importer) goes through
`normalise_logo`, so a file the admin would refuse can never be stored another way.
Re-encoding drops all metadata — EXIF (GPS positions), XMP, text chunks, colour
profiles — and anything appended to the file; the stored name is random (see
`Company.logo`'s upload_to). Metadata is read for one thing only, the orientation, and
metadata that cannot be read is ignored: a logo is accepted whenever its pixels decode.

Once stored, a logo is rendered at the sizes the pages use (`render_company_logo`, run by
a worker: `Company.save()` enqueues companies/tasks.py's `render_logo`); a company
without one gets a generated monogram in the same sizes.
Pages find the rendered files by name alone (`logo_sources`). The Company model keeps
thin methods that call these.
"""

import colorsys
import hashlib
import io
import posixpath
import warnings
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 16_000_000
# Logos are shown at 192 px at most; a larger stored copy only costs bytes.
STORED_LOGO_SIZE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
ACCEPTED_FORMATS_TEXT = "PNG, JPEG, WebP or GIF"
# EXIF orientation -> the turn that shows the image upright (as ImageOps.exif_transpose).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def normalise_logo(file) -> SimpleUploadedFile:
    """Validate an uploaded logo and return it re-encoded as PNG.

    Raises ValidationError with a message meant for the person who uploaded it.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size > MAX_LOGO_BYTES:
        raise ValidationError(
            "The logo is %(size).1f MB; the limit is %(limit)d MB.",
            code="logo_too_large",
            params={"size": size / 1024 / 1024, "limit": MAX_LOGO_BYTES // 1024 // 1024},
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the header is read here: the size check comes before any decoding.
            image = Image.open(file, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ValidationError(
            f"Upload a {ACCEPTED_FORMATS_TEXT} image; this file is not one of those "
            "(SVG and other formats are not accepted).",
            code="logo_format",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # A format was recognised, then its header could not be read: a broken header,
        # or metadata Pillow refuses to read (a text chunk that inflates past 1 MB).
        raise ValidationError(
            "The image could not be read: it is damaged, or its metadata is too large. "
            "Export it again (without metadata) and re-upload it.",
            code="logo_broken",
        ) from None
    with image:
        width, height = image.size
        if width * height > MAX_LOGO_PIXELS:
            raise _too_many_pixels(width, height)
        try:
            image.seek(0)  # the first frame of an animated GIF
            image.load()
        except (OSError, ValueError, SyntaxError, EOFError):
            raise ValidationError(
                "The image is damaged or incomplete; export it again and re-upload it.",
                code="logo_broken",
            ) from None
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        clean = _upright(image).convert("RGBA" if has_alpha else "RGB")
    # PNG's encoder would copy a colour profile from `info`, even one that is garbage.
    clean.info.clear()
    clean.thumbnail((STORED_LOGO_SIZE, STORED_LOGO_SIZE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return SimpleUploadedFile("logo.png", output.getvalue(), content_type="image/png")


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its orientation (EXIF, or XMP) says; as it is when unreadable.

    A phone photo is stored sideways with an orientation tag: turn it now, since the
    metadata is dropped. Not ImageOps.exif_transpose: it re-serialises the EXIF it
    has just read, and a tag of the wrong type (0xC635 as text) makes that fail.
    """
    # Pillow's EXIF, XMP and "Raw profile" readers raise a wide and version-dependent
    # range of errors (struct.error, SyntaxError, ValueError, TypeError...) on malformed
    # metadata. The pixels are already decoded; unreadable metadata only costs the turn.
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    except Exception:
        return image
    method = UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image if method is None else image.transpose(method)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    found = f"{width}×{height} pixels" if width else "too many pixels"
    return ValidationError(
        f"The logo has {found}; the limit is {MAX_LOGO_PIXELS // 1_000_000} megapixels.",
        code="logo_too_many_pixels",
    )


class LogoFormField(forms.FileField):
    """A file field that accepts only what `normalise_logo` accepts, and stores its output."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"})

    def to_python(self, data):
        uploaded = super().to_python(data)
        return None if uploaded is None else normalise_logo(uploaded)


class LogoField(models.ImageField):
    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LogoFormField, **kwargs})


# Rendered sizes ------------------------------------------------------------------------
# Pages show logos at these sizes (and at twice them on dense screens). Each is rendered
# once, when the logo changes, as WebP with a PNG fallback, beside the stored logo:
# logos/<stem>-48.webp, logos/<stem>-48.png, … Pages derive the URLs from the stem alone.
LOGO_SIZES = (48, 96, 192)
LOGO_FORMATS = {"webp": "WEBP", "png": "PNG"}
# Part of a monogram's file name: bump it when the drawing changes, so that
# `render_logos` writes new files instead of keeping the old ones.
MONOGRAM_VERSION = 2
MONOGRAM_FOLDER = "logos/monograms"
# The hues of the pages' own monograms (.logo--hue-N in site.css, picked by
# monogram_hue): a link preview shows the monogram the page shows.
MONOGRAM_HUES = (210, 150, 30, 270, 190, 340, 90, 50)

RGB = tuple[int, int, int]


def logo_variant_name(stem: str, size: int, extension: str) -> str:
    return f"{stem}-{size}.{extension}"


def logo_stem(name: str) -> str:
    """The stored logo's name without its extension: "logos/ab12.png" → "logos/ab12"."""
    return posixpath.splitext(name)[0]


def monogram_hue(company_id: int | None) -> int:
    """N of a company's .logo--hue-N: a stable colour per company, so neighbouring
    monograms are told apart at a glance."""
    return int(company_id or 0) % len(MONOGRAM_HUES)


def monogram_colours(company_id: int | None) -> tuple[RGB, RGB]:
    """(background, letters) of a company's monogram, as site.css draws it in light mode."""
    hue = MONOGRAM_HUES[monogram_hue(company_id)]
    return _hsl(hue, 70, 91), _hsl(hue, 55, 24)


def _hsl(hue: int, saturation: int, lightness: int) -> RGB:
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness / 100, saturation / 100)
    return round(red * 255), round(green * 255), round(blue * 255)


def monogram_stem(text: str, colours: tuple[RGB, RGB]) -> str:
    """Companies with the same letters and colours share one set of files."""
    key = f"{MONOGRAM_VERSION}:{text}:{colours}".encode()
    return f"{MONOGRAM_FOLDER}/{hashlib.sha256(key).hexdigest()[:16]}"


def square_logo(image: Image.Image, size: int) -> Image.Image:
    """The whole logo, fitted and centred on a transparent square: never cropped."""
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    fitted = ImageOps.contain(image.convert("RGBA"), (size, size), Image.Resampling.LANCZOS)
    canvas.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2), fitted)
    return canvas


def monogram_image(text: str, colours: tuple[RGB, RGB], size: int) -> Image.Image:
    background, letters = colours
    image = Image.new("RGB", (size, size), background)
    # Pillow's bundled font: no dependency on the fonts installed on the server.
    font = ImageFont.load_default(size=round(size * 0.38))
    ImageDraw.Draw(image).text((size / 2, size / 2), text, fill=letters, font=font, anchor="mm")
    return image


def encode_image(image: Image.Image, pillow_format: str) -> bytes:
    if pillow_format == "WEBP":
        # Flat artwork is smaller lossless, photographic logos lossy: keep the smaller.
        return min(
            _encode(image, format="WEBP", lossless=True),
            _encode(image, format="WEBP", quality=90, method=4),
            key=len,
        )
    return _encode(image, format=pillow_format, optimize=True)


def _encode(image: Image.Image, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, **options)
    return output.getvalue()


def render_logo_variants(*, draw, stem: str, storage, overwrite: bool) -> list[str]:
    """Store every size and format of one logo under `stem`; return the names written.

    `draw(size)` returns the square image for one size. With `overwrite` false, files that
    already exist are kept (a monogram's name already says what it shows).
    """
    written = []
    for size in LOGO_SIZES:
        names = {ext: logo_variant_name(stem, size, ext) for ext in LOGO_FORMATS}
        missing = {
            ext: name for ext, name in names.items() if overwrite or not storage.exists(name)
        }
        if not missing:
            continue
        image = draw(size)
        for extension, name in missing.items():
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(encode_image(image, LOGO_FORMATS[extension])))
            if saved != name:  # the URLs are derived from the name: it must be exact
                raise OSError(f"The storage saved {name!r} as {saved!r}.")
            written.append(saved)
    return written


def variants_stem(company) -> str:
    """The stem of the sizes `company` should have: its logo's, or its monogram's."""
    if company.logo:
        return logo_stem(company.logo.name)
    return monogram_stem(company.monogram, monogram_colours(company.pk))


def render_company_logo(company, *, force: bool = False) -> str | None:
    """Store `company`'s logo at every size the pages use, or its monogram when it has no
    logo; return the stem written, or None when `company.logo_variants` is already
    current (unless `force`). The caller records the stem on the row."""
    stem = variants_stem(company)
    if stem == company.logo_variants and not force:
        return None
    if company.logo:
        with company.logo.open("rb") as file, Image.open(file) as opened:
            source = opened.convert("RGBA")
        draw = partial(square_logo, source)
    else:
        draw = partial(monogram_image, company.monogram, monogram_colours(company.pk))
    # A logo's name is unique to its upload, so its files are always (re)written; a
    # monogram's name says what it shows, so files already there are kept.
    render_logo_variants(
        draw=draw, stem=stem, storage=company.logo.storage, overwrite=bool(company.logo) or force
    )
    return stem


def logo_sources(stem: str, size: int, *, storage) -> dict | None:
    """The rendered logo for a box of `size` px: {"webp", "png", "webp_srcset",
    "png_srcset", "width", "height"}; None until rendered (an empty `stem`).

    URLs are derived from the stored name: no storage access while a page is served.
    """
    if not stem:
        return None

    def url(rendered: int, extension: str) -> str:
        return storage.url(logo_variant_name(stem, rendered, extension))

    one_x = next((s for s in LOGO_SIZES if s >= size), LOGO_SIZES[-1])
    two_x = next((s for s in LOGO_SIZES if s >= 2 * size), None)
    sources = {"width": size, "height": size}
    for extension in LOGO_FORMATS:
        sources[extension] = url(one_x, extension)
        srcset = f"{url(one_x, extension)} 1x"
        if two_x and two_x != one_x:
            srcset += f", {url(two_x, extension)} 2x"
        sources[f"{extension}_srcset"] = srcset
    return sources


def monogram_letters(name: str) -> str:
    """The initials a monogram shows: "Northwind Bank" → "NB"; "?" when there are none."""
    words = [word for word in name.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"
