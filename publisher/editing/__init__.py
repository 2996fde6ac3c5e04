"""Editing an issue from the admin and the API, free of Flask: the same files, checked, locked, revised.

- ``source``: the content format as editable data and back (revision tags);
- ``checks``: the rules of ``publisher check``, each problem tied to a field;
- ``desk``: the operations (save, create, delete into the trash, arrange, split,
  merge, photos, sections, masthead, new issues, restoring revisions);
- ``diff``: what a save changed, in Chinese; ``paste``: cleaning pasted text;
  ``figures``: checking uploaded photos; ``preview``: an article in the digest and on a PDF page.
"""

from publisher.editing.checks import FieldProblem
from publisher.editing.desk import Conflict, Desk, EditError, Invalid, NotFound, Outcome

__all__ = ["Conflict", "Desk", "EditError", "FieldProblem", "Invalid", "NotFound", "Outcome"]
