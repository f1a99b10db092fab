"""404 and 500 pages in the site's look."""

import pytest
from django.template import loader
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_404_page_is_in_the_site_look(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'class="site-header"' in html and 'href="#main"' in html
    assert 'action="/jobs/"' in html  # a way on: search the openings


def test_500_page_renders_without_context_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in html
    assert "css/site.css" in html


def test_500_view_uses_the_template(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_an_unhandled_error_shows_the_500_page(client, monkeypatch):
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("jobboard.views.HomeView.get_context_data", broken)
    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
