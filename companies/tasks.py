from jobboard.tasks import task

from .models import Company


@task
def render_logo(company_id: int) -> bool:
    """Render a company's logo (or monogram) at every size the pages use; False when they
    are current already or the company is gone. Safe twice: it renders what is missing."""
    company = Company.objects.filter(pk=company_id).first()
    return company is not None and company.render_logo_variants()


def render_when_stale(sender, instance, raw=False, **kwargs):
    """post_save of a Company (CompaniesConfig.ready()): a company without current sizes
    (new, or a new logo or name: Company.save() cleared them) gets them rendered. Sent
    inside the save's transaction, so the task commits with the row or not at all; an
    edit of other fields renders nothing."""
    if not raw and not instance.logo_variants:
        render_logo.enqueue(instance.pk)
