"""`manage.py check --deploy` is clean with the production environment README.md documents."""

import os
import subprocess
import sys

from django.conf import settings

from tests.conftest import PRODUCTION_ENV


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {
        # Nothing from the test run leaks in: not tests.settings, not TESTING.
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "jobboard.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_environment_passes_the_deploy_check_with_zero_warnings():
    result = run_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the documented exception (HSTS preload, see settings.py) is silenced.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_opting_into_hsts_preload_needs_no_silenced_check():
    result = run_check({**PRODUCTION_ENV, "HSTS_PRELOAD": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_does_complain_without_https():
    # The check is not vacuous: plain HTTP is reported.
    result = run_check({**PRODUCTION_ENV, "HTTPS": "0"})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_media_on_object_storage_passes_the_deploy_check_too():
    environment = {"MEDIA_STORAGE": "s3://jobs-media", "MEDIA_URL": "https://media.example.com/"}
    result = run_check({**PRODUCTION_ENV, **environment})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
