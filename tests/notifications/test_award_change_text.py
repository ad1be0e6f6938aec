"""How a change of awards reads in an alert: one sentence per award, money as in the mail."""

from notifications.change_text import ChangeText, change_text
from notifications.changes import ALERTED_DETAIL_FIELDS
from portal.opportunities.models import ChangeKind, OpportunityChange

JOINT = (
    '{"award":"A1","supplier":"Constructora Andina S.A.C.","ruc":"20601234565",'
    '"amount":"150000","currency":"PEN","status":"active"},'
    '{"award":"A1","supplier":"Textiles Chavín E.I.R.L.","amount":"150000","currency":"PEN",'
    '"status":"active"}'
)
LOT_2 = '{"award":"A2","supplier":"Rosa Mamani Quispe","currency":"USD","status":"pending"}'
LOT_3 = (
    '{"award":"A3","supplier":"Servicios Misti E.I.R.L.","amount":"12500.5","currency":"USD",'
    '"status":"cancelled"}'
)


def awards_change(old: str | None, new: str | None) -> OpportunityChange:
    return OpportunityChange(
        kind=ChangeKind.DETAILS_CHANGED, field="awards", old_value=old, new_value=new
    )


def test_an_award_is_something_a_follower_is_told_of():
    assert "awards" in ALERTED_DETAIL_FIELDS


def test_a_joint_award_is_one_sentence_naming_every_winner(app, session, make_opportunity):
    change = awards_change(None, f"[{JOINT}]")
    assert change_text(session, change, make_opportunity()) == ChangeText(
        "Adjudicación",
        "—",
        "Adjudicado al consorcio: Constructora Andina S.A.C. (RUC 20601234565), "
        "Textiles Chavín E.I.R.L. — S/ 150,000.00",
    )


def test_each_award_says_its_amount_in_its_currency_and_its_status_unless_in_force(
    app, session, make_opportunity
):
    change = awards_change(f"[{JOINT}]", f"[{LOT_2},{LOT_3}]")
    assert change_text(session, change, make_opportunity()).after == (
        "Adjudicado a Rosa Mamani Quispe (pendiente); "
        "Adjudicado a Servicios Misti E.I.R.L. por USD 12,500.50 (cancelada)"
    )


def test_awards_withdrawn_read_as_none_and_an_odd_value_is_shown_as_recorded(
    app, session, make_opportunity
):
    withdrawn = change_text(session, awards_change(f"[{LOT_2}]", None), make_opportunity())
    assert (withdrawn.before, withdrawn.after) == (
        "Adjudicado a Rosa Mamani Quispe (pendiente)",
        "—",
    )
    odd = change_text(session, awards_change(None, "ganó la buena pro"), make_opportunity())
    assert odd.after == "ganó la buena pro"
