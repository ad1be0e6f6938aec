"""How fresh each source is: the public /fuentes page and the stale-source banner of searches."""
