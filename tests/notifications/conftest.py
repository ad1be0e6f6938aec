from account_factories import make_user  # noqa: F401  (fixtures)
from factories import make_opportunity  # noqa: F401  (fixtures)
from sending_support import job_context, smtp_sink  # noqa: F401  (fixtures)
