"""Create N realistic postings, with companies and skills in proportion, fast.

    python manage.py generate_postings --count 1000000

For benchmarks and trying the site at scale; never run it against production data.
On PostgreSQL, postings go in with COPY through a temporary table, from which one
INSERT … SELECT writes them with their search vectors and another their skill links, in
batches of `--batch` postings, one transaction each. Into a (nearly) fresh database —
fewer postings than are coming — the whole load is one transaction instead, which sets
the two tables' secondary indexes and foreign keys aside and rebuilds them from the
loaded rows before it commits: readers of those tables wait for it, and an error rolls
everything back, schema included. Elsewhere it uses bulk_create. Running it again adds N
more: slugs end in the posting's id, and a slug that is somehow taken already gets a
random suffix.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from functools import cache, partial
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

# psycopg's COPY text formatter (private; psycopg is pinned in requirements.txt, and
# build_copy() is covered by every test of this command on PostgreSQL).
from psycopg._copy_base import format_row_text
from psycopg.adapt import Transformer

from companies.models import Company
from jobboard.cache import bump_content_generation
from jobboard.markdown import render_markdown
from postings import exchange_rates, locations, salaries
from postings.models import Posting, search_triggers_off
from skills.models import Skill

POSTINGS_PER_COMPANY = 25

# Roles and the skills that come with them; every posting gets one or two of these and
# a few more drawn by popularity from the whole taxonomy.
ROLES = [
    ("Backend Engineer", ["Backend development", "Python", "PostgreSQL", "APIs"]),
    ("Python Developer", ["Python", "Django", "PostgreSQL", "Backend development"]),
    ("Django Developer", ["Django", "Python", "PostgreSQL", "Backend development"]),
    ("Go Engineer", ["Go", "Backend development", "Kubernetes", "Microservices"]),
    ("Java Developer", ["Java", "Spring", "Backend development", "Microservices"]),
    ("Kotlin Engineer", ["Kotlin", "Android development", "Java"]),
    ("Ruby on Rails Developer", ["Ruby", "Ruby on Rails", "PostgreSQL"]),
    ("Node.js Developer", ["Node.js", "TypeScript", "JavaScript", "Backend development"]),
    ("Frontend Engineer", ["Frontend development", "JavaScript", "TypeScript", "React"]),
    ("React Developer", ["React", "TypeScript", "Frontend development", "CSS"]),
    ("Vue.js Developer", ["Vue.js", "JavaScript", "Frontend development", "CSS"]),
    ("Full-Stack Developer", ["Full-stack development", "JavaScript", "Python", "React"]),
    ("iOS Engineer", ["iOS development", "Swift", "Mobile development"]),
    ("Android Engineer", ["Android development", "Kotlin", "Mobile development"]),
    ("Data Engineer", ["Data engineering", "Python", "SQL", "Apache Spark", "Airflow"]),
    ("Data Scientist", ["Data science", "Python", "Machine learning", "Statistics"]),
    ("Data Analyst", ["Data analysis", "SQL", "Excel", "Tableau"]),
    ("Machine Learning Engineer", ["Machine learning", "Python", "PyTorch", "MLOps"]),
    ("DevOps Engineer", ["DevOps", "Kubernetes", "Terraform", "AWS", "CI/CD"]),
    ("Site Reliability Engineer", ["Site reliability", "Kubernetes", "Linux", "Go"]),
    ("Cloud Architect", ["Cloud architecture", "AWS", "Azure", "Terraform"]),
    ("Security Engineer", ["Security engineering", "Linux", "Networking", "Python"]),
    ("Database Administrator", ["PostgreSQL", "MySQL", "SQL", "Linux"]),
    ("QA Engineer", ["Quality assurance", "Test automation", "Selenium", "Python"]),
    ("Embedded Software Engineer", ["Embedded systems", "C", "C++", "Linux"]),
    ("Game Developer", ["Game development", "C++", "Unity", "C#"]),
    (".NET Developer", ["C#", ".NET", "Azure", "SQL Server"]),
    ("PHP Developer", ["PHP", "Laravel", "MySQL", "Backend development"]),
    ("Rust Engineer", ["Rust", "Systems programming", "Linux", "Backend development"]),
    ("Scala Engineer", ["Scala", "Apache Spark", "Functional programming", "Kafka"]),
    ("Product Designer", ["Product design", "UX design", "Figma", "User research"]),
    ("UX Researcher", ["User research", "UX design", "Usability testing"]),
    ("Product Manager", ["Product management", "Agile", "Roadmapping"]),
    ("Engineering Manager", ["Engineering management", "Agile", "Hiring"]),
    ("Technical Writer", ["Technical writing", "Documentation", "APIs"]),
    ("Solutions Architect", ["Solutions architecture", "Cloud architecture", "APIs"]),
    ("Network Engineer", ["Networking", "Linux", "Cisco"]),
    ("Blockchain Developer", ["Blockchain", "Solidity", "Rust"]),
    ("Salesforce Developer", ["Salesforce", "Apex", "JavaScript"]),
    ("SAP Consultant", ["SAP", "ABAP", "ERP"]),
]
EXTRA_SKILLS = [
    "Git", "Docker", "GraphQL", "REST", "Redis", "Elasticsearch", "RabbitMQ", "Kafka",
    "Google Cloud", "Serverless", "Microservices", "Distributed systems", "Observability",
    "Prometheus", "Grafana", "Ansible", "Nginx", "Bash", "Tailwind CSS", "Next.js",
    "Angular", "Svelte", "Webpack", "Accessibility", "Performance", "Pandas", "NumPy",
    "TensorFlow", "Computer vision", "Natural language processing", "Snowflake", "dbt",
    "Looker", "Power BI", "Communication", "Mentoring", "Scrum", "Jira", "English", "German",
    "French", "Spanish", "Dutch", "Payments", "Fintech", "E-commerce", "Healthcare", "SaaS",
]  # fmt: skip

SENIORITIES = [
    # (seniority, title prefix, weight, salary floor in thousands)
    (Posting.Seniority.JUNIOR, "Junior", 15, 35),
    (Posting.Seniority.MID, "", 35, 55),
    (Posting.Seniority.SENIOR, "Senior", 30, 75),
    (Posting.Seniority.STAFF, "Staff", 8, 100),
    (Posting.Seniority.LEAD, "Lead", 12, 90),
]
REMOTE = [
    (Posting.RemotePolicy.REMOTE, 35),
    (Posting.RemotePolicy.HYBRID, 40),
    (Posting.RemotePolicy.ONSITE, 25),
]
EMPLOYMENT = [
    (Posting.EmploymentType.FULL_TIME, 80),
    (Posting.EmploymentType.CONTRACT, 9),
    (Posting.EmploymentType.PART_TIME, 7),
    (Posting.EmploymentType.INTERNSHIP, 4),
]
PLACES = [
    # (location, country, currency, salary factor)
    ("Amsterdam, Netherlands", "NL", "EUR", 1.0), ("Rotterdam, Netherlands", "NL", "EUR", 0.95),
    ("Berlin, Germany", "DE", "EUR", 1.0), ("Munich, Germany", "DE", "EUR", 1.1),
    ("Hamburg, Germany", "DE", "EUR", 1.0), ("Paris, France", "FR", "EUR", 0.95),
    ("Lyon, France", "FR", "EUR", 0.85), ("Madrid, Spain", "ES", "EUR", 0.75),
    ("Barcelona, Spain", "ES", "EUR", 0.75), ("Lisbon, Portugal", "PT", "EUR", 0.65),
    ("Dublin, Ireland", "IE", "EUR", 1.1), ("Vienna, Austria", "AT", "EUR", 0.95),
    ("Zurich, Switzerland", "CH", "CHF", 1.6), ("Stockholm, Sweden", "SE", "SEK", 11.0),
    ("Copenhagen, Denmark", "DK", "DKK", 8.0), ("Warsaw, Poland", "PL", "PLN", 3.0),
    ("London, United Kingdom", "GB", "GBP", 0.95), ("Manchester, United Kingdom", "GB", "GBP", 0.8),
    ("Edinburgh, United Kingdom", "GB", "GBP", 0.8), ("New York, United States", "US", "USD", 1.6),
    ("San Francisco, United States", "US", "USD", 1.8), ("Austin, United States", "US", "USD", 1.4),
    ("Toronto, Canada", "CA", "CAD", 1.4), ("Sydney, Australia", "AU", "AUD", 1.6),
]  # fmt: skip
# States and provinces of the places above, where pay-transparency rules apply.
PLACE_REGIONS = {"New York": "US-NY", "San Francisco": "US-CA", "Austin": "US-TX",
                 "Toronto": "CA-ON"}  # fmt: skip
# Where remote hires may live (postings.locations areas), by share of remote postings,
# each with a range of UTC offsets in minutes that some of them also state.
REMOTE_AREAS = [
    ("", 15, None), ("EU", 18, (-60, 180)), ("EUROPE", 12, (-60, 180)), ("EEA", 4, (0, 120)),
    ("US", 14, (-600, -240)), ("NORTH-AMERICA", 7, (-480, -180)), ("AMERICAS", 4, (-600, -120)),
    ("LATIN-AMERICA", 3, (-360, -120)), ("APAC", 6, (330, 720)), ("EMEA", 4, (-60, 240)),
    ("ANYWHERE", 7, None), ("GB IE", 3, (0, 60)), ("DE AT CH", 3, (60, 120)),
]  # fmt: skip
SUMMARIES = [
    "Build and run the services behind our product.",
    "Join a small team shipping features customers love.",
    "Help us scale a platform used by millions every day.",
    "Own features end to end, from idea to production.",
    "Shape the technical direction of a growing product.",
    "Work on hard problems with kind, experienced colleagues.",
    "Make our product faster, safer and easier to use.",
    "Turn data into decisions for teams across the company.",
    "Improve the tools our engineers use every day.",
    "Design systems that stay up when it matters most.",
    "Bring your experience to a mission-driven team.",
    "Grow with us as we expand to new markets.",
]
INTROS = [
    "We are looking for someone who enjoys building reliable software with a small, "
    "autonomous team. You will work closely with product and design, and you will have "
    "a real say in what we build next.",
    "Our platform handles thousands of requests a second, and it keeps growing. You will "
    "help us keep it fast and dependable while we add features our customers ask for.",
    "You will join a cross-functional team that owns its services from the first sketch "
    "to production monitoring. We value clear writing, careful reviews and steady progress.",
    "We are a profitable company with a sustainable pace. We hire people who like to "
    "learn, share what they know and take responsibility for their work.",
    "This is a new team with a clear mandate. You will help set its practices, choose its "
    "tools and deliver its first releases.",
    "We build software for people who rely on it every day. Quality, accessibility and "
    "performance matter to us as much as new features.",
    "You will work on a mature product with a loyal customer base, modernising its "
    "architecture one careful step at a time.",
    "We are remote-friendly and asynchronous by default, with a few days together in "
    "person every quarter.",
]
DUTIES = [
    ["Design, build and maintain services and APIs", "Review code and mentor colleagues",
     "Take part in a fair on-call rotation"],
    ["Ship features in small, well-tested increments", "Improve observability and alerting",
     "Write clear technical documentation"],
    ["Work with product managers to refine requirements", "Keep dependencies current",
     "Find and fix performance bottlenecks"],
    ["Build data pipelines and reports", "Model data for analysis and search",
     "Automate repetitive work"],
    ["Lead technical design discussions", "Break large projects into milestones",
     "Help hire and onboard new team members"],
    ["Improve our continuous integration and deployment", "Harden our infrastructure",
     "Share knowledge in demos and write-ups"],
]  # fmt: skip
REQUIREMENTS = [
    ["Several years of professional experience in a similar role",
     "Comfort with code review and pair programming", "Clear written English"],
    ["Experience running software in production", "Curiosity about how things work",
     "A habit of writing tests first"],
    ["A portfolio or projects you can show us", "Good judgement about trade-offs",
     "Kindness towards colleagues and users"],
    ["Knowledge of relational databases and SQL", "Experience with cloud infrastructure",
     "Interest in security and privacy"],
    ["Experience mentoring others", "Comfort with ambiguity and changing priorities",
     "The right to work in the country of the role"],
    ["A degree in a related field, or equivalent experience", "Attention to detail",
     "Enthusiasm for learning new tools"],
]  # fmt: skip
OFFERS = [
    "A competitive salary, 28 days of holiday and a learning budget.",
    "Flexible hours, a pension plan and the equipment you choose.",
    "Stock options, parental leave and a yearly team retreat.",
    "Remote work allowance, health insurance and conference tickets.",
    "A four-day week option after six months, and generous sick leave.",
]
COMPANY_WORDS = (  # noqa: SIM905 (a paragraph of words reads better than a list)
    "North South East West Blue Green Red Silver Golden Bright Clear Swift Quiet Bold Open "
    "Iron Stone River Lake Harbor Summit Valley Forest Cedar Maple Oak Pine Birch Willow Aspen "
    "Falcon Heron Otter Fox Wolf Lynx Orca Raven Sparrow Comet Nova Orbit Pulse Signal Vector "
    "Quantum Pixel Atlas Beacon Bridge Compass Harbour Lantern Meridian Prism Spark Tidal "
    "Vertex Zenith Ember Granite Juniper Kestrel Lumen Mosaic Nimbus Onyx Polar Saffron"
).split()
COMPANY_KINDS = (  # noqa: SIM905
    "Labs Systems Software Analytics Health Bank Logistics Energy Robotics Media Games "
    "Security Cloud Payments Insurance Mobility Foods Retail Studios Networks Works"
).split()
COMPANY_SUFFIXES = ["", "", "", " BV", " GmbH", " Ltd", " Inc.", " AG", " SA", " & Co"]

STATUSES = [
    # (state, weight): live, expired, closed and draft postings as a long-running board has.
    ("live", 85),
    ("expired", 8),
    ("closed", 4),
    ("draft", 3),
]

COLUMNS = [
    "id", "company_id", "title", "slug", "summary",
    "location", "country", "remote_policy", "employment_type", "seniority", "salary_min",
    "salary_max", "salary_currency", "salary_period", "apply_url", "apply_email", "status",
    "published_at", "expires_at", "created_at", "updated_at", "reference_salary_min",
    "reference_salary_max", "city", "region", "remote_from", "remote_areas",
    "remote_utc_offset_min", "remote_utc_offset_max",
    "apply_by", "apply_by_timezone", "confirmed_at",  # deadline_and_confirmation()
]  # fmt: skip

# Deadlines and freshness: the zone an employer in each country names its deadline in.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "AU": "Australia/Sydney", "CA": "America/Toronto",
    "CH": "Europe/Zurich", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen",
    "ES": "Europe/Madrid", "FR": "Europe/Paris", "GB": "Europe/London", "IE": "Europe/Dublin",
    "NL": "Europe/Amsterdam", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "SE": "Europe/Stockholm", "US": "America/New_York",
}  # fmt: skip
# The share of postings with an application deadline.
DEADLINE_SHARE = 0.2


# Descriptions are combinations of a few parts (_description()): each goes to the
# database once per run, with the costly part of its search vector, and postings refer
# to it by key.
CREATE_DESCRIPTIONS = """
    CREATE TEMPORARY TABLE generated_description
        (key int PRIMARY KEY, description text, description_html text, vector tsvector)
"""
DESCRIBE = """
    UPDATE generated_description SET vector = posting_search_body(description)
     WHERE vector IS NULL
"""
# The vector is exactly what the row trigger computes, posting_search_document(): the
# head's parts for the title (A) and the summary (C), of which there are a few hundred,
# are computed once per distinct value, each by posting_search_head() itself with the
# other arguments blank, and concatenated in its order around the part it computes for
# the skills and company (B), which is nearly unique per posting. Concatenation is
# associative and a blank part is an empty vector, so the result is the same vector
# (tests/test_generate_postings.py compares them).
INSERT_POSTINGS = f"""
    WITH title AS MATERIALIZED (
        SELECT title, posting_search_head(title, '', '', '') AS vector
          FROM (SELECT DISTINCT title FROM generated_posting) t
    ), summary AS MATERIALIZED (
        SELECT summary, posting_search_head('', summary, '', '') AS vector
          FROM (SELECT DISTINCT summary FROM generated_posting) s
    )
    INSERT INTO postings_posting
        ({", ".join(COLUMNS)}, description, description_html, skill_ids, search_vector)
    SELECT {", ".join(f"g.{column}" for column in COLUMNS)},
           d.description, d.description_html, g.skill_ids,
           title.vector || posting_search_head('', '', g.company_name, g.skill_names)
           || summary.vector || d.vector
      FROM generated_posting g
      JOIN generated_description d ON d.key = g.description_key
      JOIN title ON title.title = g.title
      JOIN summary ON summary.summary = g.summary
"""  # noqa: S608 (constant column names)
INSERT_LINKS = """
    INSERT INTO postings_posting_skills (posting_id, skill_id)
    SELECT id, unnest(skill_ids) FROM generated_posting
"""
# The same with ids reserved in one step (reserve_ids()), not one nextval() per link.
INSERT_NUMBERED_LINKS = """
    INSERT INTO postings_posting_skills (id, posting_id, skill_id)
    SELECT %s - 1 + row_number() OVER (), posting_id, skill_id
      FROM (SELECT id AS posting_id, unnest(skill_ids) AS skill_id FROM generated_posting) l
"""
# n consecutive ids from a table's sequence: the last of them.
RESERVE_IDS = """
    SELECT setval(pg_get_serial_sequence(%(table)s, 'id'),
                  nextval(pg_get_serial_sequence(%(table)s, 'id')) + %(count)s - 1)
"""
ANALYZE_TABLES = (
    "ANALYZE postings_posting, postings_posting_skills, companies_company, skills_skill"
)
DEDUPLICATE_SLUGS = """
    UPDATE generated_posting g SET slug = g.slug || '-' || substr(md5(random()::text), 1, 8)
     WHERE EXISTS (SELECT 1 FROM postings_posting p WHERE p.slug = g.slug)
"""


# What a fresh load sets aside (load_without_indexes()): the indexes that back no
# constraint (primary keys and unique ones stay: slugs are checked against them) and the
# foreign keys of the tables it writes, each exactly as the database states it.
LOADED_TABLES = ["postings_posting", "postings_posting_skills"]
SECONDARY_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i
     WHERE i.indrelid = ANY(%s::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                      AND k.contype IN ('p', 'u', 'x'))
     ORDER BY i.indexrelid
"""
FOREIGN_KEYS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
      FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY oid
"""
# Rebuilding: sorting for a B-tree or a GIN index in memory instead of in runs on disk.
REBUILD_MEMORY = "1GB"


def _weighted(pairs):
    """(values, cumulative weights) for random.choices."""
    values, weights = zip(*pairs, strict=True)
    return list(values), list(accumulate(weights))


DESCRIPTION_KEYS = len(INTROS) * len(DUTIES) * len(REQUIREMENTS) * len(OFFERS)


@cache
def _description(key: int) -> tuple[str, str]:
    """Markdown and its HTML (as Posting.derive_fields() renders it); about 1,500
    combinations of parts, each rendered once."""
    key, intro = divmod(key, len(INTROS))
    key, duties = divmod(key, len(DUTIES))
    offer, requirements = divmod(key, len(REQUIREMENTS))
    markdown = (
        f"## About the role\n\n{INTROS[intro]}\n\n## What you will do\n\n"
        + "".join(f"- {duty}\n" for duty in DUTIES[duties])
        + "\n## About you\n\n"
        + "".join(f"- {item}\n" for item in REQUIREMENTS[requirements])
        + f"\n## What we offer\n\n{OFFERS[offer]}\n"
    )
    return markdown, render_markdown(markdown).html


class Command(BaseCommand):
    help = "Create N realistic postings with companies and skills in proportion (fast)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Postings to create.")
        parser.add_argument("--batch", type=int, default=50_000, help="Postings per batch.")
        parser.add_argument("--seed", type=int, default=None, help="For repeatable data.")

    def handle(self, *, count, batch, seed, verbosity, **options):
        self.indexes_aside = False
        if count < 1 or batch < 1:
            raise CommandError("--count and --batch must be positive.")
        self.verbosity = verbosity
        self.random = random.Random(seed)
        # Where each new posting falls in the board's history (see build_batch).
        self.count, self.built = count, 0
        # Each posting's compared salary (postings.salaries), as save() would derive it.
        self.salary_rates = exchange_rates.rates_in_force()
        started = time.monotonic()
        step = self.stepper()
        skills = self.ensure_skills()
        companies = self.create_companies(max(3, count // POSTINGS_PER_COMPANY))
        self.log(f"{len(skills)} skills, {len(companies)} new companies")
        step("skills and companies")
        sizes = [min(batch, count - start) for start in range(0, count, batch)]
        if connection.vendor == "postgresql":
            # Python builds the next batch while PostgreSQL writes this one.
            with self.load_without_indexes(count), ThreadPoolExecutor(max_workers=1) as builder:
                self.described = set()
                with connection.cursor() as cursor:
                    cursor.execute("DROP TABLE IF EXISTS pg_temp.generated_description")
                    cursor.execute(CREATE_DESCRIPTIONS)
                build = partial(
                    builder.submit,
                    self.build_copy,
                    companies=companies,
                    skills=skills,
                    adapters=connection.connection,
                )
                upcoming = build(self.allocate_ids(sizes[0]))
                for number in range(len(sizes)):
                    step = self.stepper()
                    data, description_keys = upcoming.result()
                    step("wait for the batch's rows")
                    if number + 1 < len(sizes):
                        upcoming = build(self.allocate_ids(sizes[number + 1]))
                    self.copy_batch(data, description_keys)
                    self.log(
                        f"{sum(sizes[: number + 1]):,} postings, {time.monotonic() - started:.1f} s"
                    )
                with connection.cursor() as cursor:
                    cursor.execute("DROP TABLE generated_description")
            # Fresh statistics, or the planner misjudges the new rows until autovacuum runs.
            step = self.stepper()
            with connection.cursor() as cursor:
                cursor.execute(ANALYZE_TABLES)
            step("analyze")
        else:
            for size in sizes:
                rows = self.build_batch(self.allocate_ids(size), companies, skills)
                self.bulk_create_batch(rows)
        # COPY and bulk_create send no post_save: announce the new postings to the cache.
        bump_content_generation()
        self.stdout.write(
            f"Created {count:,} postings in {time.monotonic() - started:.1f} s.",
            style_func=self.style.SUCCESS,
        )

    def log(self, message):
        if self.verbosity >= 2 or (self.verbosity == 1 and "postings" in message):
            self.stdout.write(message)

    # Skills and companies ------------------------------------------------------------

    def ensure_skills(self) -> list[tuple[int, str, float]]:
        """(id, name, popularity) for the taxonomy; existing skills are reused by name."""
        names = list(dict.fromkeys([n for _, role in ROLES for n in role] + EXTRA_SKILLS))
        taken = set(Skill.objects.values_list("slug", flat=True))
        missing = set(names) - set(
            Skill.objects.filter(name__in=names).values_list("name", flat=True)
        )
        new = []
        for name in names:
            if name in missing:
                slug = slugify(name.replace("++", " plus plus").replace("#", " sharp"))
                slug = slug if slug not in taken else f"{slug}-{len(taken)}"
                taken.add(slug)
                new.append(Skill(name=name, slug=slug))
        Skill.objects.bulk_create(new)
        by_name = dict(Skill.objects.filter(name__in=names).values_list("name", "pk"))
        # Zipf-like popularity in taxonomy order: the first skills are the common ones.
        return [(by_name[name], name, 1 / (rank + 3)) for rank, name in enumerate(names)]

    def create_companies(self, count: int) -> list[tuple[int, str, str]]:
        """(id, name, slug) of `count` new companies."""
        taken = set(Company.objects.values_list("slug", flat=True))
        new = []
        for _ in range(count):
            kind = self.random.choice(COMPANY_KINDS)
            name = (
                f"{self.random.choice(COMPANY_WORDS)} {self.random.choice(COMPANY_WORDS)} "
                f"{kind}{self.random.choice(COMPANY_SUFFIXES)}"
            )
            slug = base = slugify(name)
            while slug in taken:
                slug = f"{base}-{self.random.getrandbits(24):06x}"
            taken.add(slug)
            new.append(
                Company(
                    name=name,
                    slug=slug,
                    website=f"https://{slug}.example",
                    description=f"{name}: {kind.lower()} for customers across Europe.",
                    headquarters=self.random.choice(PLACES)[0],
                )
            )
        created = []
        for start in range(0, len(new), 5000):
            created += Company.objects.bulk_create(new[start : start + 5000])
        if not created or created[0].pk is None:  # a backend without RETURNING
            created = list(Company.objects.filter(slug__in=[c.slug for c in new]))
        return [(c.pk, c.name, c.slug) for c in created]

    # Postings ------------------------------------------------------------------------

    @contextmanager
    def load_without_indexes(self, count: int):
        """Into a database with fewer postings than `count`, one transaction that drops
        the secondary indexes and foreign keys of the posting and link tables, runs the
        load, then recreates them as they were (the same definitions and names).

        Building an index from a million rows sorts them once; keeping it up to date
        inserts a million entries one by one, and a foreign key checks each row at
        commit where adding it back checks them all in one join. Any error, here or in
        the load, rolls the transaction back: DDL is transactional in PostgreSQL, so the
        schema cannot be left without them."""
        self.indexes_aside = False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) >= %s FROM (SELECT FROM postings_posting LIMIT %s) p",
                [count, count],
            )
            if cursor.fetchone()[0]:
                yield
                return
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            step = self.stepper()
            cursor.execute(SECONDARY_INDEXES, [LOADED_TABLES])
            indexes = cursor.fetchall()
            cursor.execute(FOREIGN_KEYS, [LOADED_TABLES])
            foreign_keys = cursor.fetchall()
            try:
                with transaction.atomic():
                    for table, name, _ in foreign_keys:
                        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                    for name, _ in indexes:
                        cursor.execute(f"DROP INDEX {name}")
            except OperationalError as error:
                # Called inside a transaction whose own writes still have deferred
                # checks pending (ObjectInUse), the tables cannot be altered: this
                # load keeps their indexes and keys.
                if getattr(error.__cause__, "sqlstate", None) != "55006":
                    raise
                indexes = foreign_keys = []
            else:
                self.indexes_aside = True
                self.log(f"{len(indexes)} indexes and {len(foreign_keys)} foreign keys set aside")
            step("drop indexes and foreign keys")
            yield
            step = self.stepper()
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_MEMORY}'")
            for name, definition in indexes:
                cursor.execute(definition)
                step(f"index {name}")
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
                step(f"foreign key {name}")
            self.indexes_aside = False
        step("commit")

    def allocate_ids(self, size: int) -> list[int]:
        with connection.cursor() as cursor:
            if self.indexes_aside:
                first = self.reserve_ids(cursor, "postings_posting", size)
                return list(range(first, first + size))
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('postings_posting', 'id')) "
                    "FROM generate_series(1, %s)",
                    [size],
                )
                return [row[0] for row in cursor.fetchall()]
        # SQLite (development only): one writer at a time.
        first = (Posting.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        return list(range(first, first + size))

    def reserve_ids(self, cursor, table: str, count: int) -> int:
        """The first of `count` consecutive new ids of `table`, in one statement.

        nextval() per row costs about 6 µs (200,000 buffer hits per 50,000 ids), serially
        in the thread that talks to the database. A jump of the sequence is only safe
        while this transaction holds the table exclusively (load_without_indexes()):
        anyone else's INSERT waits for the lock before it draws an id."""
        assert self.indexes_aside
        cursor.execute(RESERVE_IDS, {"table": table, "count": count})
        return cursor.fetchone()[0] - count + 1

    def build_copy(self, ids, companies, skills, adapters) -> tuple[bytearray, set[int]]:
        """A batch as COPY text for the temporary table, and its description keys.

        Formatted here, in the builder thread, by psycopg's own COPY formatter with the
        connection's adapters (what copy.write_row() would send): the thread that talks
        to the database only sends it, instead of holding the GIL for a second per batch
        while PostgreSQL waits."""
        rows = self.build_batch(ids, companies, skills)
        transformer = Transformer(adapters)
        data = bytearray()
        for row in rows:
            format_row_text(row, transformer, data)
        return data, {row[-1] for row in rows}

    def build_batch(self, ids, companies, skills):
        rnd = self.random
        now = timezone.now()
        size = len(ids)
        skill_ids = [s[0] for s in skills]
        skill_names = {s[0]: s[1] for s in skills}
        skill_cum = list(accumulate(s[2] for s in skills))
        skill_by_name = {s[1]: s[0] for s in skills}
        role_skills = [[skill_by_name[n] for n in names] for _, names in ROLES]
        seniority = _weighted([(s, s[2]) for s in SENIORITIES])
        remote = _weighted(REMOTE)
        employment = _weighted(EMPLOYMENT)
        status = _weighted(STATUSES)
        statuses = rnd.choices(status[0], cum_weights=status[1], k=size)
        seniorities = rnd.choices(seniority[0], cum_weights=seniority[1], k=size)
        remotes = rnd.choices(remote[0], cum_weights=remote[1], k=size)
        employments = rnd.choices(employment[0], cum_weights=employment[1], k=size)
        areas_weights = list(accumulate(weight for _, weight, _ in REMOTE_AREAS))
        # Per distinct value, not per posting: about 200 titles, 13 sets of areas, salaries
        # in whole thousands.
        title_slug = cache(slugify)
        areas_label = cache(locations.areas_label)
        rates = self.salary_rates
        compared = cache(
            lambda amount, currency: salaries.convert(
                amount, period="year", rate=rates.get(currency)
            )
        )
        rows = []
        # A board's table fills in the order postings arrive, so rows written later were
        # published later: the i-th of `count` postings falls at (i + ½) / count of each
        # state's span of time. Random times in id order would lay the newest postings
        # all over the table, which no real board does and which changes the plans and
        # costs of every newest-first query measured on this data.
        arrivals = [(self.built + i + 0.5) / self.count for i in range(size)]
        self.built += size
        for i, pk in enumerate(ids):
            role = rnd.randrange(len(ROLES))
            level, prefix, _, floor = seniorities[i]
            title = f"{prefix} {ROLES[role][0]}".strip()
            company_id, company_name, company_slug = companies[rnd.randrange(len(companies))]
            slug = f"{title_slug(title)}-{pk}"
            place = PLACES[rnd.randrange(len(PLACES))]
            description_key = rnd.randrange(DESCRIPTION_KEYS)
            chosen = set(rnd.sample(role_skills[role], k=min(2, len(role_skills[role]))))
            chosen.update(rnd.choices(skill_ids, cum_weights=skill_cum, k=rnd.randint(0, 3)))
            if rnd.random() < 0.7:
                base = floor * 1000 * place[3] * rnd.uniform(0.9, 1.3)
                salary_min = int(round(base, -3))
                salary_max = int(round(base * rnd.uniform(1.1, 1.4), -3))
                currency = place[2]
            else:
                salary_min = salary_max = None
                currency = ""
            state = statuses[i]
            if state == "expired":  # published 400 to 100 days ago
                published = now - timedelta(days=400 - 300 * arrivals[i])
                expires = published + timedelta(days=rnd.uniform(30, 60))
            elif state == "draft":
                published = None
                expires = now + timedelta(days=30)
            else:  # live, or closed while live: published 60 days to a minute ago
                published = now - timedelta(seconds=60 + (60 * 86400 - 60) * (1 - arrivals[i]))
                expires = published + timedelta(days=rnd.uniform(90, 120))
            apply_by_email = rnd.random() < 0.1
            # Where: an office for on-site and hybrid roles; areas (and now and then a
            # range of UTC offsets) for remote ones, and for some hybrid ones.
            city, country = place[0].split(", ")[0], place[1]
            areas, offsets = "", None
            if remotes[i] == Posting.RemotePolicy.REMOTE:
                areas, _, offsets = rnd.choices(REMOTE_AREAS, cum_weights=areas_weights)[0]
                city, country = "", ""
                location = f"Remote ({areas_label(areas)})" if areas else "Remote"
            else:
                location = place[0]
                if remotes[i] == Posting.RemotePolicy.HYBRID and rnd.random() < 0.3:
                    areas = place[1]
            if offsets and rnd.random() >= 0.4:
                offsets = None
            rows.append(
                (
                    pk,
                    company_id,
                    title,
                    slug,
                    SUMMARIES[rnd.randrange(len(SUMMARIES))],
                    location,
                    country,
                    remotes[i],
                    employments[i],
                    level,
                    salary_min,
                    salary_max,
                    currency,
                    Posting.SalaryPeriod.YEAR,
                    "" if apply_by_email else f"https://{company_slug}.example/careers/{slug}",
                    f"jobs@{company_slug}.example" if apply_by_email else "",
                    Posting.Status.DRAFT
                    if state == "draft"
                    else Posting.Status.CLOSED
                    if state == "closed"
                    else Posting.Status.PUBLISHED,
                    published,
                    expires,
                    published or now,
                    now,
                    compared(salary_min, currency),
                    compared(salary_max, currency),
                    city,
                    PLACE_REGIONS.get(city, ""),
                    areas,
                    areas.split() or None,
                    offsets[0] if offsets else None,
                    offsets[1] if offsets else None,
                    *self.deadline_and_confirmation(state, published, expires, place[1], now),
                    # Written by the database elsewhere (postings migration 0010).
                    sorted(chosen),
                    # Not columns: what the search vector needs.
                    company_name,
                    " ".join(sorted(skill_names[s] for s in chosen)),
                    description_key,
                )
            )
        return rows

    def deadline_and_confirmation(self, state, published, expires, country, now) -> tuple:
        """(apply_by, apply_by_timezone, confirmed_at) as a board that reconfirms has
        them: live postings confirmed within the last 30 days (never before publication),
        a fifth of postings with a deadline at 17:00 in their country's zone, live ones
        1 to 40 days ahead; others confirmed when published."""
        rnd = self.random
        confirmed = published
        if state == "live":
            confirmed = max(published, now - timedelta(days=rnd.uniform(0, 30)))
        if published is None or rnd.random() >= DEADLINE_SHARE:
            return None, "", confirmed
        zone = COUNTRY_ZONES.get(country, "UTC")
        # Live ones close ahead of now; the others before they expired.
        end = now + timedelta(days=rnd.uniform(1, 40)) if state == "live" else expires
        day = end.astimezone(ZoneInfo(zone)).replace(hour=17, minute=0, second=0, microsecond=0)
        return day, zone, confirmed

    def copy_batch(self, data, description_keys):
        columns = ", ".join(COLUMNS)
        # Triggers stand aside: this transaction writes the vectors (with the same
        # function) and the skill ids itself, once per posting instead of once per link.
        with transaction.atomic(), search_triggers_off(), connection.cursor() as cursor:
            step = self.stepper()
            # Bulk-load settings for this transaction only: new GIN entries collect in the
            # pending list and are merged once per batch (below), far cheaper than one
            # by one; lz4 compresses descriptions and vectors several times faster.
            cursor.execute("SET LOCAL gin_pending_list_limit = '256MB'")
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
            cursor.execute(
                "CREATE TEMPORARY TABLE generated_posting (LIKE postings_posting INCLUDING "
                "DEFAULTS, company_name text, skill_names text, description_key int) "
                "ON COMMIT DROP"
            )
            cursor.execute(
                "ALTER TABLE generated_posting DROP COLUMN search_vector, "
                "DROP COLUMN description, DROP COLUMN description_html"
            )
            with cursor.cursor.copy(
                f"COPY generated_posting ({columns}, skill_ids, company_name, skill_names, "
                "description_key) "
                "FROM STDIN"
            ) as copy:
                copy.write(data)
            new = description_keys - self.described
            with cursor.cursor.copy(
                "COPY generated_description (key, description, description_html) FROM STDIN"
            ) as copy:
                for key in new:
                    copy.write_row((key, *_description(key)))
            cursor.execute(DESCRIBE)
            step("copy to temporary tables")
            # A slug taken by someone else's posting keeps its own, plus a random suffix.
            cursor.execute(DEDUPLICATE_SLUGS)
            step("deduplicate slugs")
            cursor.execute(INSERT_POSTINGS)
            step("insert postings")
            if self.indexes_aside:
                cursor.execute("SELECT sum(cardinality(skill_ids)) FROM generated_posting")
                links = cursor.fetchone()[0] or 0
                if links:
                    first = self.reserve_ids(cursor, "postings_posting_skills", links)
                    cursor.execute(INSERT_NUMBERED_LINKS, [first])
            else:
                cursor.execute(INSERT_LINKS)
            step("insert skill links")
            if not self.indexes_aside:
                # Searches read the pending list sequentially: leave none behind.
                cursor.execute("SELECT gin_clean_pending_list('posting_search_idx')")
                cursor.execute("SELECT gin_clean_pending_list('posting_filters_idx')")
                step("merge GIN pending list")
            # Inside an outer transaction (tests) this is a savepoint, which neither drops
            # the tables nor ends SET LOCAL (search_triggers_off() switches back on leaving).
            cursor.execute("DROP TABLE generated_posting")
        # Only now: a batch rolled back takes its descriptions with it.
        self.described |= new
        # A savepoint's release when the load is one transaction: nothing to check.
        step("release savepoint" if self.indexes_aside else "commit (foreign key checks)")

    def stepper(self):
        """A function that logs the time since its last call, with -v 3."""
        last = time.monotonic()

        def step(name):
            nonlocal last
            now = time.monotonic()
            if self.verbosity >= 3:
                self.stdout.write(f"  {name}: {now - last:.2f} s")
            last = now

        return step

    def bulk_create_batch(self, rows):
        fields = COLUMNS
        with transaction.atomic():
            taken = set(
                Posting.objects.filter(slug__in=[row[3] for row in rows]).values_list(
                    "slug", flat=True
                )
            )
            postings, links = [], []
            Link = Posting.skills.through
            for row in rows:
                values = dict(zip(fields, row[: len(fields)], strict=True))
                if values["slug"] in taken:
                    values["slug"] += f"-{self.random.getrandbits(32):08x}"
                values["description"], values["description_html"] = _description(row[-1])
                postings.append(Posting(**values))
                links += [Link(posting_id=row[0], skill_id=s) for s in row[len(fields)]]
            Posting.objects.bulk_create(postings, batch_size=500)
            Link.objects.bulk_create(links, batch_size=2000)
