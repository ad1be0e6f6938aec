import pytest

from portal.buyers.models import Buyer
from portal.buyers.ruc import is_valid_ruc, ruc_check_digit


@pytest.mark.parametrize(
    "ruc",
    [
        "20131312955",  # SUNAT
        "20100070970",
        "20505208626",
        "20131370645",
        "10468215476",  # a person with business: prefix 10
        "15123456782",  # other persons: prefix 15 (generated, valid check digit)
        "17123456785",  # other persons: prefix 17 (generated, valid check digit)
    ],
)
def test_valid_rucs_are_accepted(ruc):
    assert is_valid_ruc(ruc)


@pytest.mark.parametrize(
    "ruc",
    [
        "20131312956",  # wrong check digit
        "2013131295",  # ten digits
        "201313129555",  # twelve digits
        "2013131295A",
        "30131312955",  # no such prefix
        "16123456789",  # valid check digit, but 16 is not a prefix shared/reference/peru.md lists
        "２０１３１３１２９５５",  # full-width digits are not ASCII digits
        "",
    ],
)
def test_invalid_rucs_are_refused(ruc):
    assert not is_valid_ruc(ruc)


def test_check_digit_maps_ten_to_zero_and_eleven_to_one():
    # remainders 1 and 0 give 11 - r = 10 and 11, which SUNAT writes as 0 and 1
    assert ruc_check_digit("2010000005") == 0  # weighted sum leaves remainder 1
    assert ruc_check_digit("2010000013") == 1  # remainder 0
    assert ruc_check_digit("2013131295") == 5


def test_buyer_refuses_an_invalid_ruc():
    with pytest.raises(ValueError, match="RUC inválido"):
        Buyer(name="Entidad", ruc="20131312956")
