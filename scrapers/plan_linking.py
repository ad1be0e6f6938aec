"""Links a call to the PAC line it fulfils, so a plan line becomes an early notice of the call.

A link needs the same buyer, the fiscal year of publication, the same UNSPSC class (6 digits)
or commodity (8 digits), and a call that mentions most of the line's accent-folded words. The rule
that matched is stored with the link, so a wrong link can be explained and undone, and so is the
date the line was first published, so the notice the plan gave can be measured.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.opportunities.models import Opportunity
from portal.plans.models import AnnualPlan, PlanLine

DESCRIPTION_THRESHOLD = 0.6
PLAN_TIMEZONE = ZoneInfo("America/Lima")
CLASSIFIED_SCHEMES = ("UNSPSC", "CUBSO")
STOPWORDS = frozenset(
    "para por con del las los una uno unos unas que sus the and for de la el en y a o al "
    "adquisicion contratacion servicio servicios suministro compra bienes".split()
)
WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class PlanLink:
    line_id: int
    reference_number: str
    rule: str


@dataclass(frozen=True)
class PlanCandidates:
    """What linking needs of one entity's plan for one year: the newest version's lines, and
    when each reference number first appeared in any version (the notice it gave)."""

    lines: list[PlanLine]
    first_published: dict[str, datetime]


def fold_words(text: str) -> frozenset[str]:
    """Lower-case, accent-free words of three letters or more, without the usual filler."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return frozenset(
        word for word in WORD.findall(ascii_text) if len(word) >= 3 and word not in STOPWORDS
    )


def description_coverage(line_description: str, call_text: str) -> float:
    """Share of the plan line's folded words the call mentions: 1.0 all, 0.0 none.

    A PAC line is a short synthesis ("Adquisición de cemento y agregados") and the call says
    the same and much more (title, description, lots); a symmetric score such as Dice would
    fall under any threshold for every long call."""
    line_words = fold_words(line_description)
    if not line_words:
        return 0.0
    return len(line_words & fold_words(call_text)) / len(line_words)


def classification_rule(codes: Iterable[str], line_code: str | None) -> str | None:
    """ "unspsc8" when a commodity matches, "unspsc6" when only the class does, else None."""
    if not line_code or len(line_code) < 6:
        return None
    best = None
    for code in codes:
        if len(code) >= 8 and len(line_code) >= 8 and code[:8] == line_code[:8]:
            return "unspsc8"
        if code[:6] == line_code[:6]:
            best = "unspsc6"
    return best


def best_link(
    title: str, description: str, codes: list[str], lines: Iterable[PlanLine]
) -> PlanLink | None:
    """The candidate line with the highest description similarity above the threshold."""
    text = f"{title} {description}"
    best: tuple[float, PlanLine, str] | None = None
    for line in lines:
        rule = classification_rule(codes, line.classification_code)
        if rule is None:
            continue
        score = description_coverage(line.description, text)
        if score >= DESCRIPTION_THRESHOLD and (best is None or score > best[0]):
            best = (score, line, rule)
    if best is None:
        return None
    score, line, rule = best
    return PlanLink(line.id, line.reference_number, f"buyer+year+{rule}+desc{score:.2f}")


def fiscal_year(opportunity: Opportunity) -> int | None:
    if opportunity.published_at is None:
        return None
    return opportunity.published_at.astimezone(PLAN_TIMEZONE).year


def latest_plan_lines(session: Session, buyer_id: int, year: int) -> list[PlanLine]:
    """Lines of the newest version only: an amendment replaces the whole plan."""
    newest = (
        select(func.max(AnnualPlan.version))
        .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year)
        .scalar_subquery()
    )
    plan = session.scalar(
        select(AnnualPlan)
        .where(
            AnnualPlan.buyer_id == buyer_id,
            AnnualPlan.fiscal_year == year,
            AnnualPlan.version == newest,
        )
        .options(selectinload(AnnualPlan.lines))
    )
    return list(plan.lines) if plan else []


def first_published(session: Session, buyer_id: int, year: int) -> dict[str, datetime]:
    """When each reference number was first published: the earliest version holding it, since a
    line repeated by an amendment was already known from the version that first carried it."""
    query = (
        select(PlanLine.reference_number, func.min(AnnualPlan.published_at))
        .join(AnnualPlan, AnnualPlan.id == PlanLine.plan_id)
        .where(AnnualPlan.buyer_id == buyer_id, AnnualPlan.fiscal_year == year)
        .group_by(PlanLine.reference_number)
    )
    return dict(session.execute(query).all())


def plan_candidates(session: Session, buyer_id: int, year: int) -> PlanCandidates:
    return PlanCandidates(
        latest_plan_lines(session, buyer_id, year), first_published(session, buyer_id, year)
    )


def link_opportunities(session: Session, opportunities: Iterable[Opportunity]) -> int:
    """Link each unlinked opportunity to its best plan line, with the date that line was first
    published (`plan_noticed_at`); returns how many were linked."""
    cache: dict[tuple[int, int], PlanCandidates] = {}
    linked = 0
    for opportunity in opportunities:
        year = fiscal_year(opportunity)
        if opportunity.plan_line_id is not None or opportunity.buyer_id is None or year is None:
            continue
        key = (opportunity.buyer_id, year)
        if key not in cache:
            cache[key] = plan_candidates(session, *key)
        codes = [c.code for c in opportunity.classifications if c.scheme in CLASSIFIED_SCHEMES]
        link = best_link(opportunity.title, opportunity.description, codes, cache[key].lines)
        if link is not None:
            opportunity.plan_line_id = link.line_id
            opportunity.plan_link_rule = link.rule
            opportunity.plan_noticed_at = cache[key].first_published[link.reference_number]
            linked += 1
    session.flush()
    return linked


def link_opportunity_ids(session: Session, opportunity_ids: Iterable[int]) -> int:
    ids = list(opportunity_ids)
    if not ids:
        return 0
    found = session.scalars(select(Opportunity).where(Opportunity.id.in_(ids)))
    return link_opportunities(session, list(found))


def link_plan(session: Session, plan: AnnualPlan) -> int:
    """When a plan arrives, try its buyer's unlinked opportunities published in its year."""
    candidates = session.scalars(
        select(Opportunity).where(
            Opportunity.buyer_id == plan.buyer_id,
            Opportunity.plan_line_id.is_(None),
            Opportunity.published_at >= datetime(plan.fiscal_year, 1, 1, tzinfo=PLAN_TIMEZONE),
            Opportunity.published_at < datetime(plan.fiscal_year + 1, 1, 1, tzinfo=PLAN_TIMEZONE),
        )
    )
    return link_opportunities(session, list(candidates))
