"""Background work for discussions, run by the django-tasks worker (`manage.py db_worker`)."""

from django_tasks import task

from . import services


@task()
def mention_emails_send(message_id: int) -> int:
    """E-mail the people a message names (by their preference, at most one an hour per room)."""
    return services.mention_emails_send(message_id=message_id)
