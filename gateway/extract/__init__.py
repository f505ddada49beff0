"""Text and metadata out of attachments.

`extract_all(inspection, limits)` turns every `Part` the MIME walker found
into `Segment`s (text, with a location such as
"attachment:Ward list.xlsx/Sheet1") and `Artifact`s (images, DICOM,
documents with their properties). One module per format; what cannot be
read becomes an `uninspectable` finding, never a silent pass.
"""

from gateway.extract.dispatch import extract_all, preload

__all__ = ["extract_all", "preload"]
