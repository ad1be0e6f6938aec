from account_factories import make_user, signed_in  # noqa: F401  (fixtures)
from factories import make_buyer, make_opportunity, make_plan  # noqa: F401  (fixtures)
