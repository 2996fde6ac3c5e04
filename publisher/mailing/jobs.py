"""The mailing job and its queue: send an issue to every confirmed subscriber, at most once each, resumable.

:func:`run_mailing` claims a delivery row before each send and closes it after
(:meth:`Store.claim_delivery`), so running it again after a crash or a restart
sends only to those not yet served. :class:`MailQueue` runs it in a thread of
this process (embedded) or on the RQ queue of ``queue.url``; at start-up it
queues every mailing a stop cut short.
"""

from __future__ import annotations

import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor

from publisher.config import Config, load_config
from publisher.keys import secret_key
from publisher.mailing.compose import Newsletter, issue_message
from publisher.mailing.smtp import MailError, SmtpServer
from publisher.mailing.tokens import Links
from publisher.store import Store
from publisher.store.subscribers import CONFIRMED, Mailing

log = logging.getLogger(__name__)

NEWSLETTER = "newsletter"
#: SMTP answers that mean this one recipient was refused (the message never arrived): recorded as failed.
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


def newsletter_of(store: Store, issue_id: str) -> tuple[int, Newsletter]:
    """The live build of ``issue_id`` and its newsletter; MailError when it is not published or has none."""
    build = store.live_build(issue_id)
    if build is None:
        raise MailError(f"issue {issue_id} is not published; publish it first, then send the newsletter")
    return build.id, Newsletter.read(build.channel_dir(NEWSLETTER))


def run_mailing(
    mailing_id: int, config_path: str | None = None, *, config: Config | None = None, store: Store | None = None
) -> Mailing | None:
    """Send mailing ``mailing_id`` to every confirmed subscriber not yet served; returns it finished.

    Stops (leaving the mailing unfinished, to be resumed) when the SMTP server
    goes away; a recipient the server refuses is recorded as failed.
    """
    config = config or load_config(config_path)
    own = store is None
    store = store or Store.from_config(config)
    try:
        mailing = store.start_mailing(mailing_id)
        if mailing is None:
            return store.mailing(mailing_id)
        build = store.get_build(mailing.build_id)
        assert build is not None  # a mailing's build is a foreign key, and build records are never deleted
        try:
            letter = Newsletter.read(build.channel_dir(NEWSLETTER))
            server = SmtpServer.from_config(config.mail)
        except MailError as exc:
            return store.finish_mailing(mailing_id, str(exc))
        links = Links(secret_key(config), config.site.url)
        client = None
        try:
            for subscriber in store.subscribers(CONFIRMED):
                if not store.claim_delivery(mailing_id, mailing.issue_id, subscriber.address):
                    continue
                client = client or server.connect()
                message = issue_message(letter, subscriber.address, links, config)
                try:
                    client.send_message(message)
                except _REFUSED as exc:
                    store.end_delivery(mailing.issue_id, subscriber.address, f"refused by the mail server: {exc}")
                    continue
                store.end_delivery(mailing.issue_id, subscriber.address)
        except (MailError, OSError, smtplib.SMTPException) as exc:
            log.warning("mailing #%s stopped: %s; it resumes at the next start or 'publisher newsletter resume'", mailing_id, exc)
            return store.mailing(mailing_id)
        finally:
            if client is not None:
                try:
                    client.quit()
                except (OSError, smtplib.SMTPException):
                    pass
        return store.finish_mailing(mailing_id)
    finally:
        if own:
            store.close()


class MailQueue:
    """Runs mailings in one background thread, or on RQ workers when ``queue.url`` is set."""

    def __init__(self, config: Config, store: Store, config_path: str | None = None):
        self.config, self.store, self.config_path = config, store, config_path
        self._pool = None if config.queue.url else ThreadPoolExecutor(1, thread_name_prefix="publisher-mail")

    def submit(self, issue_id: str, user: str | None) -> Mailing:
        """Queue the newsletter of ``issue_id``'s live build; MailError when there is none or no SMTP server."""
        SmtpServer.from_config(self.config.mail)
        build_id, _ = newsletter_of(self.store, issue_id)
        mailing = self.store.new_mailing(issue_id, build_id, user)
        self._dispatch(mailing.id)
        return mailing

    def resume(self) -> int:
        """Queue every mailing a stop cut short; returns how many."""
        unfinished = self.store.unfinished_mailings()
        for mailing in unfinished:
            self._dispatch(mailing.id)
        return len(unfinished)

    def _dispatch(self, mailing_id: int) -> None:
        if self._pool is not None:
            self._pool.submit(run_mailing, mailing_id, config=self.config, store=self.store)
            return
        from redis import Redis
        from rq import Queue

        from publisher.jobs import QUEUE_NAME

        assert self.config.queue.url is not None  # there is no pool only when there is a queue
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(self.config.queue.url, socket_connect_timeout=5))
        queue.enqueue(run_mailing, mailing_id, self.config_path, job_timeout=6 * 3600, description=f"mailing #{mailing_id}")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
