"""Compras MYPE: the web app, its models, search and command line.

The application factory is `portal.app.create_app`. This package imports nothing itself, so a
parser in a child process can use `portal`'s plain modules without loading Flask.
"""
