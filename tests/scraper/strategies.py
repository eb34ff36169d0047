"""Hypothesis strategies the scraper's property tests share."""

from __future__ import annotations

from hypothesis import strategies as st

# Any JSON value, small: what a damaged or hand-edited export may hold anywhere.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
