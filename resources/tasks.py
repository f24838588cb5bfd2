"""Background work for shared materials, run by the django-tasks worker (`manage.py db_worker`)."""

from django.utils import timezone
from django_tasks import task

from . import services


@task()
def removal_requests_forget() -> int:
    """Delete the removal requests answered longer ago than the library keeps them; returns how many."""
    return services.removal_requests_prune(now=timezone.now())
