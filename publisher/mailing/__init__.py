"""The newsletter's sending side: SMTP by URL, signed links, composing each message, the mailing job.

What is sent is the ``newsletter`` channel's output of the issue's live build;
this package only addresses it (subject, headers, each recipient's
unsubscribe link) and hands it to the SMTP server, one delivery row per
address written before and after each send (:mod:`publisher.store.subscribers`).
"""
