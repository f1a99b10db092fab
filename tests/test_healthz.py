from django.urls import reverse

# No `db` fixture: pytest-django fails any test that touches the database without it,
# so these tests also prove that /healthz never queries.


def test_healthz_answers_ok_without_the_database(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_healthz_goes_through_the_middleware_stack(client):
    response = client.get("/healthz")

    # Set by XFrameOptionsMiddleware and never_cache: the baseline pays for them too.
    assert response["X-Frame-Options"] == "DENY"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
