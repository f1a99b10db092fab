import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from companies.logos import LOGO_SIZES, MONOGRAM_HUES, monogram_colours, normalise_logo
from companies.models import Company
from companies.tasks import render_logo
from tests import factories
from tests.conftest import make_png
from tests.factories import RENDER_LOGO
from tests.test_logo_uploads import TALL, WIDE, jpeg_logo, png_logo, tiff_ifd, webp_logo
from tests.worker import queued, run_tasks

pytestmark = pytest.mark.django_db


def stored_image(url: str) -> Image.Image:
    name = url.removeprefix("/media/")
    with default_storage.open(name) as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


def wide_logo() -> SimpleUploadedFile:
    return normalise_logo(
        SimpleUploadedFile("logo.png", make_png(size=(300, 100), color=(200, 20, 20)))
    )


def test_an_uploaded_logo_is_rendered_at_every_size_in_webp_and_png():
    company = factories.CompanyFactory(logo=wide_logo())
    stem = company.logo.name.removesuffix(".png")
    assert company.logo_variants == stem
    for size in LOGO_SIZES:
        webp = stored_image(f"/media/{stem}-{size}.webp")
        png = stored_image(f"/media/{stem}-{size}.png")
        assert (webp.format, webp.size) == ("WEBP", (size, size))
        assert (png.format, png.size) == ("PNG", (size, size))
    # A wide logo is fitted whole, never cropped: transparent above and below, red inside.
    png = stored_image(f"/media/{stem}-192.png").convert("RGBA")
    assert png.getpixel((96, 2))[3] == 0
    assert png.getpixel((96, 96))[:3] == (200, 20, 20)
    assert png.getpixel((2, 96))[:3] == (200, 20, 20)


def test_logo_sources_name_the_rendered_files_with_a_2x_candidate():
    company = factories.CompanyFactory(logo=wide_logo())
    stem = company.logo_variants
    assert company.logo_sources(48) == {
        "webp": f"/media/{stem}-48.webp",
        "png": f"/media/{stem}-48.png",
        "webp_srcset": f"/media/{stem}-48.webp 1x, /media/{stem}-96.webp 2x",
        "png_srcset": f"/media/{stem}-48.png 1x, /media/{stem}-96.png 2x",
        "width": 48,
        "height": 48,
    }
    # The largest size has no larger one to offer; a box between sizes uses the next one up.
    assert company.logo_sources(192)["png_srcset"] == f"/media/{stem}-192.png 1x"
    assert company.logo_sources(64)["webp"] == f"/media/{stem}-96.webp"
    assert company.logo_sources(64)["width"] == 64


def test_logo_sources_touch_neither_the_database_nor_the_storage(
    django_assert_num_queries, monkeypatch
):
    company = Company.objects.get(pk=factories.CompanyFactory(logo=wide_logo()).pk)

    def no_storage_access(*args, **kwargs):
        raise AssertionError("storage accessed while serving a page")

    for method in ("exists", "open", "size", "listdir"):
        monkeypatch.setattr(default_storage, method, no_storage_access)
    with django_assert_num_queries(0):
        assert company.logo_sources(96)["png"].endswith("-96.png")


def test_rendering_happens_once_not_on_every_save(django_assert_num_queries, monkeypatch):
    company = factories.CompanyFactory(logo=wide_logo())
    renders = []
    monkeypatch.setattr("companies.logos.render_logo_variants", lambda **kw: renders.append(kw))
    company.description = "Edited."
    with django_assert_num_queries(1):  # the UPDATE of the row: no task, no rendering
        company.save()
    assert renders == []
    assert queued(RENDER_LOGO) == []


def test_a_new_logo_is_rendered_under_its_own_name():
    company = factories.CompanyFactory(logo=wide_logo())
    old = company.logo_variants
    company.logo = wide_logo()
    company.save()
    assert Company.objects.get(pk=company.pk).logo_variants == ""  # the monogram, meanwhile
    run_tasks()
    company.refresh_from_db()
    assert company.logo_variants != old
    assert company.logo_variants == company.logo.name.removesuffix(".png")
    assert default_storage.exists(f"{company.logo_variants}-96.webp")


def test_a_company_without_a_logo_gets_a_monogram_in_the_same_sizes():
    company = factories.CompanyFactory(name="Northwind Bank")
    background, letters = monogram_colours(company.pk)
    assert company.logo_variants.startswith("logos/monograms/")
    for size in LOGO_SIZES:
        sources = company.logo_sources(size)
        webp, png = stored_image(sources["webp"]), stored_image(sources["png"])
        assert (webp.format, webp.size) == ("WEBP", (size, size))
        assert (png.format, png.size) == ("PNG", (size, size))
        # The page's own monogram colours: a pale square with dark letters in the middle.
        colours = {colour for _, colour in png.convert("RGB").getcolors(size * size)}
        assert png.convert("RGB").getpixel((1, 1)) == background
        assert letters in colours


def test_monograms_use_the_hues_of_the_pages_css():
    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    for index, hue in enumerate(MONOGRAM_HUES):
        assert f".logo--hue-{index} {{ --hue: {hue}; }}" in css


def test_a_renamed_company_gets_a_new_monogram_and_companies_alike_share_one():
    acmes = [
        factories.CompanyFactory(name="Acme Corp", slug=f"acme-{n}")
        for n in range(len(MONOGRAM_HUES) + 1)
    ]
    first, neighbour, same_hue = acmes[0], acmes[1], acmes[-1]
    assert first.logo_variants == same_hue.logo_variants
    assert first.logo_variants != neighbour.logo_variants
    first.name = "Globex"
    first.save()
    run_tasks()
    first.refresh_from_db()
    assert first.logo_variants != same_hue.logo_variants
    assert default_storage.exists(f"{first.logo_variants}-48.png")


def test_clearing_the_logo_falls_back_to_a_monogram():
    company = factories.CompanyFactory(logo=wide_logo())
    company.logo = ""
    company.save()
    run_tasks()
    company.refresh_from_db()
    assert company.logo_variants.startswith("logos/monograms/")


def test_the_admin_upload_renders_the_sizes(admin_client):
    response = admin_client.post(
        "/admin/companies/company/add/",
        {
            "name": "Contoso",
            "slug": "contoso",
            "logo": SimpleUploadedFile("logo.jpg", make_png(size=(80, 80)), "image/png"),
        },
    )
    assert response.status_code == 302
    company = Company.objects.get(slug="contoso")
    assert company.logo_variants == ""  # rendered by a worker, after the request
    assert run_tasks() == 1
    company.refresh_from_db()
    assert company.logo_variants == company.logo.name.removesuffix(".png")
    assert default_storage.exists(f"{company.logo_variants}-192.webp")


def test_render_logos_renders_companies_created_without_save_and_skips_current_ones(capsys):
    current = factories.CompanyFactory()
    # Bulk writers (generate_postings) bypass save(): nothing is rendered for them.
    Company.objects.bulk_create([Company(name="Bulk One", slug="bulk-one")])
    call_command("render_logos")
    assert "Rendered the logo sizes of 1 company; 1 already current." in capsys.readouterr().out
    bulk = Company.objects.get(slug="bulk-one")
    assert default_storage.exists(f"{bulk.logo_variants}-96.png")
    assert Company.objects.get(pk=current.pk).logo_variants == current.logo_variants

    call_command("render_logos", "--force", "bulk-one")
    assert "Rendered the logo sizes of 1 company; 0 already current." in capsys.readouterr().out


def test_render_logos_reports_a_missing_logo_file(capsys):
    company = factories.CompanyFactory(logo=wide_logo())
    default_storage.delete(company.logo.name)
    with pytest.raises(CommandError, match=company.slug):
        call_command("render_logos", "--force")


def test_render_logos_names_unknown_slugs():
    with pytest.raises(CommandError, match="no-such-company"):
        call_command("render_logos", "no-such-company")


# Any EXIF at all: entries of any tag (the ones Pillow knows a type for among them), type,
# count and value, or bytes that are not TIFF; in each format that carries EXIF.
exif_entries = st.lists(
    st.tuples(
        st.one_of(st.sampled_from([0x0112, 0xC635, 0xC65C, 0x8769, 0x8825, 0x010F]),
                  st.integers(0, 0xFFFF)),
        st.integers(0, 20),
        st.one_of(st.integers(0, 8), st.integers(0, 0xFFFFFFFF)),
        st.binary(max_size=12),
    ),
    max_size=6,
)  # fmt: skip
any_exif = st.one_of(exif_entries.map(tiff_ifd), st.binary(max_size=64))
carriers = st.sampled_from([
    lambda exif: jpeg_logo(exif),
    lambda exif: png_logo((b"eXIf", exif)),
    lambda exif: webp_logo(exif=b"Exif\0\0" + exif),
])  # fmt: skip


@given(exif=any_exif, carrier=carriers)
def test_no_exif_makes_normalise_logo_fail_other_than_with_a_message(exif, carrier):
    try:
        stored = normalise_logo(SimpleUploadedFile("logo", carrier(exif))).read()
    except ValidationError:
        return  # refused with a message the admin and the importer show
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size in (WIDE, TALL)) == ("PNG", True)
        assert not image.getexif()


def test_a_logo_is_rendered_by_a_worker_after_the_save_and_pages_show_the_monogram_until_then(
    client,
):
    company = Company.objects.create(name="Acme Rockets", slug="acme-rockets", logo=wide_logo())
    (waiting,) = queued(RENDER_LOGO)
    assert waiting.args_kwargs["args"] == [company.pk]
    assert company.logo_variants == ""
    page = client.get(company.get_absolute_url()).content.decode()
    assert "logo--monogram logo--hue-" in page and ">AR</span>" in page
    assert company.logo.name not in page and "<picture" not in page

    assert run_tasks() == 1
    company.refresh_from_db()
    stem = company.logo.name.removesuffix(".png")
    assert company.logo_variants == stem
    page = client.get(company.get_absolute_url()).content.decode()
    assert f"{stem}-" in page and "<picture" in page and "logo--monogram" not in page

    assert render_logo.enqueue(company.pk) and run_tasks() == 1  # again: nothing to do
    assert DBTaskResult.objects.get(pk=waiting.pk).return_value is True
    assert DBTaskResult.objects.exclude(pk=waiting.pk).get().return_value is False


def test_the_render_task_commits_and_rolls_back_with_the_company():
    with pytest.raises(RuntimeError), transaction.atomic():
        Company.objects.create(name="Gone", slug="gone")
        raise RuntimeError("the rest of the write failed")
    assert queued() == []
    Company.objects.create(name="Kept", slug="kept")
    assert len(queued(RENDER_LOGO)) == 1


def test_a_company_deleted_before_the_worker_came_is_skipped():
    company = Company.objects.create(name="Brief", slug="brief")
    company.delete()
    assert run_tasks() == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
