"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "3347a15eea8178320bfa7a5c9ef9c757bfeaa1b4ca9d98d6d6212e38384cbd8c"
VERSION = "2026.12.1"
