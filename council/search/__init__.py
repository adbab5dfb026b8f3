"""`council search`: the best protocol for a model, a data set and a budget, proven on
problems the search never saw.

A search is two studies (`council.studies`) over one fixed split of the data: on the
search split every candidate is scored, those that only re-aggregate recorded samples
(self-consistency at any k, a cascade's agreement threshold and escalation) from one pool
per temperature at no model calls; on the held-out split the winner runs beside
self-consistency at the winner's measured tokens, and a paired test says "better", "not
distinguishable" or "worse". Everything (split, space, studies, scores, winner graph file)
is kept in the search directory.
"""
