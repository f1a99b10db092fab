"""Demo-like content for the public pages' tests: enough skills, companies and postings
that a query made once per card, per skill or per company would show in a query count."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from companies.models import Company
from postings.models import Posting
from skills.models import Skill
from tests import factories


@dataclass
class Site:
    skills: list[Skill]
    companies: list[Company]
    live: list[Posting]
    hidden: dict[str, Posting] = field(default_factory=dict)  # draft, future, closed, expired


def build_site(*, skills: int = 6, companies: int = 6, live: int = 30) -> Site:
    """Skills with published guides, companies, live postings tagged with two skills each
    (newest first in `live`), and one hidden posting of each kind on the first skill."""
    now = timezone.now()
    skill_list = [
        factories.SkillFactory(name=f"Guide skill {i}", slug=f"guide-skill-{i}")
        for i in range(skills)
    ]
    for skill in skill_list:
        factories.SkillGuideFactory(skill=skill)
    company_list = [
        factories.CompanyFactory(name=f"Hiring Company {i}", slug=f"hiring-company-{i}")
        for i in range(companies)
    ]
    postings = [
        factories.LivePostingFactory(
            title=f"Live role {i}",
            slug=f"live-role-{i}",
            company=company_list[i % companies],
            skills=[skill_list[i % skills], skill_list[(i + 1) % skills]],
            published_at=now - timedelta(hours=i + 1),
        )
        for i in range(live)
    ]
    first_skill, first_company = skill_list[0], company_list[0]
    hidden = {
        "draft": factories.PostingFactory(title="Hidden draft role"),
        "future": factories.FuturePostingFactory(title="Hidden future role"),
        "closed": factories.ClosedPostingFactory(title="Hidden closed role"),
        "expired": factories.ExpiredPostingFactory(title="Hidden expired role"),
    }
    for posting in hidden.values():
        posting.company = first_company
        posting.save()
        posting.skills.add(first_skill)
    return Site(skills=skill_list, companies=company_list, live=postings, hidden=hidden)


HIDDEN_TITLES = [
    "Hidden draft role",
    "Hidden future role",
    "Hidden closed role",
    "Hidden expired role",
]


def cards(html: str) -> list[str]:
    """The posting cards of a page, as HTML fragments."""
    return html.split('<article class="card">')[1:]
