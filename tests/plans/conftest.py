from account_factories import make_user  # noqa: F401  (fixtures)
from factories import make_buyer, make_opportunity, make_plan  # noqa: F401  (fixtures)
from plan_factories import make_version  # noqa: F401  (fixtures)
