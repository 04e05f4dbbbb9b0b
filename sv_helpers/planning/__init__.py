"""Planning gain: CIL and section 106 (the fifth area of the workbook).

The neighbourhood portion passed to parish and town councils with its
instalments (:mod:`~sv_helpers.planning.neighbourhood`), the administration
share (:mod:`~sv_helpers.planning.administration`), section 106 money at risk
of repayment (:mod:`~sv_helpers.planning.s106`), the Infrastructure Funding
Statement (:mod:`~sv_helpers.planning.ifs`) and CIL spending scenarios through
the grants allocator (:mod:`~sv_helpers.planning.allocation`), run as one
scenario by :mod:`~sv_helpers.planning.model`.  Model layer.
"""

from sv_helpers.planning.model import (
    EXAMPLE_NOTE,
    PlanningDetail,
    Settings,
    compare_results,
    describe_inputs,
    load,
    run,
)
from sv_helpers.planning.report import write

__all__ = ["EXAMPLE_NOTE", "PlanningDetail", "Settings", "compare_results", "describe_inputs", "load", "run", "write"]
