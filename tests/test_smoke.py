from portal.reference.models import Department


def test_reference_loaded(session):
    assert session.query(Department).count() == 25
