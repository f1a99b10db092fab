from django import template

register = template.Library()


@register.filter
def logo_sources(company, size):
    """`{% with logo=company|logo_sources:48 %}`: see Company.logo_sources."""
    return company.logo_sources(int(size))
