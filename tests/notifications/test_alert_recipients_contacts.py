"""An alert goes to the account's address and to the company profile's contact addresses: one
message, each address once, paused and malformed ones left out, one set of delivery rows for
the user, and links that act for the user. Against a real SMTP server (aiosmtpd)."""

from datetime import timedelta

import pytest
from sending_support import lima_time, plain_text, record_delivery, subscribe
from sqlalchemy import select

from notifications.models import DeliveryAddressState, DeliveryStatus
from notifications.recipients import alert_recipients, contact_addresses, is_sendable
from notifications.sending import send_due
from portal.accounts.models import CompanyProfile
from portal.accounts.operations import AccountError
from portal.accounts.profile import parse_contact_emails
from portal.accounts.tokens import Purpose, read_token

NOON = lima_time(12)
RUC = "20601234565"


def send(session, now=NOON):
    tally = send_due(session, now, digest=False, sender_name="contacts-test")
    session.expire_all()
    return tally


def company(session, user, contact_emails: str) -> CompanyProfile:
    profile = CompanyProfile(
        user_id=user.id, ruc=RUC, name="Ferretería Los Andes S.A.C.", contact_emails=contact_emails
    )
    session.add(profile)
    session.commit()
    return profile


def pause(session, address: str) -> None:
    session.add(DeliveryAddressState(email=address, reason="3 hard failures"))
    session.commit()


def recipients_of(message) -> list[str]:
    return [address.addr_spec for address in message["To"].addresses]


def test_recipients_are_the_account_then_each_contact_once_without_paused_or_malformed():
    contacts = contact_addresses(
        "ventas@andes.pe\n VENTAS@Andes.pe ; jefe@andes.pe, gerencia@andes.pe\n\n"
        'cuenta@andes.pe\nsin arroba\n"Ana" <ana@andes.pe>\nnoé@andes.pe\nlucía@andes'
    )
    assert alert_recipients("cuenta@andes.pe", contacts, {"gerencia@andes.pe"}) == [
        "cuenta@andes.pe",
        "ventas@andes.pe",
        "jefe@andes.pe",
    ]
    assert alert_recipients("cuenta@andes.pe", [], {"cuenta@andes.pe"}) == []


@pytest.mark.parametrize(
    "address",
    [
        "a@b.pe",
        "compras.mype+alertas@municipalidad-lima.gob.pe",
        "o'brien@ejemplo.com",
    ],
)
def test_plain_addresses_are_sendable(address):
    assert is_sendable(address)


@pytest.mark.parametrize(
    "address",
    [
        "a@b",
        "a b@c.pe",
        "a,b@c.pe",
        "<a@b.pe>",
        "a@b.pe\nBcc: otro@c.pe",
        "josé@empresa.pe",  # would need SMTPUTF8, and a server without it refuses every copy
        "a@-b.pe",
        ".a@b.pe",
        "a..b@c.pe",
        "x" * 65 + "@b.pe",
    ],
)
def test_addresses_that_would_break_the_header_or_the_message_are_not(address):
    assert not is_sendable(address)


def test_the_profile_form_refuses_a_contact_address_alerts_could_not_reach():
    assert parse_contact_emails("Ventas@Andes.pe\nventas@andes.pe") == ["ventas@andes.pe"]
    with pytest.raises(AccountError, match="josé@andes.pe"):
        parse_contact_emails("ventas@andes.pe\njosé@andes.pe")


def test_one_message_reaches_the_account_and_every_contact_with_one_row_per_delivery(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="cuenta@andes.pe")
    company(
        session,
        user,
        "ventas@andes.pe\nVentas@andes.pe\ncuenta@andes.pe\nmal correo\njefe@andes.pe\n"
        "pausado@andes.pe",
    )
    pause(session, "pausado@andes.pe")
    subscription = subscribe(session, user)
    first, second = make_opportunity(), make_opportunity()
    deliveries = [record_delivery(session, subscription, opp) for opp in (first, second)]

    tally = send(session)

    assert (tally.messages, tally.sent, tally.skipped) == (1, 2, 0)
    [message] = smtp_sink.messages
    expected = ["cuenta@andes.pe", "ventas@andes.pe", "jefe@andes.pe"]
    assert recipients_of(message) == expected
    assert smtp_sink.recipients_tried == expected  # the envelope: each address once
    assert first.title in plain_text(message) and second.title in plain_text(message)
    for delivery in deliveries:
        assert delivery.status == DeliveryStatus.SENT and delivery.last_error is None
        assert delivery.message_id == message["Message-ID"]
    # Whoever of them unsubscribes acts for the user: the one-click token names the account.
    token = message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    assert read_token(Purpose.STOP_ALERTS, token, NOON) == {"user": user.id}
    assert send(session).claimed == 0 and len(smtp_sink.messages) == 1


def test_a_paused_account_address_still_lets_the_contacts_hear(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="rebota@andes.pe")
    company(session, user, "ventas@andes.pe")
    pause(session, "rebota@andes.pe")
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())

    assert send(session).messages == 1

    [message] = smtp_sink.messages
    assert recipients_of(message) == ["ventas@andes.pe"]
    assert delivery.status == DeliveryStatus.SENT


def test_without_any_address_left_the_row_is_skipped_and_says_why(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="rebota@andes.pe")
    company(session, user, "tambien-rebota@andes.pe\nno es correo")
    for address in ("rebota@andes.pe", "tambien-rebota@andes.pe"):
        pause(session, address)
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())

    assert send(session).skipped == 1

    assert delivery.status == DeliveryStatus.SKIPPED and "paused" in delivery.last_error
    assert smtp_sink.recipients_tried == []


def test_a_contact_refused_for_good_is_noted_and_paused_at_the_third_message_the_others_get(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="cuenta@andes.pe")
    company(session, user, "ya-no-existe@andes.pe\nventas@andes.pe")
    subscription = subscribe(session, user)
    smtp_sink.replies["ya-no-existe@andes.pe"] = ["550 5.1.1 Buzón inexistente"] * 3
    sent = []
    for attempt in range(3):
        sent.append(record_delivery(session, subscription, make_opportunity()))
        tally = send(session, now=NOON + timedelta(minutes=attempt))
        assert (tally.messages, tally.failed) == (1, 0)
        assert tally.paused_addresses == (attempt == 2)

    assert all(row.status == DeliveryStatus.SENT for row in sent)
    assert all(
        row.last_error
        == "refused by some recipients: <ya-no-existe@andes.pe> 550 5.1.1 Buzón inexistente"
        for row in sent
    )
    assert [recipients_of(message) for message in smtp_sink.messages] == [
        ["cuenta@andes.pe", "ya-no-existe@andes.pe", "ventas@andes.pe"]
    ] * 3
    [paused] = session.scalars(select(DeliveryAddressState)).all()
    assert paused.email == "ya-no-existe@andes.pe" and "550 5.1.1" in paused.reason

    record_delivery(session, subscription, make_opportunity())
    assert send(session, now=NOON + timedelta(minutes=5)).messages == 1
    assert recipients_of(smtp_sink.messages[-1]) == ["cuenta@andes.pe", "ventas@andes.pe"]


def test_a_temporary_refusal_of_one_contact_does_not_hold_back_the_message(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="cuenta@andes.pe")
    company(session, user, "lleno@andes.pe")
    smtp_sink.replies["lleno@andes.pe"] = ["452 4.2.2 Buzón lleno"]
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())

    assert send(session).messages == 1

    assert delivery.status == DeliveryStatus.SENT and delivery.last_error is None
    assert session.scalars(select(DeliveryAddressState)).all() == []


def test_a_message_every_recipient_refuses_fails_naming_each_and_counts_for_each(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="cuenta@andes.pe")
    company(session, user, "ventas@andes.pe")
    subscription = subscribe(session, user)
    smtp_sink.replies["cuenta@andes.pe"] = ["550 5.1.1 No existe"] * 3
    smtp_sink.replies["ventas@andes.pe"] = ["551 5.1.6 Se mudó"] * 3
    failed = []
    for attempt in range(3):
        failed.append(record_delivery(session, subscription, make_opportunity()))
        assert send(session, now=NOON + timedelta(minutes=attempt)).failed == 1

    assert {row.last_error for row in failed} == {
        "permanent: <cuenta@andes.pe> 550 5.1.1 No existe; <ventas@andes.pe> 551 5.1.6 Se mudó"
    }
    paused = session.scalars(select(DeliveryAddressState.email)).all()
    assert sorted(paused) == ["cuenta@andes.pe", "ventas@andes.pe"]
    assert smtp_sink.messages == []


def test_a_mixed_refusal_of_every_recipient_is_retried_later(
    session, make_user, make_opportunity, smtp_sink
):
    user = make_user(email="cuenta@andes.pe")
    company(session, user, "ventas@andes.pe")
    smtp_sink.replies["cuenta@andes.pe"] = ["451 4.3.0 Inténtelo más tarde"]
    smtp_sink.replies["ventas@andes.pe"] = ["550 5.1.1 No existe"]
    delivery = record_delivery(session, subscribe(session, user), make_opportunity())

    assert send(session).retried == 1

    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "451 4.3.0" in delivery.last_error and "550 5.1.1" in delivery.last_error
