"""Chat-style problem solving over persistent threads."""
