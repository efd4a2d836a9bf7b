"""Every instrument the clinic uses, one module each, collected in ``INSTRUMENTS`` by key."""

from ..model import Instrument
from .cadss import CADSS, CADSS6
from .cssrs import CSSRS
from .gad7 import GAD7
from .madrs import MADRS
from .pain_nrs import PAIN_NRS
from .pcl5 import PCL5
from .phq9 import PHQ9
from .qids_sr16 import QIDS_SR16
from .ybocs import YBOCS

INSTRUMENTS: dict[str, Instrument] = {
    i.key: i for i in (PHQ9, GAD7, PCL5, CSSRS, PAIN_NRS, MADRS, CADSS, CADSS6, YBOCS, QIDS_SR16)
}

__all__ = ["INSTRUMENTS"]
