"""R-RP-4 (and R-RT-5): what identifies a complainant never leaves in a bulletin, the register
or a notice — `model.detectors` by shape, `names` for people, `masker` puts them together."""

from complaintctl.reporting.masking.masker import Literal, Masker, identifying, kind_of, masker_for, people_in
from complaintctl.reporting.masking.names import CachedNames, JiebaTagger, NameFinder

__all__ = ["CachedNames", "JiebaTagger", "Literal", "Masker", "NameFinder", "identifying", "kind_of", "masker_for",
           "people_in"]
