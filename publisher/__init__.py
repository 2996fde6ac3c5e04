"""publisher: multi-channel publishing for newspapers.

Content flows one way: ``loading`` reads an issue folder into the ``model``;
``pipeline`` builds it through the installed channels (``publisher_channels``
and plugins); ``store`` and ``jobs`` keep builds and publish them; ``admin``
and ``cli`` are thin layers over those operations.
"""
