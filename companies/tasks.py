from jobboard.tasks import task

from .models import Company


@task
def render_logo(company_id: int) -> bool:
    """Render a company's logo (or monogram) at every size the pages use; False when they
    are current already or the company is gone. Safe twice: it renders what is missing."""
    company = Company.objects.filter(pk=company_id).first()
    return company is not None and company.render_logo_variants()
