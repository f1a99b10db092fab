"""How the site writes numbers: counts with thousands separators, salaries short.

Django's `intcomma` goes through translation machinery on every call; pages print
hundreds of numbers (cards, snapshots), so these do the few cases the site needs directly.
"""


def thousands(number: int) -> str:
    """12345 → "12,345"."""
    return f"{number:,}"


def short_amount(amount: int) -> str:
    """90000 → "90k"; 92500 → "92.5k"; 1250 → "1,250"."""
    if amount >= 1000 and amount % 1000 == 0:
        return f"{amount // 1000}k"
    if amount >= 10000:
        return f"{amount / 1000:.1f}k".replace(".0k", "k")
    return f"{amount:,}"


def amount_range(low: int | None, high: int | None, write=short_amount) -> tuple[str, str]:
    """A range open at either end, as (its open end's words, its figures): (“”, "90k–120k"),
    ("from ", "90k"), ("up to ", "120k"); equal ends are one figure. Callers put the
    currency around the figures: "EUR up to 120k", "≈ up to €120k"."""
    figures = "–".join(write(a) for a in dict.fromkeys(a for a in (low, high) if a is not None))
    if low is None:
        return "up to ", figures
    return ("from " if high is None else ""), figures
