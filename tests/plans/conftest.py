from factories import make_buyer, make_opportunity, make_plan  # noqa: F401  (fixtures)
