"""Time `import_content` on a large generated file, and print a table.

    .venv/bin/python benchmarks/import_content.py                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobboard \\
        .venv/bin/python benchmarks/import_content.py --postings 10000  # PostgreSQL

Runs against a throwaway test database (Django's `test_` prefix, created and dropped
here) and a temporary MEDIA_ROOT: your data is never touched. The generated folder holds
content.json and one logo per company that has one; postings have realistic, distinct
Markdown descriptions (rendering them is part of the cost being measured).

Steps: a dry run and an import into the empty database; the same file again (all
unchanged); a file where every posting changed (title and skills: all updated); export.
"""

import argparse
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

WORDS = [
    "build", "run", "scale", "design", "review", "ship", "measure", "improve", "services",
    "APIs", "data", "pipelines", "customers", "teams", "product", "platform", "reliability",
    "latency", "queues", "caches", "databases", "tests", "deployments", "incidents",
    "observability", "security", "privacy", "documentation", "mentoring",
]  # fmt: skip
CITIES = [("Amsterdam, Netherlands", "NL"), ("Berlin, Germany", "DE"), ("Lyon, France", "FR"),
          ("Lisbon, Portugal", "PT"), ("Warsaw, Poland", "PL"), ("", "")]  # fmt: skip


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def description(rng: random.Random, n: int) -> str:
    bullets = "\n".join(f"- **{rng.choice(WORDS)}** {paragraph(rng, 6)}" for _ in range(5))
    return (
        f"## About the role {n}\n\n{paragraph(rng, 60)}\n\n"
        f"## What you will do\n\n{bullets}\n\n## About you\n\n{paragraph(rng, 40)}\n"
    )


def logo(rng: random.Random) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    colour = tuple(rng.randrange(256) for _ in range(3))
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def generate(
    folder: Path, *, postings: int, companies: int, skills: int, logos: int, short: bool = False
) -> None:
    rng = random.Random(4)
    (folder / "logos").mkdir(parents=True)
    skill_slugs = [f"skill-{i}" for i in range(skills)]
    data = {
        "format": "jobboard-content",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00Z",
        "skills": [
            {"slug": slug, "name": f"Skill {i}", "description": paragraph(rng, 8)}
            for i, slug in enumerate(skill_slugs)
        ],
        "guides": [
            {
                "skill": slug,
                "title": f"Mastering skill {i}",
                "lede": paragraph(rng, 30),
                "body": "\n\n".join(description(rng, j) for j in range(4)),
                "meta_description": "",
                "is_published": True,
                "published_at": "2025-12-01T09:00:00Z",
            }
            for i, slug in enumerate(skill_slugs)
        ],
        "companies": [],
        "postings": [],
    }
    for i in range(companies):
        name = f"logos/company-{i}.png" if i < logos else None
        if name:
            (folder / name).write_bytes(logo(rng))
        data["companies"].append(
            {"slug": f"company-{i}", "name": f"Company {i}", "website": f"https://c{i}.example",
             "description": paragraph(rng, 20), "headquarters": "Berlin, Germany", "logo": name}
        )  # fmt: skip
    for i in range(postings):
        low = rng.randrange(40, 120) * 1000
        city, country = rng.choice(CITIES)
        data["postings"].append(
            {
                "slug": f"posting-{i}",
                "company": f"company-{i % companies}",
                "title": f"Backend Engineer {i}",
                "summary": "Short." if short else paragraph(rng, 10)[:200],
                "description": "Short." if short else description(rng, i),
                "skills": rng.sample(skill_slugs, 3),
                "location": city,
                "country": country,
                "remote_policy": rng.choice(["onsite", "hybrid", "remote"]),
                "employment_type": "full-time",
                "seniority": rng.choice(["junior", "mid", "senior", "staff", "lead"]),
                "salary_min": low,
                "salary_max": low + 20000,
                "salary_currency": "EUR",
                "salary_period": "year",
                "apply_url": f"https://c{i % companies}.example/jobs/{i}",
                "apply_email": "",
                "status": "published",
                "published_at": "2025-12-20T09:00:00Z",
                "expires_at": "2099-01-01T00:00:00Z",
            }
        )
    (folder / "content.json").write_text(json.dumps(data))


def change_every_posting(source: Path, target: Path) -> None:
    # Copied, not linked: the importer refuses a file that leads outside its folder.
    shutil.copytree(source / "logos", target / "logos")
    data = json.loads((source / "content.json").read_text())
    for posting in data["postings"]:
        posting["title"] += " (updated)"
        posting["skills"] = posting["skills"][1:]
    (target / "content.json").write_text(json.dumps(data))


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--skills", type=int, default=40)
    parser.add_argument("--logos", type=int, default=None, help="companies with a logo (all)")
    parser.add_argument(
        "--short",
        action="store_true",
        help="one-word summaries and descriptions: the most postings per megabyte, the "
        "slowest dry run per megabyte (what the admin's upload limit is set from)",
    )
    args = parser.parse_args()
    logos = args.companies if args.logos is None else args.logos

    with tempfile.TemporaryDirectory(prefix="jobboard-bench-") as temp:
        temp = Path(temp)
        os.environ["MEDIA_ROOT"] = str(temp / "media")
        django.setup()
        from django.conf import settings
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        from content.exporter import export_content
        from content.importer import import_content

        settings.MEDIA_ROOT = temp / "media"
        started = time.perf_counter()
        generate(
            temp / "v1",
            postings=args.postings,
            companies=args.companies,
            skills=args.skills,
            logos=logos,
            short=args.short,
        )
        change_every_posting(temp / "v1", temp / "v2")
        size = (temp / "v1" / "content.json").stat().st_size / 1024 / 1024
        print(
            f"{connection.vendor}: {args.postings} postings, {args.companies} companies "
            f"({logos} with logos), {args.skills} skills with guides; content.json "
            f"{size:.1f} MB, generated in {time.perf_counter() - started:.1f} s"
        )
        databases = setup_databases(verbosity=0, interactive=False)
        try:
            steps = [
                ("dry run, empty database", lambda: import_content(path=temp / "v1", dry_run=True)),
                ("import, empty database", lambda: import_content(path=temp / "v1")),
                ("same file again", lambda: import_content(path=temp / "v1")),
                ("every posting changed", lambda: import_content(path=temp / "v2")),
                ("export (folder)", lambda: export_content(path=temp / "export")),
            ]
            print(
                f"\n{'step':<26} {'seconds':>8} {'queries':>8}   postings created/updated/unchanged"
            )
            for name, step in steps:
                # Counted, not captured: Django's query log would format every statement
                # with its parameters (megabytes of descriptions), which costs more than
                # some of the steps measured.
                queries = QueryCounter()
                with connection.execute_wrapper(queries):
                    began = time.perf_counter()
                    report = step()
                    seconds = time.perf_counter() - began
                postings = getattr(report, "sections", {}).get("postings")
                outcome = (
                    f"{postings.created}/{postings.updated}/{postings.unchanged}"
                    if postings
                    else f"{report.counts['postings']} exported"
                )
                print(f"{name:<26} {seconds:>8.2f} {queries.count:>8}   {outcome}")
            # The part of a first import no importer can avoid: each new posting's
            # description_html is rendered from its Markdown (jobboard/markdown.py).
            from jobboard.markdown import render_markdown

            texts = [
                p["description"]
                for p in json.loads((temp / "v1/content.json").read_text())["postings"]
            ]
            began = time.perf_counter()
            for text in texts:
                render_markdown(text)
            print(
                f"\n(of the import: rendering {len(texts)} descriptions alone takes "
                f"{time.perf_counter() - began:.2f} s)"
            )
        finally:
            teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
