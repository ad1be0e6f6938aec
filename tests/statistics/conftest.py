import pytest
from account_factories import make_user, signed_in  # noqa: F401  (fixtures)
from data_set import DataSet, build_data_set
from factories import make_buyer, make_opportunity  # noqa: F401  (fixtures)


@pytest.fixture
def data_set(session) -> DataSet:
    """The fixed data set of data_set.py, committed."""
    return build_data_set(session)
