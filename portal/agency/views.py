"""Agency staff's pages for their own entity; administrators may see any entity's."""

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.access import require
from portal.accounts.models import Role, User
from portal.agency.queries import entity_overview
from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_by_reference
from portal.db import db

blueprint = Blueprint("agency", __name__, url_prefix="/entidad")


def may_act_for_entity(user: User, view_args: dict) -> bool:
    """Approved staff for their own entity (and /entidad itself); administrators for any."""
    if user.role == Role.ADMIN:
        return True
    if not user.is_approved_staff:
        return False
    return view_args.get("buyer_id", user.buyer_id) == user.buyer_id


require(blueprint, may_act_for_entity)


@blueprint.get("")
def own():
    """Staff land on their entity; an administrator (bound to none) names the one to open."""
    if current_user.buyer_id is not None:
        return redirect(url_for("agency.entity", buyer_id=current_user.buyer_id))
    reference = request.args.get("entidad", "").strip()
    if reference:
        buyer = buyer_by_reference(db.session, reference)
        if buyer is not None:
            return redirect(url_for("agency.entity", buyer_id=buyer.id))
    return render_template("agency/choose.html", reference=reference)


@blueprint.get("/<int(max=2147483647):buyer_id>")
def entity(buyer_id: int):
    buyer = db.session.get(Buyer, buyer_id)
    if buyer is None:
        abort(404)
    overview = entity_overview(db.session, buyer, datetime.now(UTC))
    return render_template("agency/entity.html", overview=overview, buyer=buyer)
