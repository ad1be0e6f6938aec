"""`portal demo`: a working portal with generated data, fed through the real scrapers."""
