"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "18910188846524c0c345ed913b5d4ce9353667834d9d3dad7900126b22959cb0"
VERSION = "2026.12.0"
