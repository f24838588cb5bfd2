"""Material that belongs to a circle goes when the circle goes."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from circles.models import Circle

from . import services


@receiver(pre_delete, sender=Circle, dispatch_uid="resources.circle_materials_purge")
def circle_materials_purge(sender, instance: Circle, **kwargs) -> None:
    """Circle-only material has no audience without its circle; the rest stays, unlinked."""
    services.circle_materials_purge(instance)
