"""Template helpers, registered by name through the blanket (``__all__``), grouped by
what uses them."""

from ckanext.wepulse.helpers import catalogue, dataset, language, spatial
from ckanext.wepulse.helpers.catalogue import *  # noqa: F403
from ckanext.wepulse.helpers.dataset import *  # noqa: F403
from ckanext.wepulse.helpers.language import *  # noqa: F403
from ckanext.wepulse.helpers.spatial import *  # noqa: F403

__all__ = language.__all__ + dataset.__all__ + catalogue.__all__ + spatial.__all__
