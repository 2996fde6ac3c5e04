"""The ``pdf`` channel: the print-layout newspaper PDF.

``channel`` drives the build; ``galley`` breaks lines (pass one), ``compose``
places stories on the grid, ``pages`` positions them for pass two, ``glyphs``
reports characters no font has, ``fork`` runs halves on the second core and
``fetch`` keeps WeasyPrint inside the issue and the layout. Templates and CSS
are in ``templates/``.
"""

from publisher_channels.pdf.channel import PdfChannel

__all__ = ["PdfChannel"]
