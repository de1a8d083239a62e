from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.cli
@tk.blanket.config_declarations
class WepulsePlugin(p.SingletonPlugin):
    """The WePulse portal: Belgian authorities' open data on CKAN."""
