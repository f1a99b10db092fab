import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_png(size=(64, 64), color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("logo.png", make_png(), content_type="image/png")


@pytest.fixture
def skill(db):
    return factories.SkillFactory(name="Backend development", slug="backend-development")


@pytest.fixture
def company(db):
    return factories.CompanyFactory(name="Northwind Bank", slug="northwind-bank")


@pytest.fixture
def live_posting(db, company, skill):
    return factories.LivePostingFactory(company=company, skills=[skill])
