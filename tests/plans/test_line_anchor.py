"""Line anchors: stable across versions, safe in a URL fragment, never shared by two lines."""

from portal.plans.display import line_anchor


def test_plain_references_keep_their_text():
    assert line_anchor("12") == "linea-12"
    assert line_anchor("LP-001.2026") == "linea-LP-001.2026"


def test_other_characters_are_encoded_so_references_never_collide():
    anchors = {line_anchor(ref) for ref in ("1 2", "1/2", "1_2", "1-2", "1.2", "12", '"><b>')}
    assert len(anchors) == 7
    assert all(set(anchor) <= set("linea-_.0123456789abcdefLPN") for anchor in anchors)
