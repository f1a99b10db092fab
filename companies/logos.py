"""Company logo uploads: checked before decoding, then re-encoded.

Every way a logo enters the site (the admin form, the importer) goes through
`normalise_logo`, so a file the admin would refuse can never be stored another way.
Re-encoding drops EXIF (GPS positions), colour-profile tricks and anything appended
to the file; the stored name is random (see `Company.logo`'s upload_to).
"""

import io
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 16_000_000
# Logos are shown at 192 px at most; a larger stored copy only costs bytes.
STORED_LOGO_SIZE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
ACCEPTED_FORMATS_TEXT = "PNG, JPEG, WebP or GIF"


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
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            f"Upload a {ACCEPTED_FORMATS_TEXT} image; this file is not one of those "
            "(SVG and other formats are not accepted).",
            code="logo_format",
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
        clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.thumbnail((STORED_LOGO_SIZE, STORED_LOGO_SIZE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return SimpleUploadedFile("logo.png", output.getvalue(), content_type="image/png")


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
