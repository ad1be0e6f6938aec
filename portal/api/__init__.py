"""The read-only JSON API (v1): opportunities and plans, cursor-paged, described by OpenAPI."""
