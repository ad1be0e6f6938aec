"""The signed links in alert mail: stop every alert, stop one subscription, follow a process.

They work without signing in: the token in the URL names the user and what to act on.
"""
