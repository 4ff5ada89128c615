"""The proposer (`thoracic-kg propose`): a department's description read into proposals a curator reviews.

`propose(text, department=..., source_name=...)` gives one rdflib Graph of kg:Proposal nodes (entities the
vocabulary knows, relations with the status a curator would give, new conditions with WHO ICD-10 codes, new
procedure-like phrases, figures with their bounds and periods, probable slips), each with its evidence span,
what found it and a confidence; `to_turtle(graph)` writes it as deterministic Turtle. A proposal never enters the
served graph: the build refuses it (graph.claims.check_no_proposals). Imports rdflib; nothing of `api`.
"""

from graph.propose.assemble import KINDS, default_lexicon, department_base, proposals_in, propose
from graph.propose.files import Proposals, check_turtle, proposals_for
from graph.propose.turtle import to_turtle

__all__ = ["KINDS", "Proposals", "check_turtle", "default_lexicon", "department_base", "proposals_for", "proposals_in",
           "propose", "to_turtle"]
