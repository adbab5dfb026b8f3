"""Process settings litellm reads at import time.

litellm downloads a model price map when it is imported unless told not to; on an offline
machine that stalls start-up. The bundled map is accurate enough for cost estimates, so we
use it unless the user has said otherwise.
"""

from __future__ import annotations

import os
from types import ModuleType


def import_litellm() -> ModuleType:
    """Import litellm configured for offline-safe use; cheap after the first call."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    # start-up: litellm takes 11-18 s to import on this 2-core machine under load (`python
    # -X importtime -c "import litellm"`, 2026-12-03), and the embedded and OpenAI-compatible
    # models never need it; the settings above must also come first
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    return litellm
